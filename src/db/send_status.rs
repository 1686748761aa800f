//! What `send status`, `send settle` and `send bounces` read and write: counts per state,
//! replies grouped, the rate, uncertain letters, live workers.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult, Value};

use super::send::{AFFECTED, KindFilter, initial_sent};
use super::sql::stmt;
use crate::error::{DbContext, Result};

async fn all<C: ConnectionTrait>(
    conn: &C,
    sql: &str,
    values: Vec<Value>,
    doing: &str,
) -> Result<Vec<QueryResult>> {
    conn.query_all_raw(stmt(conn.get_database_backend(), sql, values))
        .await
        .context(doing)
}

fn get<T: sea_orm::TryGetable>(r: &QueryResult, col: &str) -> Result<T> {
    r.try_get("", col).context("reading the outbox")
}

/// Email letters due now, deferred for later, and uncertain; and the unsent letters of
/// each kind, of people currently affected.
#[derive(Debug, Clone, Default)]
pub struct Due {
    /// Of the kinds asked for.
    pub due: u64,
    pub later: u64,
    pub uncertain: u64,
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Initial letters not yet sent (pending or deferred).
    pub initial_open: u64,
    /// Update letters not yet sent.
    pub update_open: u64,
    /// Of those, the ones whose person has not been sent the initial letter.
    pub update_held: u64,
}

pub async fn due<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    now: DateTime<Utc>,
    kinds: KindFilter,
) -> Result<Due> {
    let which = kinds.condition();
    let affected = AFFECTED;
    let open = "status IN ('pending', 'deferred')";
    let told = initial_sent("notification");
    let rows = all(
        conn,
        &format!(
            "SELECT \
               SUM(CASE WHEN (status = 'pending' OR (status = 'deferred' AND next_attempt_at <= ?)) AND {which} \
                 THEN 1 ELSE 0 END) AS due, \
               SUM(CASE WHEN status = 'deferred' AND next_attempt_at > ? AND {which} THEN 1 ELSE 0 END) AS later, \
               SUM(CASE WHEN status = 'uncertain' THEN 1 ELSE 0 END) AS uncertain, \
               SUM(CASE WHEN {open} AND kind = 'initial' AND {affected} THEN 1 ELSE 0 END) AS initial_open, \
               SUM(CASE WHEN {open} AND kind = 'update' AND {affected} THEN 1 ELSE 0 END) AS update_open, \
               SUM(CASE WHEN {open} AND kind = 'update' AND NOT {told} AND {affected} THEN 1 ELSE 0 END) \
                 AS update_held \
             FROM notification WHERE incident_id = ? AND channel = 'email'"
        ),
        vec![now.into(), now.into(), incident_id.into()],
        "counting letters due",
    )
    .await?;
    let mut d = Due::default();
    if let Some(r) = rows.first() {
        let n = |col: &str| -> Result<u64> { Ok(get::<Option<i64>>(r, col)?.unwrap_or(0).max(0) as u64) };
        d.due = n("due")?;
        d.later = n("later")?;
        d.uncertain = n("uncertain")?;
        d.initial_open = n("initial_open")?;
        d.update_open = n("update_open")?;
        d.update_held = n("update_held")?;
    }
    d.next_attempt_at = next_due(conn, incident_id, kinds).await?;
    Ok(d)
}

/// When the next deferred email letter of `kinds` comes due.
pub async fn next_due<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    kinds: KindFilter,
) -> Result<Option<DateTime<Utc>>> {
    let rows = all(
        conn,
        &format!(
            "SELECT next_attempt_at FROM notification WHERE incident_id = ? AND channel = 'email' \
             AND status = 'deferred' AND {} ORDER BY next_attempt_at LIMIT 1",
            kinds.condition()
        ),
        vec![incident_id.into()],
        "looking for deferred letters",
    )
    .await?;
    match rows.first() {
        Some(r) => get::<Option<DateTime<Utc>>>(r, "next_attempt_at"),
        None => Ok(None),
    }
}

