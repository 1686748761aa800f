//! A whole group of the sender's steps in one trip to SQLite: the attempts that ended, their
//! rows in `send_attempt`, and the letters about to start, as one transaction in one
//! multi-statement text whose data travel as two JSON arrays. The text never changes, so
//! SQLite prepares it once per run; the sender's one connection does nothing else in between.
//!
//! The same three statements as [`super::send::finish`] and [`super::send::start`] (which
//! PostgreSQL keeps: it takes one statement per trip).

use std::collections::HashSet;

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use serde_json::json;

use super::entities::notification::NotificationStatus;
use super::send::Finish;
use crate::error::{DbContext, Result};

/// ?1: the finished attempts; ?2: the worker; ?3: the new lease; ?4: the ids to start.
const STEPS: &str = "BEGIN IMMEDIATE; \
    UPDATE notification SET status = v.status, smtp_reply = COALESCE(v.reply, notification.smtp_reply), \
    last_error = v.error, sent_at = COALESCE(v.sent_at, notification.sent_at), next_attempt_at = v.next_at, \
    lease_worker = NULL, lease_until = NULL \
    FROM (SELECT value ->> 'id' AS id, value ->> 'status' AS status, value ->> 'reply' AS reply, \
    value ->> 'error' AS error, value ->> 'sent_at' AS sent_at, value ->> 'next_at' AS next_at \
    FROM json_each(?1)) AS v \
    WHERE notification.id = v.id AND ((notification.status = 'sending' AND notification.lease_worker = ?2) \
    OR notification.status = 'uncertain'); \
    INSERT INTO send_attempt (notification_id, worker, attempt, started_at, finished_at, outcome, reply) \
    SELECT value ->> 'id', ?2, value ->> 'attempt', value ->> 'started_at', value ->> 'finished_at', \
    value ->> 'status', COALESCE(value ->> 'reply', value ->> 'error') FROM json_each(?1); \
    UPDATE notification SET status = 'sending', attempts = attempts + 1, lease_worker = ?2, lease_until = ?3 \
    WHERE id IN (SELECT value FROM json_each(?4)) AND (lease_worker IS NULL OR lease_worker = ?2) \
    AND status IN ('pending', 'deferred') RETURNING id; \
    COMMIT";

/// Timestamps as sqlx writes them into SQLite, so that they compare with the others.
fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// Records `finishes` and starts `starts` (leased to `worker` until `lease_until`) in one
/// transaction; returns the letters started. `conn` must be one connection (a pool of one),
/// so that the rollback after a failure reaches the transaction it ends.
pub async fn write_sqlite<C: ConnectionTrait>(
    conn: &C,
    finishes: &[Finish],
    starts: &[i64],
    worker: &str,
    lease_until: Option<DateTime<Utc>>,
) -> Result<HashSet<i64>> {
    debug_assert_eq!(conn.get_database_backend(), DbBackend::Sqlite);
    let done: Vec<serde_json::Value> = finishes
        .iter()
        .map(|f| {
            let sent_at = (f.status == NotificationStatus::Sent).then(|| timestamp(f.finished_at));
            json!({
                "id": f.id,
                "status": f.status.as_str(),
                "reply": f.reply,
                "error": f.error,
                "sent_at": sent_at,
                "next_at": f.next_attempt_at.map(timestamp),
                "attempt": f.attempt,
                "started_at": timestamp(f.started_at),
                "finished_at": timestamp(f.finished_at),
            })
        })
        .collect();
    let values: Vec<Value> = vec![
        serde_json::Value::Array(done).to_string().into(),
        worker.into(),
        lease_until.into(),
        serde_json::Value::from(starts).to_string().into(),
    ];
    let stmt = Statement::from_sql_and_values(DbBackend::Sqlite, STEPS, values);
    match conn.query_all_raw(stmt).await {
        Ok(rows) => rows
            .iter()
            .map(|r| r.try_get::<i64>("", "id"))
            .collect::<std::result::Result<_, _>>()
            .context("starting letters"),
        Err(e) => {
            // A statement failed inside the transaction: end it (nothing to end when BEGIN
            // itself failed).
            let _ = conn.execute_unprepared("ROLLBACK").await;
            Err(e).context("recording letters' delivery")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A statement that fails inside the group ends the transaction it began: the same
    /// connection then writes the next group (without the rollback, SQLite would refuse it
    /// with "cannot start a transaction within a transaction").
    #[tokio::test]
    async fn a_failed_group_is_rolled_back_and_the_connection_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = crate::db::open(&url, true).await.unwrap();
        crate::db::migrate(&db).await.unwrap();
        let single = db.single(1024).await.unwrap();
        let now = Utc::now();
        // An attempt of a letter that does not exist: its `send_attempt` row breaks the
        // foreign key.
        let ghost = Finish {
            id: 999,
            status: NotificationStatus::Sent,
            reply: Some("250 ok".into()),
            error: None,
            next_attempt_at: None,
            attempt: 1,
            started_at: now,
            finished_at: now,
        };
        let failed = write_sqlite(&single.conn, &[ghost], &[], "w", None).await;
        assert!(failed.is_err(), "{failed:?}");
        let attempts = single
            .conn
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT COUNT(*) AS n FROM send_attempt",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        assert_eq!(attempts, 0);
        let next = write_sqlite(&single.conn, &[], &[1, 2], "w", Some(now))
            .await
            .unwrap();
        assert!(next.is_empty(), "no letter exists to start: {next:?}");
    }
}
