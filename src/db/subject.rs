//! Erasing one person's personal data everywhere breachdesk keeps it, and making sure the
//! bytes are gone from the database files, not only from its rows.
//!
//! What stays, so that counts in statistics, registers and reports stay true: the subject
//! row (with country and region, which the counts by country and jurisdiction use), their
//! records' systems, categories and dates, their affected-subject rows, their letters' status,
//! channel, dates, verification code and content hash, their cases with statuses and events'
//! kinds and times. What goes: name, email, identity key, address, phone, locale; record ids
//! in the source systems and the hashes of their rows; the letters' recipient, subject line
//! and text; the mail servers' replies and errors (they quote addresses); the text of case
//! events and requests.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::followup::exec;
use crate::error::{DbContext, Result};

/// Rows changed per table by an erasure.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Erased {
    pub records: u64,
    pub letters: u64,
    pub case_events: u64,
    pub requests: u64,
}

/// Removes the personal data of subject `id` in `conn` (a transaction). On SQLite it turns on
/// `secure_delete` for the connection first, so that freed space is overwritten with zeros.
pub async fn erase<C: ConnectionTrait>(conn: &C, id: i64, now: DateTime<Utc>) -> Result<Erased> {
    const DOING: &str = "erasing the person's data";
    if conn.get_database_backend() == DbBackend::Sqlite {
        conn.execute_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA secure_delete = ON",
        ))
        .await
        .context(DOING)?;
    }
    exec(
        conn,
        "UPDATE subject SET subject_key = 'erased:' || CAST(id AS TEXT), email = NULL, name = NULL, locale = NULL, \
         address_line1 = NULL, address_line2 = NULL, postal_code = NULL, city = NULL, phone = NULL, near_key = NULL, \
         erased_at = ?, updated_at = ? WHERE id = ?",
        vec![now.into(), now.into(), id.into()],
        DOING,
    )
    .await?;
    let records = exec(
        conn,
        "UPDATE subject_record SET external_id = 'erased:' || CAST(id AS TEXT), content_hash = '' WHERE subject_id = ?",
        vec![id.into()],
        DOING,
    )
    .await?;
    let letters = exec(
        conn,
        "UPDATE notification SET recipient = '', last_error = NULL, smtp_reply = NULL WHERE subject_id = ?",
        vec![id.into()],
        DOING,
    )
    .await?;
    // The letters themselves hold the name, the address and what was exposed.
    exec(
        conn,
        "UPDATE notification_content SET subject = '', body_text = '', body_html = '', packed = NULL, \
         dictionary_id = NULL WHERE notification_id IN \
         (SELECT n.id FROM notification n WHERE n.subject_id = ?)",
        vec![id.into()],
        DOING,
    )
    .await?;
    // Servers quote the address in their replies ("550 5.1.1 <erika@...>: unknown").
    exec(
        conn,
        "UPDATE send_attempt SET reply = NULL WHERE notification_id IN \
         (SELECT n.id FROM notification n WHERE n.subject_id = ?)",
        vec![id.into()],
        DOING,
    )
    .await?;
    let cases = "(SELECT c.id FROM followup_case c WHERE c.subject_id = ?)";
    let case_events = exec(
        conn,
        &format!("UPDATE case_event SET text = NULL WHERE case_id IN {cases}"),
        vec![id.into()],
        DOING,
    )
    .await?;
    let requests = exec(
        conn,
        &format!("UPDATE case_request SET text = NULL WHERE case_id IN {cases}"),
        vec![id.into()],
        DOING,
    )
    .await?;
    Ok(Erased {
        records,
        letters,
        case_events,
        requests,
    })
}

/// After the erasure has committed: rewrites the database so that no page, free or in the
/// write-ahead log, keeps the old bytes. SQLite: `VACUUM`, then a `TRUNCATE` checkpoint that
/// empties the WAL file; returns false when another process kept the checkpoint from
/// finishing. PostgreSQL: `VACUUM` of the tables concerned (old row versions become free
/// space; the server overwrites it as it reuses it — `VACUUM FULL` rewrites at once).
pub async fn scrub<C: ConnectionTrait>(conn: &C) -> Result<bool> {
    const DOING: &str = "rewriting the database after the erasure";
    let backend = conn.get_database_backend();
    if backend == DbBackend::Postgres {
        conn.execute_raw(Statement::from_string(
            backend,
            "VACUUM subject, subject_record, notification, notification_content, send_attempt, case_event, \
             case_request",
        ))
        .await
        .context(DOING)?;
        return Ok(true);
    }
    conn.execute_raw(Statement::from_string(backend, "VACUUM"))
        .await
        .context(DOING)?;
    let row = conn
        .query_one_raw(Statement::from_string(backend, "PRAGMA wal_checkpoint(TRUNCATE)"))
        .await
        .context(DOING)?;
    let busy = match row {
        Some(r) => r.try_get_by_index::<i64>(0).context(DOING)?,
        None => 0,
    };
    Ok(busy == 0)
}
