//! Sending: every attempt to hand a letter to the mail server, and the sender processes
//! working on an incident's outbox (several on PostgreSQL, one at a time on SQLite).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Incident {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Notification {
    Table,
    Id,
    IncidentId,
    Channel,
    Status,
    LeaseWorker,
}

#[derive(DeriveIden)]
enum SendAttempt {
    Table,
    Id,
    NotificationId,
    Worker,
    Attempt,
    StartedAt,
    FinishedAt,
    Outcome,
    Reply,
}

#[derive(DeriveIden)]
enum SendWorker {
    Table,
    Id,
    IncidentId,
    Host,
    Pid,
    Transport,
    StartedAt,
    HeartbeatAt,
    StoppedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SendWorker::Table)
                    .col(string(SendWorker::Id).primary_key())
                    .col(big_integer(SendWorker::IncidentId))
                    .col(string(SendWorker::Host))
                    .col(big_integer(SendWorker::Pid))
                    .col(string(SendWorker::Transport))
                    .col(timestamp_with_time_zone(SendWorker::StartedAt))
                    .col(timestamp_with_time_zone(SendWorker::HeartbeatAt))
                    .col(timestamp_with_time_zone_null(SendWorker::StoppedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_send_worker_incident")
                            .from(SendWorker::Table, SendWorker::IncidentId)
                            .to(Incident::Table, Incident::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SendAttempt::Table)
                    .col(big_pk_auto(SendAttempt::Id))
                    .col(big_integer(SendAttempt::NotificationId))
                    .col(string(SendAttempt::Worker))
                    .col(integer(SendAttempt::Attempt))
                    .col(timestamp_with_time_zone(SendAttempt::StartedAt))
                    .col(timestamp_with_time_zone(SendAttempt::FinishedAt))
                    .col(string(SendAttempt::Outcome))
                    .col(text_null(SendAttempt::Reply))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_send_attempt_notification")
                            .from(SendAttempt::Table, SendAttempt::NotificationId)
                            .to(Notification::Table, Notification::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_send_attempt_notification")
                    .table(SendAttempt::Table)
                    .col(SendAttempt::NotificationId)
                    .to_owned(),
            )
            .await?;
        // What a sender claims: an incident's pending email letters in id order, a range scan.
        manager
            .create_index(
                Index::create()
                    .name("ix_notification_queue")
                    .table(Notification::Table)
                    .col(Notification::IncidentId)
                    .col(Notification::Channel)
                    .col(Notification::Status)
                    .col(Notification::Id)
                    .to_owned(),
            )
            .await?;
        // A worker renews and releases its leases by its id.
        manager
            .create_index(
                Index::create()
                    .name("ix_notification_lease")
                    .table(Notification::Table)
                    .col(Notification::LeaseWorker)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_notification_lease")
                    .table(Notification::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(SendAttempt::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(SendWorker::Table).to_owned())
            .await
    }
}
