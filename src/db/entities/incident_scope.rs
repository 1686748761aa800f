//! What an incident exposed in one system: which categories, and which records by time.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incident_scope")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub incident_id: i64,
    pub system_id: i64,
    /// Bit mask of exposed categories; 0 means everything the records hold.
    pub categories: i64,
    pub records_from: Option<DateTimeUtc>,
    pub records_to: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
