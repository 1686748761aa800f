//! One affected person's follow-up in one incident: where it stands, who works on it, when the
//! next action is due, and whether the person is still in the incident's scope.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "followup_case")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub incident_id: i64,
    pub subject_id: i64,
    pub status: CaseStatus,
    pub assignee: Option<String>,
    pub next_action_due: Option<DateTimeUtc>,
    /// False once a re-resolution took the person out of the incident's scope: the case and
    /// its history stay, outside the work queues and statistics.
    pub in_scope: bool,
    pub opened_at: DateTimeUtc,
    pub opened_by: String,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

/// Where a person's case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "lowercase")]
pub enum CaseStatus {
    /// Opened by `affected resolve`; no letter delivered yet.
    #[sea_orm(string_value = "open")]
    Open,
    /// A letter was delivered (accepted by the mail server, or posted).
    #[sea_orm(string_value = "contacted")]
    Contacted,
    /// The person answered: by mail, by phone, in person.
    #[sea_orm(string_value = "responded")]
    Responded,
    /// Help is being given (password reset, card replaced, ...).
    #[sea_orm(string_value = "assisting")]
    Assisting,
    /// Every letter bounced or failed and no other channel is left.
    #[sea_orm(string_value = "unreachable")]
    Unreachable,
    #[sea_orm(string_value = "closed")]
    Closed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 6] = [
        CaseStatus::Open,
        CaseStatus::Contacted,
        CaseStatus::Responded,
        CaseStatus::Assisting,
        CaseStatus::Unreachable,
        CaseStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Contacted => "contacted",
            CaseStatus::Responded => "responded",
            CaseStatus::Assisting => "assisting",
            CaseStatus::Unreachable => "unreachable",
            CaseStatus::Closed => "closed",
        }
    }

    /// Reads a status name as typed on the command line.
    pub fn parse(text: &str) -> Option<CaseStatus> {
        let t = text.trim().to_ascii_lowercase();
        CaseStatus::ALL.into_iter().find(|s| s.as_str() == t)
    }
}

impl std::fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
