//! A report to a supervisory authority as submitted: phase, authority, the authority's
//! reference, and a snapshot (JSON) of what was sent.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "authority_report")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub incident_id: i64,
    pub phase: Phase,
    /// A jurisdiction code (`DE`, `US-CA`, `GB`), upper case.
    pub authority: String,
    /// The authority's own reference (case number, form receipt).
    pub reference: String,
    /// The report as sent, in its JSON form.
    pub snapshot: String,
    pub submitted_at: DateTimeUtc,
    pub submitted_by: String,
}

impl ActiveModelBehavior for ActiveModel {}

/// The phases of GDPR Art. 33(4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    #[sea_orm(string_value = "initial")]
    Initial,
    #[sea_orm(string_value = "follow-up")]
    FollowUp,
    #[sea_orm(string_value = "final")]
    Final,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Initial => "initial",
            Phase::FollowUp => "follow-up",
            Phase::Final => "final",
        }
    }
}
