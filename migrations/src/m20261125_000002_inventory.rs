//! The personal-data inventory (systems, subjects, their records in each system, import
//! batches, SQL sources) and an incident's scope and affected subjects.
//!
//! Data categories are stored as bit masks: bit N is entry N of breachdesk's category
//! vocabulary (`src/category.rs`, append-only), so that unions and counts run inside the
//! database.

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
enum System {
    Table,
    Id,
    Key,
    Name,
    Categories,
    SubjectKinds,
    Owner,
    Purpose,
    Location,
    Processor,
    SpecialCategories,
    EncryptedAtRest,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
#[allow(clippy::enum_variant_names)] // column names, not variants of an idea
enum Subject {
    Table,
    Id,
    SubjectKey,
    Email,
    Name,
    Locale,
    Country,
    Region,
    AddressLine1,
    AddressLine2,
    PostalCode,
    City,
    Phone,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SubjectRecord {
    Table,
    Id,
    SystemId,
    ExternalId,
    SubjectId,
    Categories,
    FirstSeen,
    LastSeen,
    ContentHash,
    BatchId,
    SourceLine,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ImportBatch {
    Table,
    Id,
    SystemId,
    Source,
    FileHash,
    Status,
    RowsRead,
    RowsInserted,
    RowsUpdated,
    RowsUnchanged,
    RowsRejected,
    Actor,
    StartedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum InventorySource {
    Table,
    Id,
    SystemId,
    UrlEnv,
    Query,
    Mapping,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IncidentScope {
    Table,
    Id,
    IncidentId,
    SystemId,
    Categories,
    RecordsFrom,
    RecordsTo,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AffectedSubject {
    Table,
    Id,
    IncidentId,
    SubjectId,
    Categories,
    Systems,
    Records,
    Country,
    Jurisdiction,
    Special,
    ResolvedAt,
}

fn fk(
    from_table: impl IntoIden,
    from: impl IntoIden,
    to_table: impl IntoIden,
    to: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
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
                    .table(System::Table)
                    .col(big_pk_auto(System::Id))
                    .col(string_uniq(System::Key))
                    .col(text(System::Name))
                    .col(big_integer(System::Categories))
                    .col(text(System::SubjectKinds))
                    .col(text_null(System::Owner))
                    .col(text_null(System::Purpose))
                    .col(string_null(System::Location))
                    .col(text_null(System::Processor))
                    .col(boolean(System::SpecialCategories))
                    .col(boolean(System::EncryptedAtRest))
                    .col(timestamp_with_time_zone(System::CreatedAt))
                    .col(timestamp_with_time_zone(System::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Subject::Table)
                    .col(big_pk_auto(Subject::Id))
                    .col(string_uniq(Subject::SubjectKey))
                    .col(text_null(Subject::Email))
                    .col(text_null(Subject::Name))
                    .col(string_null(Subject::Locale))
                    .col(string_null(Subject::Country))
                    .col(string_null(Subject::Region))
                    .col(text_null(Subject::AddressLine1))
                    .col(text_null(Subject::AddressLine2))
                    .col(string_null(Subject::PostalCode))
                    .col(text_null(Subject::City))
                    .col(string_null(Subject::Phone))
                    .col(timestamp_with_time_zone(Subject::CreatedAt))
                    .col(timestamp_with_time_zone(Subject::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ImportBatch::Table)
                    .col(big_pk_auto(ImportBatch::Id))
                    .col(big_integer(ImportBatch::SystemId))
                    .col(text(ImportBatch::Source))
                    .col(string(ImportBatch::FileHash))
                    .col(string(ImportBatch::Status))
                    .col(big_integer(ImportBatch::RowsRead))
                    .col(big_integer(ImportBatch::RowsInserted))
                    .col(big_integer(ImportBatch::RowsUpdated))
                    .col(big_integer(ImportBatch::RowsUnchanged))
                    .col(big_integer(ImportBatch::RowsRejected))
                    .col(string(ImportBatch::Actor))
                    .col(timestamp_with_time_zone(ImportBatch::StartedAt))
                    .col(timestamp_with_time_zone_null(ImportBatch::FinishedAt))
                    .foreign_key(&mut fk(
                        ImportBatch::Table,
                        ImportBatch::SystemId,
                        System::Table,
                        System::Id,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SubjectRecord::Table)
                    .col(big_pk_auto(SubjectRecord::Id))
                    .col(big_integer(SubjectRecord::SystemId))
                    .col(string(SubjectRecord::ExternalId))
                    .col(big_integer(SubjectRecord::SubjectId))
                    .col(big_integer(SubjectRecord::Categories))
                    .col(timestamp_with_time_zone_null(SubjectRecord::FirstSeen))
                    .col(timestamp_with_time_zone_null(SubjectRecord::LastSeen))
                    .col(string(SubjectRecord::ContentHash))
                    .col(big_integer(SubjectRecord::BatchId))
                    .col(big_integer(SubjectRecord::SourceLine))
                    .col(timestamp_with_time_zone(SubjectRecord::UpdatedAt))
                    .foreign_key(&mut fk(
                        SubjectRecord::Table,
                        SubjectRecord::SystemId,
                        System::Table,
                        System::Id,
                    ))
                    .foreign_key(&mut fk(
                        SubjectRecord::Table,
                        SubjectRecord::SubjectId,
                        Subject::Table,
                        Subject::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_subject_record_system_external")
                    .table(SubjectRecord::Table)
                    .col(SubjectRecord::SystemId)
                    .col(SubjectRecord::ExternalId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_subject_record_subject")
                    .table(SubjectRecord::Table)
                    .col(SubjectRecord::SubjectId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(InventorySource::Table)
                    .col(big_pk_auto(InventorySource::Id))
                    .col(big_integer_uniq(InventorySource::SystemId))
                    .col(string(InventorySource::UrlEnv))
                    .col(text(InventorySource::Query))
                    .col(text(InventorySource::Mapping))
                    .col(timestamp_with_time_zone(InventorySource::CreatedAt))
                    .foreign_key(&mut fk(
                        InventorySource::Table,
                        InventorySource::SystemId,
                        System::Table,
                        System::Id,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IncidentScope::Table)
                    .col(big_pk_auto(IncidentScope::Id))
                    .col(big_integer(IncidentScope::IncidentId))
                    .col(big_integer(IncidentScope::SystemId))
                    .col(big_integer(IncidentScope::Categories))
                    .col(timestamp_with_time_zone_null(IncidentScope::RecordsFrom))
                    .col(timestamp_with_time_zone_null(IncidentScope::RecordsTo))
                    .col(timestamp_with_time_zone(IncidentScope::CreatedAt))
                    .foreign_key(&mut fk(
                        IncidentScope::Table,
                        IncidentScope::IncidentId,
                        Incident::Table,
                        Incident::Id,
                    ))
                    .foreign_key(&mut fk(
                        IncidentScope::Table,
                        IncidentScope::SystemId,
                        System::Table,
                        System::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_incident_scope_incident_system")
                    .table(IncidentScope::Table)
                    .col(IncidentScope::IncidentId)
                    .col(IncidentScope::SystemId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AffectedSubject::Table)
                    .col(big_pk_auto(AffectedSubject::Id))
                    .col(big_integer(AffectedSubject::IncidentId))
                    .col(big_integer(AffectedSubject::SubjectId))
                    .col(big_integer(AffectedSubject::Categories))
                    .col(text(AffectedSubject::Systems))
                    .col(big_integer(AffectedSubject::Records))
                    .col(string_null(AffectedSubject::Country))
                    .col(string_null(AffectedSubject::Jurisdiction))
                    .col(boolean(AffectedSubject::Special))
                    .col(timestamp_with_time_zone(AffectedSubject::ResolvedAt))
                    .foreign_key(&mut fk(
                        AffectedSubject::Table,
                        AffectedSubject::IncidentId,
                        Incident::Table,
                        Incident::Id,
                    ))
                    .foreign_key(&mut fk(
                        AffectedSubject::Table,
                        AffectedSubject::SubjectId,
                        Subject::Table,
                        Subject::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_affected_subject_incident_subject")
                    .table(AffectedSubject::Table)
                    .col(AffectedSubject::IncidentId)
                    .col(AffectedSubject::SubjectId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AffectedSubject::Table.into_iden(),
            IncidentScope::Table.into_iden(),
            InventorySource::Table.into_iden(),
            SubjectRecord::Table.into_iden(),
            ImportBatch::Table.into_iden(),
            Subject::Table.into_iden(),
            System::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
