//! One item of an incident's checklist, instantiated from a playbook when it is declared.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub incident_id: i64,
    /// Order in the playbook.
    pub position: i32,
    pub playbook: String,
    /// Unique per incident, e.g. `isolate-hosts`.
    pub key: String,
    pub title: String,
    pub owner_role: String,
    pub guidance: String,
    /// The playbook's due time relative to awareness, as written (`4h`, `P3D`).
    pub due_after: String,
    pub due_at: DateTimeUtc,
    pub done_at: Option<DateTimeUtc>,
    pub done_by: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