/// Marks the incident's other workers stopped (on SQLite, where the lock proves them dead).
pub async fn stop_dead_workers<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    me: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute_raw(stmt(
        conn.get_database_backend(),
        "UPDATE send_worker SET stopped_at = ? WHERE incident_id = ? AND id <> ? AND stopped_at IS NULL",
        vec![now.into(), incident_id.into(), me.into()],
    ))
    .await
    .context("closing the records of stopped senders")?;
    Ok(())
}

/// Letters per channel and state.
pub async fn counts<C: ConnectionTrait>(conn: &C, incident_id: i64) -> Result<Vec<(String, String, i64)>> {
    let rows = all(
        conn,
        "SELECT channel, status, COUNT(*) AS n FROM notification WHERE incident_id = ? \
         GROUP BY channel, status ORDER BY channel, status",
        vec![incident_id.into()],
        "counting letters",
    )
    .await?;
    rows.iter()
        .map(|r| Ok((get(r, "channel")?, get(r, "status")?, get(r, "n")?)))
        .collect()
}

/// The most frequent replies and errors of letters not sent, by state: (status, text, count).
pub async fn replies<C: ConnectionTrait>(conn: &C, incident_id: i64) -> Result<Vec<(String, String, i64)>> {
    let rows = all(
        conn,
        "SELECT status, COALESCE(last_error, smtp_reply, '') AS reply, COUNT(*) AS n FROM notification \
         WHERE incident_id = ? AND status IN ('deferred', 'failed', 'uncertain', 'bounced') \
         GROUP BY status, COALESCE(last_error, smtp_reply, '') ORDER BY n DESC LIMIT 500",
        vec![incident_id.into()],
        "grouping replies",
    )
    .await?;
    rows.iter()
        .map(|r| Ok((get(r, "status")?, get(r, "reply")?, get(r, "n")?)))
        .collect()
}

/// Letters sent since `since`, and the first and last sending times.
pub async fn sent_times<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    since: DateTime<Utc>,
) -> Result<(i64, Option<DateTime<Utc>>, Option<DateTime<Utc>>)> {
    let rows = all(
        conn,
        "SELECT SUM(CASE WHEN sent_at >= ? THEN 1 ELSE 0 END) AS recent, MIN(sent_at) AS first, \
         MAX(sent_at) AS last FROM notification WHERE incident_id = ? AND sent_at IS NOT NULL",
        vec![since.into(), incident_id.into()],
        "reading sending times",
    )
    .await?;
    match rows.first() {
        Some(r) => Ok((
            get::<Option<i64>>(r, "recent")?.unwrap_or(0),
            get(r, "first")?,
            get(r, "last")?,
        )),
        None => Ok((0, None, None)),
    }
}

/// An uncertain letter, by ids only.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UncertainLetter {
    pub notification_id: i64,
    pub subject_id: i64,
    pub message_id: String,
    pub attempts: i32,
    pub reason: Option<String>,
}

pub async fn uncertain<C: ConnectionTrait>(conn: &C, incident_id: i64) -> Result<Vec<UncertainLetter>> {
    let rows = all(
        conn,
        "SELECT id, subject_id, message_id, attempts, last_error FROM notification \
         WHERE incident_id = ? AND status = 'uncertain' ORDER BY id",
        vec![incident_id.into()],
        "listing uncertain letters",
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(UncertainLetter {
                notification_id: get(r, "id")?,
                subject_id: get(r, "subject_id")?,
                message_id: get(r, "message_id")?,
                attempts: get(r, "attempts")?,
                reason: get(r, "last_error")?,
            })
        })
        .collect()
}

/// A sender working on the incident.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LiveWorker {
    pub id: String,
    pub host: String,
    pub pid: i64,
    pub transport: String,
    pub started_at: DateTime<Utc>,
    pub heartbeat_at: DateTime<Utc>,
}

