//! A person, once across all systems, with the contact data the latest import gave.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subject")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The identity-resolution key (docs/inventory.md): `k:` + an explicit subject key, `e:` +
    /// lower-cased email, `a:` + a hash of name and postal address, `t:` + a hash of name and
    /// phone, or `r:` + system and record id for a person known by none of these.
    #[sea_orm(unique)]
    pub subject_key: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub locale: Option<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
    /// A hash of the normalised name and postal code (or city), to report possible duplicates.
    pub near_key: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When `subject erase` removed the person's personal data.
    pub erased_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
