//! Submissions of the report to a supervisory authority (GDPR Art. 33(4) allows phases), each
//! with a snapshot of what was sent.

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
enum AuthorityReport {
    Table,
    Id,
    IncidentId,
    Phase,
    Authority,
    Reference,
    Snapshot,
    SubmittedAt,
    SubmittedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuthorityReport::Table)
                    .col(big_pk_auto(AuthorityReport::Id))
                    .col(big_integer(AuthorityReport::IncidentId))
                    .col(string(AuthorityReport::Phase))
                    .col(string(AuthorityReport::Authority))
                    .col(string(AuthorityReport::Reference))
                    .col(text(AuthorityReport::Snapshot))
                    .col(timestamp_with_time_zone(AuthorityReport::SubmittedAt))
                    .col(string(AuthorityReport::SubmittedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_authority_report_incident")
                            .from(AuthorityReport::Table, AuthorityReport::IncidentId)
                            .to(Incident::Table, Incident::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_authority_report_incident")
                    .table(AuthorityReport::Table)
                    .col(AuthorityReport::IncidentId)
                    .col(AuthorityReport::SubmittedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuthorityReport::Table).to_owned())
            .await
    }
}
