//! The audit chain numbers its entries 1, 2, 3, ...: the schema now refuses any other number,
//! so a row slipped in below the chain (`seq` 0 or negative) cannot be written by accident or
//! by a careless script. `audit verify` checks every row anyway; this is a second fence.
//!
//! PostgreSQL adds the check in place. SQLite cannot add a check to a table, so the table is
//! rebuilt with it, in one batch (the statements of a migration may otherwise go to different
//! connections of the pool). A database that already holds such rows is not migrated: they
//! were written outside breachdesk, and the error says to keep the file as evidence.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The SQLite table as the foundation migration created it, with or without the check.
fn sqlite_table(name: &str, check: &str) -> String {
    format!(
        "CREATE TABLE \"{name}\" ( \"seq\" integer NOT NULL PRIMARY KEY{check}, \
         \"at\" varchar NOT NULL, \"actor\" varchar NOT NULL, \"action\" varchar NOT NULL, \
         \"entity\" varchar NOT NULL, \"incident_ref\" varchar NULL, \"details\" text NOT NULL, \
         \"prev_hash\" varchar NOT NULL, \"hash\" varchar NOT NULL )"
    )
}

/// Rebuilds the SQLite table with `check` on `seq` (empty for none), keeping every row.
fn sqlite_rebuild(check: &str) -> String {
    [
        sqlite_table("audit_event_rebuilt", check),
        "INSERT INTO audit_event_rebuilt (seq, at, actor, action, entity, incident_ref, details, prev_hash, hash) \
         SELECT seq, at, actor, action, entity, incident_ref, details, prev_hash, hash FROM audit_event"
            .to_string(),
        "DROP TABLE audit_event".to_string(),
        "ALTER TABLE audit_event_rebuilt RENAME TO audit_event".to_string(),
        "CREATE INDEX \"ix_audit_event_incident_ref\" ON \"audit_event\" (\"incident_ref\")".to_string(),
    ]
    .join(";\n")
}

const PG_UP: &str = "ALTER TABLE audit_event ADD CONSTRAINT ck_audit_event_seq CHECK (seq >= 1)";
const PG_DOWN: &str = "ALTER TABLE audit_event DROP CONSTRAINT IF EXISTS ck_audit_event_seq";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let backend = manager.get_database_backend();
        let outside = conn
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT COUNT(*) AS n FROM audit_event WHERE seq < 1",
            ))
            .await?
            .map(|row| row.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0);
        if outside > 0 {
            return Err(DbErr::Migration(format!(
                "the audit log holds {outside} entries numbered below 1, which breachdesk never \
                 writes: they were inserted outside breachdesk. Keep a copy of the database as \
                 evidence and remove them (DELETE FROM audit_event WHERE seq < 1) before migrating"
            )));
        }
        match backend {
            DbBackend::Postgres => conn.execute_unprepared(PG_UP).await?,
            _ => {
                conn.execute_unprepared(&sqlite_rebuild(" CHECK (\"seq\" >= 1)"))
                    .await?
            }
        };
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => conn.execute_unprepared(PG_DOWN).await?,
            _ => conn.execute_unprepared(&sqlite_rebuild("")).await?,
        };
        Ok(())
    }
}
