//! A letter's text moves out of `notification` into `notification_content`, one row per
//! notification, written once when the letter is rendered and never changed (only blanked
//! when the person is erased).
//!
//! The sender changes a notification's state at least twice per letter (`sending`, then
//! `sent`). SQLite rewrites a whole row on every update, and with the letter inside (about
//! 7 KB: subject, text and HTML, spread over overflow pages) each change wrote the letter
//! again, twice per letter, through the WAL: the single writer of a sending run spent its time
//! copying letters. With the text apart, a state change rewrites a row of about 200 bytes.
//! On PostgreSQL, whose TOAST already kept large values out of updated rows, the split costs
//! nothing.
//!
//! New letters are stored compressed (`packed`) against a specimen letter of their group kept
//! once in `letter_dictionary` (see breachdesk's `db::letter_pack`): a few hundred bytes
//! instead of several kilobytes. Letters moved here from `notification` stay plain.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [&str; 3] = ["subject", "body_text", "body_html"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let (id_type, serial, blob) = match manager.get_database_backend() {
            DbBackend::Postgres => ("BIGINT", "BIGSERIAL PRIMARY KEY", "BYTEA"),
            _ => ("INTEGER", "INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB"),
        };
        conn.execute_unprepared(&format!(
            "CREATE TABLE letter_dictionary (id {serial}, hash TEXT NOT NULL UNIQUE, bytes {blob} NOT NULL)"
        ))
        .await?;
        conn.execute_unprepared(&format!(
            "CREATE TABLE notification_content (\
             notification_id {id_type} NOT NULL PRIMARY KEY \
             REFERENCES notification (id) ON DELETE CASCADE, \
             subject TEXT NOT NULL, body_text TEXT NOT NULL, body_html TEXT NOT NULL, \
             dictionary_id {id_type} NULL REFERENCES letter_dictionary (id), packed {blob} NULL)"
        ))
        .await?;
        conn.execute_unprepared(
            "INSERT INTO notification_content (notification_id, subject, body_text, body_html) \
             SELECT id, subject, body_text, body_html FROM notification",
        )
        .await?;
        for column in COLUMNS {
            conn.execute_unprepared(&format!("ALTER TABLE notification DROP COLUMN {column}"))
                .await?;
        }
        Ok(())
    }

    /// Packed letters cannot be unpacked in SQL: going down keeps their subject lines and
    /// hashes, and their text must be rendered again (`letters render --rerender-pending`).
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        for column in COLUMNS {
            conn.execute_unprepared(&format!(
                "ALTER TABLE notification ADD COLUMN {column} TEXT NOT NULL DEFAULT ''"
            ))
            .await?;
            conn.execute_unprepared(&format!(
                "UPDATE notification SET {column} = (SELECT c.{column} FROM notification_content c \
                 WHERE c.notification_id = notification.id) \
                 WHERE id IN (SELECT notification_id FROM notification_content)"
            ))
            .await?;
        }
        conn.execute_unprepared("DROP TABLE notification_content").await?;
        conn.execute_unprepared("DROP TABLE letter_dictionary").await?;
        Ok(())
    }
}
