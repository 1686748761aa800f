//! Tasks that close themselves: a playbook task may name the recorded event that completes it
//! (`completed_by`, e.g. `submission-recorded`), and a task closed by that event keeps the
//! audit entry's sequence number as its evidence (`evidence_seq`).

use sea_orm_migration::prelude::*;

use crate::run;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: [&str; 2] = [
    "ALTER TABLE task ADD COLUMN completed_by TEXT NULL",
    "ALTER TABLE task ADD COLUMN evidence_seq BIGINT NULL",
];

const DOWN: [&str; 2] = [
    "ALTER TABLE task DROP COLUMN evidence_seq",
    "ALTER TABLE task DROP COLUMN completed_by",
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
