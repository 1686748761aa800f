//! The sender's SQL: workers, claiming letters under a lease (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL, so that several workers take disjoint letters), starting and finishing them,
//! reclaiming the letters of a worker that died, and the counts `send status` shows.
//!
//! A claimed letter keeps its status (pending or deferred) and only carries the worker's
//! lease: if the worker dies before starting it, the lease runs out and anyone may take it.
//! Only a letter actually being handed to the server is `sending`, at most one per
//! connection; those are the only ones that can end up uncertain.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Value};

use super::entities::notification::NotificationStatus;
pub use super::send_kinds::{AFFECTED, KindFilter, initial_sent};
use crate::error::{DbContext, Result};

use super::letter_pack::{self, Dictionaries};
use super::sql::stmt;

/// A letter claimed for sending: what the message is built from.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: i64,
    pub subject_id: i64,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub message_id: String,
    /// Attempts made before this one.
    pub attempts: i32,
}

/// A sender process.
#[derive(Debug, Clone)]
pub struct WorkerRow {
    pub id: String,
    pub incident_id: i64,
    pub host: String,
    pub pid: i64,
    pub transport: String,
}

pub async fn register_worker<C: ConnectionTrait>(conn: &C, w: &WorkerRow, now: DateTime<Utc>) -> Result<()> {
    let b = conn.get_database_backend();
    conn.execute_raw(stmt(
        b,
        "INSERT INTO send_worker (id, incident_id, host, pid, transport, started_at, heartbeat_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        vec![
            w.id.clone().into(),
            w.incident_id.into(),
            w.host.clone().into(),
            w.pid.into(),
            w.transport.clone().into(),
            now.into(),
            now.into(),
        ],
    ))
    .await
    .context("registering the sender")?;
    Ok(())
}

/// Renews the worker's heartbeat and the leases on every letter it holds.
pub async fn renew<C: ConnectionTrait>(
    conn: &C,
    worker: &str,
    lease_until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    let b = conn.get_database_backend();
    conn.execute_raw(stmt(
        b,
        "UPDATE send_worker SET heartbeat_at = ? WHERE id = ?",
        vec![now.into(), worker.into()],
    ))
    .await
    .context("renewing the sender's heartbeat")?;
    conn.execute_raw(stmt(
        b,
        "UPDATE notification SET lease_until = ? WHERE lease_worker = ?",
        vec![lease_until.into(), worker.into()],
    ))
    .await
    .context("renewing the sender's leases")?;
    Ok(())
}

/// Gives back the letters the worker claimed but did not start, and marks it stopped.
pub async fn release<C: ConnectionTrait>(conn: &C, worker: &str, now: DateTime<Utc>) -> Result<u64> {
    let b = conn.get_database_backend();
    let done = conn
        .execute_raw(stmt(
            b,
            "UPDATE notification SET lease_worker = NULL, lease_until = NULL \
             WHERE lease_worker = ? AND status IN ('pending', 'deferred')",
            vec![worker.into()],
        ))
        .await
        .context("releasing claimed letters")?;
    conn.execute_raw(stmt(
        b,
        "UPDATE send_worker SET stopped_at = ?, heartbeat_at = ? WHERE id = ?",
        vec![now.into(), now.into(), worker.into()],
    ))
    .await
    .context("stopping the sender")?;
    Ok(done.rows_affected())
}

