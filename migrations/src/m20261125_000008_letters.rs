//! What letters say beyond the incident record: the summary of each update (numbered, so that
//! several updates each keep their own text), the narrative and the update summaries in
//! other languages, and an update number on each outbox letter, so that the outbox holds one
//! letter per person, channel and update.

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
    IncidentId,
    SubjectId,
    Channel,
    Kind,
    UpdateNumber,
}

#[derive(DeriveIden)]
enum IncidentUpdateNote {
    Table,
    Id,
    IncidentId,
    Number,
    Summary,
    RecordedAt,
    RecordedBy,
}

#[derive(DeriveIden)]
enum IncidentTranslation {
    Table,
    Id,
    IncidentId,
    Locale,
    /// `nature`, `likely_consequences`, `measures_taken`, `measures_proposed`, `update_summary`.
    Field,
    /// The update the text belongs to (`update_summary`); 0 for the narrative's fields.
    UpdateNumber,
    Text,
    UpdatedAt,
    UpdatedBy,
}

fn incident_fk(name: &str, from: impl IntoIden, table: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, from)
        .to(Incident::Table, Incident::Id)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Notification::Table)
                    .add_column(integer(Notification::UpdateNumber).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_notification_letter")
                    .table(Notification::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_notification_letter_update")
                    .table(Notification::Table)
                    .unique()
                    .col(Notification::IncidentId)
                    .col(Notification::SubjectId)
                    .col(Notification::Channel)
                    .col(Notification::Kind)
                    .col(Notification::UpdateNumber)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IncidentUpdateNote::Table)
                    .col(big_pk_auto(IncidentUpdateNote::Id))
                    .col(big_integer(IncidentUpdateNote::IncidentId))
                    .col(integer(IncidentUpdateNote::Number))
                    .col(text(IncidentUpdateNote::Summary))
                    .col(timestamp_with_time_zone(IncidentUpdateNote::RecordedAt))
                    .col(string(IncidentUpdateNote::RecordedBy))
                    .foreign_key(&mut incident_fk(
                        "fk_incident_update_note_incident",
                        IncidentUpdateNote::IncidentId,
                        IncidentUpdateNote::Table,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_incident_update_note")
                    .table(IncidentUpdateNote::Table)
                    .unique()
                    .col(IncidentUpdateNote::IncidentId)
                    .col(IncidentUpdateNote::Number)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IncidentTranslation::Table)
                    .col(big_pk_auto(IncidentTranslation::Id))
                    .col(big_integer(IncidentTranslation::IncidentId))
                    .col(string(IncidentTranslation::Locale))
                    .col(string(IncidentTranslation::Field))
                    .col(integer(IncidentTranslation::UpdateNumber).default(0))
                    .col(text(IncidentTranslation::Text))
                    .col(timestamp_with_time_zone(IncidentTranslation::UpdatedAt))
                    .col(string(IncidentTranslation::UpdatedBy))
                    .foreign_key(&mut incident_fk(
                        "fk_incident_translation_incident",
                        IncidentTranslation::IncidentId,
                        IncidentTranslation::Table,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_incident_translation")
                    .table(IncidentTranslation::Table)
                    .unique()
                    .col(IncidentTranslation::IncidentId)
                    .col(IncidentTranslation::Locale)
                    .col(IncidentTranslation::Field)
                    .col(IncidentTranslation::UpdateNumber)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IncidentTranslation::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(IncidentUpdateNote::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_notification_letter_update")
                    .table(Notification::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_notification_letter")
                    .table(Notification::Table)
                    .unique()
                    .col(Notification::IncidentId)
                    .col(Notification::SubjectId)
                    .col(Notification::Channel)
                    .col(Notification::Kind)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Notification::Table)
                    .drop_column(Notification::UpdateNumber)
                    .to_owned(),
            )
            .await
    }
}
