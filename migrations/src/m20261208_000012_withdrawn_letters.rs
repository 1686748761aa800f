//! Withdrawn letters: a letter not yet sent to a person who is no longer affected, or whose
//! data changed since it was rendered, is marked `withdrawn` rather than deleted, so that the
//! outbox keeps the evidence of what was about to go out and why it did not.
//!
//! A letter is unique per incident, person, channel, kind and update among the letters not
//! withdrawn: `withdrawn_id` is 0 on those and the letter's own id once it is withdrawn, and
//! joins the unique key. A person brought back into scope, or whose letter is rendered again,
//! gets a new letter beside the withdrawn one. (A partial unique index would do the same, but
//! SQLite then could not use it for the many look-ups by incident and person that do not
//! repeat its condition.)

use sea_orm_migration::prelude::*;

use crate::run;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: [&str; 3] = [
    "ALTER TABLE notification ADD COLUMN withdrawn_id BIGINT NOT NULL DEFAULT 0",
    "DROP INDEX ux_notification_letter_update",
    "CREATE UNIQUE INDEX ux_notification_letter_update ON notification \
     (incident_id, subject_id, channel, kind, update_number, withdrawn_id)",
];

/// Going back deletes the withdrawn letters (and their attempts): the old unique key cannot
/// hold them beside their replacements.
const DOWN: [&str; 5] = [
    "DELETE FROM send_attempt WHERE notification_id IN (SELECT id FROM notification WHERE withdrawn_id <> 0)",
    "DELETE FROM notification WHERE withdrawn_id <> 0",
    "DROP INDEX ux_notification_letter_update",
    "CREATE UNIQUE INDEX ux_notification_letter_update ON notification \
     (incident_id, subject_id, channel, kind, update_number)",
    "ALTER TABLE notification DROP COLUMN withdrawn_id",
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