/// Letters left `sending` by a worker that is gone become `uncertain`, with an attempt
/// recorded: all of the incident's (`everyone`, when no other sender can be alive) or those
/// whose lease ran out. Returns their ids.
pub async fn reclaim<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    everyone: bool,
    worker: &str,
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    let b = conn.get_database_backend();
    // A letter in flight always holds its worker's lease: the small lease index finds them.
    let condition = if everyone {
        "lease_worker IS NOT NULL AND incident_id = ? AND status = 'sending'"
    } else {
        "lease_worker IS NOT NULL AND incident_id = ? AND status = 'sending' AND lease_until < ?"
    };
    let mut values: Vec<Value> = vec![incident_id.into()];
    if !everyone {
        values.push(now.into());
    }
    let rows = conn
        .query_all_raw(stmt(
            b,
            &format!("SELECT id, attempts, lease_worker FROM notification WHERE {condition}"),
            values,
        ))
        .await
        .context("looking for letters left in flight")?;
    let mut ids = Vec::with_capacity(rows.len());
    for r in rows {
        let id: i64 = r.try_get("", "id").context("reading the outbox")?;
        let attempts: i32 = r.try_get("", "attempts").context("reading the outbox")?;
        let dead: Option<String> = r.try_get("", "lease_worker").context("reading the outbox")?;
        let reason =
            "the sender stopped while this letter was being handed to the server: it may have been sent";
        let done = conn
            .execute_raw(stmt(
                b,
                "UPDATE notification SET status = 'uncertain', last_error = ?, lease_worker = NULL, \
                 lease_until = NULL WHERE id = ? AND status = 'sending'",
                vec![reason.into(), id.into()],
            ))
            .await
            .context("marking a letter uncertain")?;
        if done.rows_affected() == 1 {
            insert_attempts(
                conn,
                &[Attempt {
                    notification_id: id,
                    worker: dead.unwrap_or_else(|| worker.to_string()),
                    attempt: attempts,
                    started_at: now,
                    finished_at: now,
                    outcome: NotificationStatus::Uncertain,
                    reply: Some(reason.to_string()),
                }],
            )
            .await?;
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Claims up to `limit` email letters of the incident that are due, of the kinds the run
/// sends, and not held by a live lease, pending ones with an id above `after` first (a range
/// scan of `ix_notification_pending`), then deferred ones that have come due. On PostgreSQL
/// concurrent workers skip each other's rows instead of waiting.
#[allow(clippy::too_many_arguments)]
pub async fn claim<C: ConnectionTrait>(
    conn: &C,
    (incident_id, kinds): (i64, KindFilter),
    worker: &str,
    lease_until: DateTime<Utc>,
    now: DateTime<Utc>,
    after: i64,
    limit: u64,
    dicts: &mut Dictionaries,
) -> Result<Vec<Outgoing>> {
    let b = conn.get_database_backend();
    let lock = if b == DbBackend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let body = letter_pack::columns("c");
    let which = kinds.condition();
    let mut found = Vec::new();
    let candidates = [
        "status = 'pending' AND id > ? ORDER BY id",
        "status = 'deferred' AND next_attempt_at <= ? ORDER BY next_attempt_at",
    ];
    for (k, candidate) in candidates.iter().enumerate() {
        let want = limit.saturating_sub(found.len() as u64);
        if want == 0 {
            break;
        }
        let bound: Value = if k == 0 { after.into() } else { now.into() };
        // On SQLite one sender holds the incident (a file lock): it reads without leasing, and
        // each letter's row is rewritten twice (start, finish) rather than three times.
        let (sql, values) = if b == DbBackend::Sqlite {
            (
                format!(
                    "SELECT id, subject_id, recipient, c.subject, {body}, message_id, attempts \
                     FROM notification JOIN notification_content c ON c.notification_id = id \
                     WHERE incident_id = ? AND channel = 'email' \
                     AND (lease_worker IS NULL OR lease_until < ?) AND {which} AND {candidate} LIMIT ?"
                ),
                vec![incident_id.into(), now.into(), bound, (want as i64).into()],
            )
        } else {
            (
                format!(
                    "WITH claimed AS (UPDATE notification SET lease_worker = ?, lease_until = ? WHERE id IN (\
                     SELECT id FROM notification WHERE incident_id = ? AND channel = 'email' \
                     AND (lease_worker IS NULL OR lease_until < ?) AND {which} AND {candidate} LIMIT ?{lock}) \
                     RETURNING id, subject_id, recipient, message_id, attempts) \
                     SELECT k.id, k.subject_id, k.recipient, c.subject, {body}, k.message_id, \
                     k.attempts FROM claimed k JOIN notification_content c ON c.notification_id = k.id"
                ),
                vec![
                    worker.into(),
                    lease_until.into(),
                    incident_id.into(),
                    now.into(),
                    bound,
                    (want as i64).into(),
                ],
            )
        };
        let rows = conn
            .query_all_raw(stmt(b, &sql, values))
            .await
            .context("claiming letters to send")?;
        found.extend(rows);
    }
    let bodies = letter_pack::bodies(conn, dicts, &found).await?;
    let mut out = found
        .iter()
        .zip(bodies)
        .map(|(r, body)| outgoing(r, body))
        .collect::<std::result::Result<Vec<_>, _>>()
        .context("claiming letters to send")?;
    out.sort_by_key(|o| o.id);
    Ok(out)
}

fn outgoing(
    r: &sea_orm::QueryResult,
    (body_text, body_html): (String, String),
) -> std::result::Result<Outgoing, sea_orm::DbErr> {
    Ok(Outgoing {
        id: r.try_get("", "id")?,
        subject_id: r.try_get("", "subject_id")?,
        recipient: r.try_get("", "recipient")?,
        subject: r.try_get("", "subject")?,
        body_text,
        body_html,
        message_id: r.try_get("", "message_id")?,
        attempts: r.try_get("", "attempts")?,
    })
}

/// Marks claimed letters `sending` (one more attempt each) just before they are handed to
/// the server; returns those that were started. A letter is left out when the worker no
/// longer holds it (its lease ran out and another worker took it).
pub async fn start<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
    worker: &str,
    lease_until: DateTime<Utc>,
) -> Result<HashSet<i64>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let b = conn.get_database_backend();
    // PostgreSQL: the claim leased it to this worker. SQLite: the claim only read it.
    let held = if b == DbBackend::Postgres {
        "lease_worker = ?"
    } else {
        "(lease_worker IS NULL OR lease_worker = ?)"
    };
    let list = vec!["?"; ids.len()].join(",");
    let mut values: Vec<Value> = vec![worker.into(), lease_until.into()];
    values.extend(ids.iter().map(|&id| Value::from(id)));
    values.push(worker.into());
    let rows = conn
        .query_all_raw(stmt(
            b,
            &format!(
                "UPDATE notification SET status = 'sending', attempts = attempts + 1, lease_worker = ?, \
                 lease_until = ? WHERE id IN ({list}) AND {held} AND status IN ('pending', 'deferred') \
                 RETURNING id"
            ),
            values,
        ))
        .await
        .context("starting letters")?;
    rows.iter()
        .map(|r| r.try_get::<i64>("", "id"))
        .collect::<std::result::Result<_, _>>()
        .context("starting letters")
}

