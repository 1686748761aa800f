//! A live SQL source of a system: a read-only query against the organisation's own database,
//! whose URL is read from an environment variable at sync time.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inventory_source")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub system_id: i64,
    /// The name of the environment variable holding the database URL (never the URL).
    pub url_env: String,
    pub query: String,
    /// `column=field` mappings, one per line.
    pub mapping: String,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
