//! The outbox: one `notification` per incident, person, channel (email / postal) and kind
//! (initial / update), holding the rendered letter itself (so that what a person was sent can
//! be reproduced byte for byte), its hash, and the state the sender moves it through.

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
enum Subject {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Notification {
    Table,
    Id,
    IncidentId,
    SubjectId,
    Channel,
    Kind,
    TemplateVersion,
    Locale,
    VerificationCode,
    MessageId,
    Recipient,
    Subject,
    BodyText,
    BodyHtml,
    ContentHash,
    Status,
    Attempts,
    LastError,
    NextAttemptAt,
    LeaseWorker,
    LeaseUntil,
    SmtpReply,
    SentAt,
    RenderedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Notification::Table)
                    .col(big_pk_auto(Notification::Id))
                    .col(big_integer(Notification::IncidentId))
                    .col(big_integer(Notification::SubjectId))
                    .col(string(Notification::Channel))
                    .col(string(Notification::Kind))
                    .col(string(Notification::TemplateVersion))
                    .col(string(Notification::Locale))
                    .col(string(Notification::VerificationCode))
                    .col(string(Notification::MessageId))
                    .col(text(Notification::Recipient))
                    .col(text(Notification::Subject))
                    .col(text(Notification::BodyText))
                    .col(text(Notification::BodyHtml))
                    .col(string(Notification::ContentHash))
                    .col(string(Notification::Status))
                    .col(integer(Notification::Attempts).default(0))
                    .col(text_null(Notification::LastError))
                    .col(timestamp_with_time_zone_null(Notification::NextAttemptAt))
                    .col(string_null(Notification::LeaseWorker))
                    .col(timestamp_with_time_zone_null(Notification::LeaseUntil))
                    .col(text_null(Notification::SmtpReply))
                    .col(timestamp_with_time_zone_null(Notification::SentAt))
                    .col(timestamp_with_time_zone(Notification::RenderedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notification_incident")
                            .from(Notification::Table, Notification::IncidentId)
                            .to(Incident::Table, Incident::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notification_subject")
                            .from(Notification::Table, Notification::SubjectId)
                            .to(Subject::Table, Subject::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        let unique = [
            (
                "ux_notification_letter",
                vec![
                    Notification::IncidentId,
                    Notification::SubjectId,
                    Notification::Channel,
                    Notification::Kind,
                ],
            ),
            ("ux_notification_code", vec![Notification::VerificationCode]),
            ("ux_notification_message_id", vec![Notification::MessageId]),
        ];
        for (name, cols) in unique {
            let mut index = Index::create();
            index.name(name).table(Notification::Table).unique();
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        // What the sender asks for: an incident's letters due in a state, oldest due first.
        manager
            .create_index(
                Index::create()
                    .name("ix_notification_due")
                    .table(Notification::Table)
                    .col(Notification::IncidentId)
                    .col(Notification::Status)
                    .col(Notification::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Notification::Table).to_owned())
            .await
    }
}
