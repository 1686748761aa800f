//! One entry of the hash-chained audit log. Entries hold ids and field names, never the
//! personal data of the people a breach affected.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    /// Position in the chain, from 1 without gaps.
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    /// UTC, `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    pub at: String,
    pub actor: String,
    /// What was done, e.g. `incident.declare`.
    pub action: String,
    /// What it was done to, e.g. `incident:BD-2026-0001`.
    pub entity: String,
    pub incident_ref: Option<String>,
    /// A JSON object.
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl ActiveModelBehavior for ActiveModel {}