/// Senders not stopped whose heartbeat is newer than `since`.
pub async fn live_workers<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    since: DateTime<Utc>,
) -> Result<Vec<LiveWorker>> {
    let rows = all(
        conn,
        "SELECT id, host, pid, transport, started_at, heartbeat_at FROM send_worker \
         WHERE incident_id = ? AND stopped_at IS NULL AND heartbeat_at >= ? ORDER BY started_at",
        vec![incident_id.into(), since.into()],
        "listing senders",
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LiveWorker {
                id: get(r, "id")?,
                host: get(r, "host")?,
                pid: get(r, "pid")?,
                transport: get(r, "transport")?,
                started_at: get(r, "started_at")?,
                heartbeat_at: get(r, "heartbeat_at")?,
            })
        })
        .collect()
}

/// Settles the incident's uncertain letters: back to pending (`resend`) or sent. Returns the
/// ids settled.
pub async fn settle<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    resend: bool,
    note: &str,
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    let ids: Vec<i64> = uncertain(conn, incident_id)
        .await?
        .into_iter()
        .map(|u| u.notification_id)
        .collect();
    let sql = if resend {
        "UPDATE notification SET status = 'pending', next_attempt_at = NULL, last_error = ?, lease_worker = NULL, \
         lease_until = NULL WHERE incident_id = ? AND status = 'uncertain'"
    } else {
        "UPDATE notification SET status = 'sent', last_error = ?, lease_worker = NULL, lease_until = NULL, \
         sent_at = COALESCE(sent_at, ?) WHERE incident_id = ? AND status = 'uncertain'"
    };
    let values: Vec<Value> = if resend {
        vec![note.into(), incident_id.into()]
    } else {
        vec![note.into(), now.into(), incident_id.into()]
    };
    conn.execute_raw(stmt(conn.get_database_backend(), sql, values))
        .await
        .context("settling uncertain letters")?;
    Ok(ids)
}

/// The letter with this Message-ID (angle brackets optional): (id, incident id, status).
pub async fn by_message_id<C: ConnectionTrait>(
    conn: &C,
    message_id: &str,
) -> Result<Option<(i64, i64, String)>> {
    let bare = message_id.trim().trim_start_matches('<').trim_end_matches('>');
    let rows = all(
        conn,
        "SELECT id, incident_id, status FROM notification WHERE message_id = ?",
        vec![format!("<{bare}>").into()],
        "looking up a Message-ID",
    )
    .await?;
    match rows.first() {
        Some(r) => Ok(Some((get(r, "id")?, get(r, "incident_id")?, get(r, "status")?))),
        None => Ok(None),
    }
}

/// The incident's email letter to this address (the latest), when the bounce names no
/// Message-ID: (id, status).
pub async fn by_recipient<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    address: &str,
) -> Result<Option<(i64, String)>> {
    let rows = all(
        conn,
        "SELECT id, status FROM notification WHERE incident_id = ? AND channel = 'email' \
         AND status <> 'withdrawn' AND LOWER(recipient) = LOWER(?) ORDER BY id DESC LIMIT 1",
        vec![incident_id.into(), address.trim().into()],
        "looking up a recipient",
    )
    .await?;
    match rows.first() {
        Some(r) => Ok(Some((get(r, "id")?, get(r, "status")?))),
        None => Ok(None),
    }
}

/// Marks a sent (or uncertain) letter bounced with the DSN's status and diagnostic.
pub async fn mark_bounced<C: ConnectionTrait>(conn: &C, id: i64, reply: &str) -> Result<bool> {
    let done = conn
        .execute_raw(stmt(
            conn.get_database_backend(),
            "UPDATE notification SET status = 'bounced', smtp_reply = ?, last_error = ? \
             WHERE id = ? AND status IN ('sent', 'uncertain', 'sending')",
            vec![reply.into(), reply.into(), id.into()],
        ))
        .await
        .context("marking a letter bounced")?;
    Ok(done.rows_affected() == 1)
}
