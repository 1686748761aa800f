//! The schema of breachdesk, as an ordered list of migrations embedded in the binary.
//!
//! Each migration is applied once, in order, by `breachdesk init` or `breachdesk db migrate`.
//! A migration that has shipped is never edited: the schema grows by adding new ones.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_foundation;
mod m20261125_000002_inventory;
mod m20261125_000003_assessment_tasks;
mod m20261125_000004_reports;
mod m20261125_000005_outbox;
mod m20261125_000006_send;
mod m20261125_000007_followup;
mod m20261125_000008_letters;
mod m20261125_000009_derived_fks;
mod m20261125_000010_letter_content;
mod m20261204_000011_partial_indexes;
mod m20261208_000012_withdrawn_letters;
mod m20261208_000013_record_fields;
mod m20261208_000014_task_evidence;
mod m20261208_000015_audit_seq_check;

/// Every migration breachdesk knows, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_foundation::Migration),
            Box::new(m20261125_000002_inventory::Migration),
            Box::new(m20261125_000003_assessment_tasks::Migration),
            Box::new(m20261125_000004_reports::Migration),
            Box::new(m20261125_000005_outbox::Migration),
            Box::new(m20261125_000006_send::Migration),
            Box::new(m20261125_000007_followup::Migration),
            Box::new(m20261125_000008_letters::Migration),
            Box::new(m20261125_000009_derived_fks::Migration),
            Box::new(m20261125_000010_letter_content::Migration),
            Box::new(m20261204_000011_partial_indexes::Migration),
            Box::new(m20261208_000012_withdrawn_letters::Migration),
            Box::new(m20261208_000013_record_fields::Migration),
            Box::new(m20261208_000014_task_evidence::Migration),
            Box::new(m20261208_000015_audit_seq_check::Migration),
        ]
    }
}

/// Runs a migration's statements as one batch: on SQLite the statements of a migration may
/// otherwise go to different connections of the pool, and one that has not yet seen an index
/// dropped refuses to create it again.
async fn run(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    manager
        .get_connection()
        .execute_unprepared(&statements.join(";\n"))
        .await?;
    Ok(())
}
