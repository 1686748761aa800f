//! One severity assessment or notification decision of an incident. Versioned: every
//! assessment is kept, the one with the highest version rules.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "assessment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub incident_id: i64,
    /// 1, 2, 3, ... per incident.
    pub version: i32,
    pub method: Method,
    /// The answers as given (JSON), so that the score can be recomputed and reviewed.
    pub inputs: String,
    /// ENISA data processing context, 1-4 (after contextual adjustments).
    pub dpc: Option<i32>,
    /// Ease of identification in quarters (1 = 0.25 ... 4 = 1.00).
    pub ei_quarters: Option<i32>,
    /// Circumstances of the breach in quarters (0 ... 8 = 2.0).
    pub cb_quarters: Option<i32>,
    /// Severity SE = DPC x EI + CB, in quarters.
    pub score_quarters: Option<i32>,
    pub band: Option<Band>,
    pub proposed_authority: Option<bool>,
    pub proposed_subjects: Option<bool>,
    /// The reasoning behind the proposal, one point per line.
    pub reasoning: String,
    pub notify_authority: bool,
    pub notify_subjects: bool,
    pub exemption: Option<Exemption>,
    /// The decision differs from the proposal.
    pub overridden: bool,
    pub rationale: Option<String>,
    pub assessed_by: String,
    pub assessed_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

/// How the decision was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// ENISA 2013 severity methodology.
    #[sea_orm(string_value = "enisa_2013")]
    #[serde(rename = "enisa_2013")]
    Enisa2013,
    /// A decision recorded directly, with its rationale, without a scored assessment.
    #[sea_orm(string_value = "decision")]
    Decision,
}

/// ENISA severity levels; half-open bands at 2, 3 and 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, EnumIter, DeriveActiveEnum, Serialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum Band {
    #[sea_orm(string_value = "low")]
    Low,
    #[sea_orm(string_value = "medium")]
    Medium,
    #[sea_orm(string_value = "high")]
    High,
    #[sea_orm(string_value = "very_high")]
    VeryHigh,
}

/// The GDPR Art. 34(3) condition relied on for not writing to the people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Exemption {
    /// (a) protection measures (e.g. encryption) applied to the affected data.
    #[sea_orm(string_value = "art34-3-a")]
    #[serde(rename = "art34-3-a")]
    Art34_3A,
    /// (b) subsequent measures: the high risk is no longer likely to materialise.
    #[sea_orm(string_value = "art34-3-b")]
    #[serde(rename = "art34-3-b")]
    Art34_3B,
    /// (c) disproportionate effort: a public communication instead.
    #[sea_orm(string_value = "art34-3-c")]
    #[serde(rename = "art34-3-c")]
    Art34_3C,
}
