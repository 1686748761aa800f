//! A person's presence in one system: which categories that system holds about them, and
//! when. Unique per (system, external id), so re-importing is an upsert.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subject_record")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub system_id: i64,
    pub external_id: String,
    pub subject_id: i64,
    /// Bit mask of categories; 0 means "what the system holds".
    pub categories: i64,
    /// Categories whose field this record has a value in (name, email, phone, address).
    pub held_categories: i64,
    /// Categories whose field the imported file carried, empty in this record.
    pub unheld_categories: i64,
    pub first_seen: Option<DateTimeUtc>,
    pub last_seen: Option<DateTimeUtc>,
    pub content_hash: String,
    pub batch_id: i64,
    pub source_line: i64,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
