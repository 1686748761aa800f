//! Severity assessments and notification decisions (versioned per incident), and the tasks a
//! playbook puts on an incident's checklist.

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
enum Assessment {
    Table,
    Id,
    IncidentId,
    Version,
    Method,
    Inputs,
    Dpc,
    EiQuarters,
    CbQuarters,
    ScoreQuarters,
    Band,
    ProposedAuthority,
    ProposedSubjects,
    Reasoning,
    NotifyAuthority,
    NotifySubjects,
    Exemption,
    Overridden,
    Rationale,
    AssessedBy,
    AssessedAt,
}

#[derive(DeriveIden)]
enum Task {
    Table,
    Id,
    IncidentId,
    Position,
    Playbook,
    Key,
    Title,
    OwnerRole,
    Guidance,
    DueAfter,
    DueAt,
    DoneAt,
    DoneBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Scores are multiples of 0.25 and are stored as whole quarters, so that every
        // backend gives back exactly what was computed.
        manager
            .create_table(
                Table::create()
                    .table(Assessment::Table)
                    .col(big_pk_auto(Assessment::Id))
                    .col(big_integer(Assessment::IncidentId))
                    .col(integer(Assessment::Version))
                    .col(string(Assessment::Method))
                    .col(text(Assessment::Inputs))
                    .col(integer_null(Assessment::Dpc))
                    .col(integer_null(Assessment::EiQuarters))
                    .col(integer_null(Assessment::CbQuarters))
                    .col(integer_null(Assessment::ScoreQuarters))
                    .col(string_null(Assessment::Band))
                    .col(boolean_null(Assessment::ProposedAuthority))
                    .col(boolean_null(Assessment::ProposedSubjects))
                    .col(text(Assessment::Reasoning))
                    .col(boolean(Assessment::NotifyAuthority))
                    .col(boolean(Assessment::NotifySubjects))
                    .col(string_null(Assessment::Exemption))
                    .col(boolean(Assessment::Overridden))
                    .col(text_null(Assessment::Rationale))
                    .col(string(Assessment::AssessedBy))
                    .col(timestamp_with_time_zone(Assessment::AssessedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_assessment_incident")
                            .from(Assessment::Table, Assessment::IncidentId)
                            .to(Incident::Table, Incident::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_assessment_incident_version")
                    .table(Assessment::Table)
                    .col(Assessment::IncidentId)
                    .col(Assessment::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Task::Table)
                    .col(big_pk_auto(Task::Id))
                    .col(big_integer(Task::IncidentId))
                    .col(integer(Task::Position))
                    .col(string(Task::Playbook))
                    .col(string(Task::Key))
                    .col(text(Task::Title))
                    .col(string(Task::OwnerRole))
                    .col(text(Task::Guidance))
                    .col(string(Task::DueAfter))
                    .col(timestamp_with_time_zone(Task::DueAt))
                    .col(timestamp_with_time_zone_null(Task::DoneAt))
                    .col(string_null(Task::DoneBy))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_task_incident")
                            .from(Task::Table, Task::IncidentId)
                            .to(Incident::Table, Incident::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_task_incident_key")
                    .table(Task::Table)
                    .col(Task::IncidentId)
                    .col(Task::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Task::Table.into_iden(), Assessment::Table.into_iden()] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
