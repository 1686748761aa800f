//! An incident: a suspected or confirmed personal-data breach, on the 72-hour clock.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incident")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub reference: String,
    pub ref_year: i32,
    pub ref_seq: i32,
    pub title: String,
    pub status: IncidentStatus,
    pub nature: Option<String>,
    pub cause: Cause,
    pub breach_confidentiality: bool,
    pub breach_integrity: bool,
    pub breach_availability: bool,
    pub occurred_from: Option<DateTimeUtc>,
    pub occurred_to: Option<DateTimeUtc>,
    pub detected_at: Option<DateTimeUtc>,
    /// When the organisation became aware: the clock starts here (GDPR Art. 33(1)).
    pub aware_at: DateTimeUtc,
    pub declared_at: DateTimeUtc,
    pub declared_by: String,
    pub playbook: Option<String>,
    pub dpo_name: Option<String>,
    pub dpo_email: Option<String>,
    pub dpo_phone: Option<String>,
    pub likely_consequences: Option<String>,
    pub measures_taken: Option<String>,
    pub measures_proposed: Option<String>,
    pub delay_reasons: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
    pub closed_by: Option<String>,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

/// Where an incident stands in the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "lowercase")]
pub enum IncidentStatus {
    #[sea_orm(string_value = "open")]
    Open,
    #[sea_orm(string_value = "closed")]
    Closed,
}

/// What caused the breach, as the EDPB sorts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "lowercase")]
pub enum Cause {
    #[sea_orm(string_value = "malicious")]
    Malicious,
    #[sea_orm(string_value = "accidental")]
    Accidental,
    #[sea_orm(string_value = "unknown")]
    Unknown,
}
