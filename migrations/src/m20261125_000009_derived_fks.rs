//! PostgreSQL checks a foreign key with one query per inserted row. `affected resolve` writes
//! a row per affected person into `affected_subject` and opens a `followup_case` for each, set
//! based, in one transaction: at a million records that is hundreds of thousands of rows, and
//! the per-row checks of their subject and incident keys took more than half of the
//! resolution. This migration drops those four keys on PostgreSQL.
//!
//! Both tables are derived: their rows are written only by the resolution, from `subject`
//! joined in the same statement (or from `affected_subject`), and breachdesk never deletes a
//! subject or an incident (erasing a person clears their data and keeps the row). Every other
//! foreign key stays, `case_event` → `followup_case` among them. On SQLite, whose checks are
//! cheap and whose tables would have to be rebuilt to drop a key, nothing changes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, constraint, column, referenced table), as the earlier migrations created them.
const KEYS: [(&str, &str, &str, &str); 4] = [
    (
        "affected_subject",
        "affected_subject_incident_id_fkey",
        "incident_id",
        "incident",
    ),
    (
        "affected_subject",
        "affected_subject_subject_id_fkey",
        "subject_id",
        "subject",
    ),
    (
        "followup_case",
        "fk_followup_case_incident",
        "incident_id",
        "incident",
    ),
    (
        "followup_case",
        "fk_followup_case_subject",
        "subject_id",
        "subject",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for (table, name, _, _) in KEYS {
            manager
                .get_connection()
                .execute_unprepared(&format!("ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for (table, name, column, target) in KEYS {
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({column}) \
                     REFERENCES {target} (id) ON DELETE RESTRICT"
                ))
                .await?;
        }
        Ok(())
    }
}