/// The end of one attempt.
#[derive(Debug, Clone)]
pub struct Finish {
    pub id: i64,
    pub status: NotificationStatus,
    /// The server's reply.
    pub reply: Option<String>,
    /// Why the letter is not sent (deferred, failed, uncertain).
    pub error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub attempt: i32,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
}

/// Records the ends of attempts, all in one statement. A letter another worker marked
/// uncertain meanwhile (this worker's lease ran out mid-send) still takes what this worker knows.
pub async fn finish<C: ConnectionTrait>(conn: &C, done: &[Finish], worker: &str) -> Result<()> {
    if done.is_empty() {
        return Ok(());
    }
    let b = conn.get_database_backend();
    let rows = vec!["(?, ?, ?, ?, ?, ?)"; done.len()].join(", ");
    let mut values: Vec<Value> = Vec::with_capacity(done.len() * 6 + 1);
    for f in done {
        let sent_at = (f.status == NotificationStatus::Sent).then_some(f.finished_at);
        values.extend([
            f.id.into(),
            f.status.as_str().into(),
            f.reply.clone().into(),
            f.error.clone().into(),
            sent_at.into(),
            f.next_attempt_at.into(),
        ]);
    }
    values.push(worker.into());
    conn.execute_raw(stmt(
        b,
        &format!(
            "WITH v (id, status, reply, error, sent_at, next_at) AS (VALUES {rows}) \
             UPDATE notification SET status = v.status, smtp_reply = COALESCE(v.reply, notification.smtp_reply), \
             last_error = v.error, sent_at = COALESCE(v.sent_at, notification.sent_at), next_attempt_at = v.next_at, \
             lease_worker = NULL, lease_until = NULL FROM v WHERE notification.id = v.id \
             AND ((notification.status = 'sending' AND notification.lease_worker = ?) \
             OR notification.status = 'uncertain')"
        ),
        values,
    ))
    .await
    .context("recording letters' delivery")?;
    let attempts: Vec<Attempt> = done
        .iter()
        .map(|f| Attempt {
            notification_id: f.id,
            worker: worker.to_string(),
            attempt: f.attempt,
            started_at: f.started_at,
            finished_at: f.finished_at,
            outcome: f.status,
            reply: f.reply.clone().or_else(|| f.error.clone()),
        })
        .collect();
    insert_attempts(conn, &attempts).await
}

struct Attempt {
    notification_id: i64,
    worker: String,
    attempt: i32,
    started_at: DateTime<Utc>,
    finished_at: DateTime<Utc>,
    outcome: NotificationStatus,
    reply: Option<String>,
}

async fn insert_attempts<C: ConnectionTrait>(conn: &C, attempts: &[Attempt]) -> Result<()> {
    if attempts.is_empty() {
        return Ok(());
    }
    let b = conn.get_database_backend();
    let rows = vec!["(?, ?, ?, ?, ?, ?, ?)"; attempts.len()].join(", ");
    let mut values: Vec<Value> = Vec::with_capacity(attempts.len() * 7);
    for a in attempts {
        values.extend([
            a.notification_id.into(),
            a.worker.clone().into(),
            a.attempt.into(),
            a.started_at.into(),
            a.finished_at.into(),
            a.outcome.as_str().into(),
            a.reply.clone().into(),
        ]);
    }
    conn.execute_raw(stmt(
        b,
        &format!(
            "INSERT INTO send_attempt (notification_id, worker, attempt, started_at, finished_at, outcome, \
             reply) VALUES {rows}"
        ),
        values,
    ))
    .await
    .context("recording delivery attempts")?;
    Ok(())
}
