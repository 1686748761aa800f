//! What each inventory record itself holds, and a key to find people who may be the same.
//!
//! `subject_record.held_categories` are the categories whose field the record has a value in
//! (its name, email, phone, postal address); `unheld_categories` those whose field the
//! imported file carried but left empty for this record. A record exposes its own or its
//! system's categories without the unheld ones, plus the held ones: a person with no email on
//! record is never told their email address was exposed. Both are 0 for rows imported before.
//!
//! `subject.near_key` is a hash of the person's normalised name and postal code (or city):
//! two people with the same one, one of them without an email address, are reported for review
//! after an import instead of being merged.

use sea_orm_migration::prelude::*;

use crate::run;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: [&str; 3] = [
    "ALTER TABLE subject_record ADD COLUMN held_categories BIGINT NOT NULL DEFAULT 0",
    "ALTER TABLE subject_record ADD COLUMN unheld_categories BIGINT NOT NULL DEFAULT 0",
    "ALTER TABLE subject ADD COLUMN near_key TEXT",
];

const DOWN: [&str; 3] = [
    "ALTER TABLE subject DROP COLUMN near_key",
    "ALTER TABLE subject_record DROP COLUMN unheld_categories",
    "ALTER TABLE subject_record DROP COLUMN held_categories",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, &UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, &DOWN).await
    }
}
