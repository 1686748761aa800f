//! The sender's indexes hold only the letters they find: pending letters by id, deferred
//! letters by the time they come due, and letters held by a worker's lease.
//!
//! They used to index every letter of the outbox, each by its state. A letter going from
//! pending to sending to sent then moved in all three indexes twice: six index entries
//! deleted and six written for every message, and every letter rendered added three. Now a
//! rendered letter enters only the pending index, a started one leaves it for the lease
//! index, and a finished one leaves that: three index writes per letter sent.
//!
//! Counting letters by state (`send status`) reads the incident's letters instead of an index;
//! that is a status report, not the sending path. A letter `sending` always carries its
//! worker's lease (the start sets both); one that does not, from a run stopped mid-way before
//! this rule, is given a lease that has already run out so that reclaiming finds it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: [&str; 7] = [
    "UPDATE notification SET lease_worker = 'unknown', lease_until = rendered_at \
     WHERE status = 'sending' AND lease_worker IS NULL",
    "DROP INDEX ix_notification_queue",
    "DROP INDEX ix_notification_due",
    "DROP INDEX ix_notification_lease",
    "CREATE INDEX ix_notification_pending ON notification (incident_id, channel, id) \
     WHERE status = 'pending'",
    "CREATE INDEX ix_notification_deferred ON notification (incident_id, channel, next_attempt_at) \
     WHERE status = 'deferred'",
    "CREATE INDEX ix_notification_lease ON notification (lease_worker) WHERE lease_worker IS NOT NULL",
];

const DOWN: [&str; 6] = [
    "DROP INDEX ix_notification_pending",
    "DROP INDEX ix_notification_deferred",
    "DROP INDEX ix_notification_lease",
    "CREATE INDEX ix_notification_queue ON notification (incident_id, channel, status, id)",
    "CREATE INDEX ix_notification_due ON notification (incident_id, status, next_attempt_at)",
    "CREATE INDEX ix_notification_lease ON notification (lease_worker)",
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

/// One batch: on SQLite the statements of a migration may otherwise go to different
/// connections of the pool, and one that has not yet seen an index dropped refuses to create
/// it again.
async fn run(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    manager
        .get_connection()
        .execute_unprepared(&statements.join(";\n"))
        .await?;
    Ok(())
}
