//! A person affected by an incident, with the union of their exposed categories and systems.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "affected_subject")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub incident_id: i64,
    pub subject_id: i64,
    pub categories: i64,
    /// Comma-separated system keys, sorted.
    pub systems: String,
    pub records: i64,
    pub country: Option<String>,
    /// `DE`, or `US-CA` for a US state.
    pub jurisdiction: Option<String>,
    pub special: bool,
    pub resolved_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
