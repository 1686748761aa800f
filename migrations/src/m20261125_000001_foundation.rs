//! Incidents on the 72-hour clock and the hash-chained audit log.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Incident {
    Table,
    Id,
    Reference,
    RefYear,
    RefSeq,
    Title,
    Status,
    Nature,
    Cause,
    BreachConfidentiality,
    BreachIntegrity,
    BreachAvailability,
    OccurredFrom,
    OccurredTo,
    DetectedAt,
    AwareAt,
    DeclaredAt,
    DeclaredBy,
    Playbook,
    DpoName,
    DpoEmail,
    DpoPhone,
    LikelyConsequences,
    MeasuresTaken,
    MeasuresProposed,
    DelayReasons,
    ClosedAt,
    ClosedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Seq,
    At,
    Actor,
    Action,
    Entity,
    IncidentRef,
    Details,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    Id,
    Seq,
    Hash,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Incident::Table)
                    .col(big_pk_auto(Incident::Id))
                    .col(string_uniq(Incident::Reference))
                    .col(integer(Incident::RefYear))
                    .col(integer(Incident::RefSeq))
                    .col(text(Incident::Title))
                    .col(string(Incident::Status))
                    .col(text_null(Incident::Nature))
                    .col(string(Incident::Cause))
                    .col(boolean(Incident::BreachConfidentiality))
                    .col(boolean(Incident::BreachIntegrity))
                    .col(boolean(Incident::BreachAvailability))
                    .col(timestamp_with_time_zone_null(Incident::OccurredFrom))
                    .col(timestamp_with_time_zone_null(Incident::OccurredTo))
                    .col(timestamp_with_time_zone_null(Incident::DetectedAt))
                    .col(timestamp_with_time_zone(Incident::AwareAt))
                    .col(timestamp_with_time_zone(Incident::DeclaredAt))
                    .col(string(Incident::DeclaredBy))
                    .col(string_null(Incident::Playbook))
                    .col(text_null(Incident::DpoName))
                    .col(text_null(Incident::DpoEmail))
                    .col(text_null(Incident::DpoPhone))
                    .col(text_null(Incident::LikelyConsequences))
                    .col(text_null(Incident::MeasuresTaken))
                    .col(text_null(Incident::MeasuresProposed))
                    .col(text_null(Incident::DelayReasons))
                    .col(timestamp_with_time_zone_null(Incident::ClosedAt))
                    .col(string_null(Incident::ClosedBy))
                    .col(timestamp_with_time_zone(Incident::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_incident_ref_year_seq")
                    .table(Incident::Table)
                    .col(Incident::RefYear)
                    .col(Incident::RefSeq)
                    .unique()
                    .to_owned(),
            )
            .await?;

        // The audit log: `seq` is the position in the chain (1, 2, 3, ...), `hash` covers the
        // entry's content and `prev_hash`. Times are stored as fixed-format UTC text so that
        // the hashed bytes are exactly what every backend gives back.
        manager
            .create_table(
                Table::create()
                    .table(AuditEvent::Table)
                    .col(big_integer(AuditEvent::Seq).primary_key())
                    .col(string(AuditEvent::At))
                    .col(string(AuditEvent::Actor))
                    .col(string(AuditEvent::Action))
                    .col(string(AuditEvent::Entity))
                    .col(string_null(AuditEvent::IncidentRef))
                    .col(text(AuditEvent::Details))
                    .col(string(AuditEvent::PrevHash))
                    .col(string(AuditEvent::Hash))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_event_incident_ref")
                    .table(AuditEvent::Table)
                    .col(AuditEvent::IncidentRef)
                    .to_owned(),
            )
            .await?;

        // One row: the end of the chain. Every writer locks it first, which serialises
        // appends across processes (and machines, on PostgreSQL), and it lets `audit verify`
        // notice entries cut off the end of the chain.
        manager
            .create_table(
                Table::create()
                    .table(AuditHead::Table)
                    .col(integer(AuditHead::Id).primary_key())
                    .col(big_integer(AuditHead::Seq))
                    .col(string(AuditHead::Hash))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(AuditHead::Table)
                    .columns([AuditHead::Id, AuditHead::Seq, AuditHead::Hash])
                    .values_panic([1.into(), 0i64.into(), GENESIS_HASH.into()])
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditHead::Table.into_iden(),
            AuditEvent::Table.into_iden(),
            Incident::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

/// The `prev_hash` of the first entry: 64 zeros.
const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";
