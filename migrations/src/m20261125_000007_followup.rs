//! Follow-up per affected person: one `followup_case` per incident and person (status,
//! assignee, next action due, whether the person is still in the incident's scope), its
//! `case_event`s (notes, calls, mail in and out, deliveries, help given, status changes, each
//! with actor and time), the rights `case_request`s a person exercises with their legal due
//! dates, and `subject.erased_at` for people whose data breachdesk has erased.
//!
//! The table is `followup_case`, not `case`, because CASE is an SQL keyword.

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
    ErasedAt,
}

#[derive(DeriveIden)]
enum FollowupCase {
    Table,
    Id,
    IncidentId,
    SubjectId,
    Status,
    Assignee,
    NextActionDue,
    InScope,
    OpenedAt,
    OpenedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CaseEvent {
    Table,
    Id,
    CaseId,
    At,
    Actor,
    Kind,
    FromStatus,
    ToStatus,
    Assist,
    Text,
    ReplyKey,
}

#[derive(DeriveIden)]
enum CaseRequest {
    Table,
    Id,
    CaseId,
    EventId,
    Right,
    ReceivedAt,
    DueAt,
    Text,
    DoneAt,
    DoneBy,
}

fn fk(
    name: &str,
    from_table: impl IntoIden,
    from: impl IntoIden,
    to_table: impl IntoIden,
    to: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from_table, from)
        .to(to_table, to)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FollowupCase::Table)
                    .col(big_pk_auto(FollowupCase::Id))
                    .col(big_integer(FollowupCase::IncidentId))
                    .col(big_integer(FollowupCase::SubjectId))
                    .col(string(FollowupCase::Status))
                    .col(string_null(FollowupCase::Assignee))
                    .col(timestamp_with_time_zone_null(FollowupCase::NextActionDue))
                    .col(boolean(FollowupCase::InScope))
                    .col(timestamp_with_time_zone(FollowupCase::OpenedAt))
                    .col(string(FollowupCase::OpenedBy))
                    .col(timestamp_with_time_zone(FollowupCase::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_followup_case_incident",
                        FollowupCase::Table,
                        FollowupCase::IncidentId,
                        Incident::Table,
                        Incident::Id,
                    ))
                    .foreign_key(&mut fk(
                        "fk_followup_case_subject",
                        FollowupCase::Table,
                        FollowupCase::SubjectId,
                        Subject::Table,
                        Subject::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_followup_case_incident_subject")
                    .table(FollowupCase::Table)
                    .col(FollowupCase::IncidentId)
                    .col(FollowupCase::SubjectId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Work queues: an incident's cases by status, and a subject's cases (export, erase).
        manager
            .create_index(
                Index::create()
                    .name("ix_followup_case_status")
                    .table(FollowupCase::Table)
                    .col(FollowupCase::IncidentId)
                    .col(FollowupCase::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_followup_case_subject")
                    .table(FollowupCase::Table)
                    .col(FollowupCase::SubjectId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CaseEvent::Table)
                    .col(big_pk_auto(CaseEvent::Id))
                    .col(big_integer(CaseEvent::CaseId))
                    .col(timestamp_with_time_zone(CaseEvent::At))
                    .col(string(CaseEvent::Actor))
                    .col(string(CaseEvent::Kind))
                    .col(string_null(CaseEvent::FromStatus))
                    .col(string_null(CaseEvent::ToStatus))
                    .col(string_null(CaseEvent::Assist))
                    .col(text_null(CaseEvent::Text))
                    .col(string_null(CaseEvent::ReplyKey))
                    .foreign_key(&mut fk(
                        "fk_case_event_case",
                        CaseEvent::Table,
                        CaseEvent::CaseId,
                        FollowupCase::Table,
                        FollowupCase::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_case_event_case")
                    .table(CaseEvent::Table)
                    .col(CaseEvent::CaseId)
                    .to_owned(),
            )
            .await?;
        // A reply (keyed by a hash of its Message-ID) is recorded once per case.
        manager
            .create_index(
                Index::create()
                    .name("ux_case_event_reply")
                    .table(CaseEvent::Table)
                    .col(CaseEvent::CaseId)
                    .col(CaseEvent::ReplyKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CaseRequest::Table)
                    .col(big_pk_auto(CaseRequest::Id))
                    .col(big_integer(CaseRequest::CaseId))
                    .col(big_integer_null(CaseRequest::EventId))
                    .col(string(CaseRequest::Right))
                    .col(timestamp_with_time_zone(CaseRequest::ReceivedAt))
                    .col(timestamp_with_time_zone(CaseRequest::DueAt))
                    .col(text_null(CaseRequest::Text))
                    .col(timestamp_with_time_zone_null(CaseRequest::DoneAt))
                    .col(string_null(CaseRequest::DoneBy))
                    .foreign_key(&mut fk(
                        "fk_case_request_case",
                        CaseRequest::Table,
                        CaseRequest::CaseId,
                        FollowupCase::Table,
                        FollowupCase::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_case_request_case")
                    .table(CaseRequest::Table)
                    .col(CaseRequest::CaseId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Subject::Table)
                    .add_column(timestamp_with_time_zone_null(Subject::ErasedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CaseRequest::Table.into_iden(),
            CaseEvent::Table.into_iden(),
            FollowupCase::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Subject::Table)
                    .drop_column(Subject::ErasedAt)
                    .to_owned(),
            )
            .await
    }
}
