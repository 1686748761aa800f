//! Withdrawn letters: a letter not yet sent to a person who is no longer affected, or whose
//! data changed since it was rendered, is marked `withdrawn` rather than deleted, so that the
//! outbox keeps the evidence of what was about to go out and why it did not.
//!
//! The uniqueness of a letter (incident, person, channel, kind, update) holds among the
//! letters that are not withdrawn only: a person brought back into scope, or whose letter is
//! rendered again, gets a new letter beside the withdrawn one.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: [&str; 2] = [
    "DROP INDEX ux_notification_letter_update",
    "CREATE UNIQUE INDEX ux_notification_letter_update ON notification \
     (incident_id, subject_id, channel, kind, update_number) WHERE status <> 'withdrawn'",
];

/// Going back deletes the withdrawn letters: the full unique index cannot hold them beside
/// their replacements.
const DOWN: [&str; 4] = [
    "DELETE FROM send_attempt WHERE notification_id IN (SELECT id FROM notification WHERE status = 'withdrawn')",
    "DELETE FROM notification WHERE status = 'withdrawn'",
    "DROP INDEX ux_notification_letter_update",
    "CREATE UNIQUE INDEX ux_notification_letter_update ON notification \
     (incident_id, subject_id, channel, kind, update_number)",
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

/// One batch, so that every statement runs on the same connection (see migration 11).
async fn run(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    manager
        .get_connection()
        .execute_unprepared(&statements.join(";\n"))
        .await?;
    Ok(())
}
