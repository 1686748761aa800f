//! A system of the inventory register: where personal data live (GDPR Art. 30 flavour).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "system")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub key: String,
    pub name: String,
    /// Bit mask of the data categories the system holds.
    pub categories: i64,
    /// Comma-separated kinds of people (customer, employee, ...).
    pub subject_kinds: String,
    pub owner: Option<String>,
    pub purpose: Option<String>,
    /// ISO 3166-1 alpha-2 country where the data are stored.
    pub location: Option<String>,
    pub processor: Option<String>,
    pub special_categories: bool,
    pub encrypted_at_rest: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
