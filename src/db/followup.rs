//! The follow-up tables' set-based SQL: opening cases from an incident's affected subjects,
//! moving cases on delivery results, and finding the case a person, a code or an address
//! names. Listings and statistics are in `followup_queries.rs`.
//!
//! Statements are written with `?` placeholders and numbered (`$1`, `$2`, ...) for PostgreSQL
//! by [`stmt`].

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Value};

use super::entities::case_event::EventKind;
use super::entities::followup_case::CaseStatus;
use super::entities::notification::NotificationStatus;
use crate::error::{DbContext, Result};

pub use super::sql::stmt;

/// A status as an SQL string literal (the enum's own text; never user input).
pub fn lit(s: CaseStatus) -> String {
    format!("'{}'", s.as_str())
}

fn nlit(s: NotificationStatus) -> String {
    format!("'{}'", s.as_str())
}

/// Runs `sql` and returns the rows it changed.
pub async fn exec<C: ConnectionTrait>(conn: &C, sql: &str, values: Vec<Value>, doing: &str) -> Result<u64> {
    let done = conn
        .execute_raw(stmt(conn.get_database_backend(), sql, values))
        .await
        .context(doing)?;
    Ok(done.rows_affected())
}

/// One number (`SELECT ... AS n`).
pub async fn count<C: ConnectionTrait>(conn: &C, sql: &str, values: Vec<Value>, doing: &str) -> Result<i64> {
    let row = conn
        .query_one_raw(stmt(conn.get_database_backend(), sql, values))
        .await
        .context(doing)?;
    match row {
        Some(r) => Ok(r.try_get::<Option<i64>>("", "n").context(doing)?.unwrap_or(0)),
        None => Ok(0),
    }
}

/// What opening cases after a resolution changed.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct CaseCounts {
    /// New cases, one per newly affected person.
    pub cases_opened: u64,
    /// Cases of people the re-resolution took out of scope (kept, marked out of scope).
    pub cases_out_of_scope: u64,
    /// Cases of people back in scope.
    pub cases_back_in_scope: u64,
}

/// Opens a case for every affected subject of the incident that has none, and marks the cases
/// of people no longer (or again) affected; in `conn`, the resolution's transaction, which holds
/// the audit lock (so no other writer opens a case in between).
///
/// `added` and `removed` are what the resolution changed: cases move in or out of scope only
/// with the people the resolution added or removed (only the resolution writes
/// `affected_subject`, and this function always follows it), so the scans for moves are
/// skipped when there are none.
pub async fn open_cases<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    actor: &str,
    now: DateTime<Utc>,
    added: i64,
    removed: i64,
) -> Result<CaseCounts> {
    const DOING: &str = "opening follow-up cases";
    let cases_opened = exec(
        conn,
        &format!(
            "INSERT INTO followup_case (incident_id, subject_id, status, in_scope, opened_at, opened_by, updated_at) \
             SELECT a.incident_id, a.subject_id, {}, true, ?, ?, ? FROM affected_subject a WHERE a.incident_id = ? \
             AND NOT EXISTS (SELECT 1 FROM followup_case f WHERE f.incident_id = a.incident_id \
             AND f.subject_id = a.subject_id)",
            lit(CaseStatus::Open)
        ),
        vec![now.into(), actor.into(), now.into(), incident_id.into()],
        DOING,
    )
    .await?;
    if cases_opened > 0 && removed > 0 && conn.get_database_backend() == DbBackend::Postgres {
        // Fresh statistics after an insert, so that the scans for people who left hash-join.
        exec(conn, "ANALYZE followup_case", vec![], DOING).await?;
    }
    let affected = "EXISTS (SELECT 1 FROM affected_subject a WHERE a.incident_id = followup_case.incident_id \
                    AND a.subject_id = followup_case.subject_id)";
    let mut moved = [0_u64; 2];
    for (i, (now_in, cond, text)) in [
        (
            false,
            format!("followup_case.in_scope AND NOT {affected}"),
            "left the incident's scope on a re-resolution",
        ),
        (
            true,
            format!("NOT followup_case.in_scope AND {affected}"),
            "back in the incident's scope on a re-resolution",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        if [removed, added][i] == 0 {
            continue;
        }
        exec(
            conn,
            &format!(
                "INSERT INTO case_event (case_id, at, actor, kind, text) SELECT followup_case.id, ?, ?, '{}', ? \
                 FROM followup_case WHERE followup_case.incident_id = ? AND {cond}",
                EventKind::Scope.as_str()
            ),
            vec![now.into(), actor.into(), text.into(), incident_id.into()],
            DOING,
        )
        .await?;
        moved[i] = exec(
            conn,
            &format!(
                "UPDATE followup_case SET in_scope = {now_in}, updated_at = ? WHERE followup_case.incident_id = ? AND {cond}"
            ),
            vec![now.into(), incident_id.into()],
            DOING,
        )
        .await?;
    }
    Ok(CaseCounts {
        cases_opened,
        cases_out_of_scope: moved[0],
        cases_back_in_scope: moved[1],
    })
}

/// Cases per statement when delivery results move them.
const CASES_PER_STATEMENT: i64 = 20_000;

/// The delivery rules, as conditions on `followup_case` (bound value: the incident id).
fn delivered_cond() -> String {
    format!(
        "followup_case.incident_id = ? AND followup_case.status IN ({}, {}) AND EXISTS (SELECT 1 FROM notification n \
         WHERE n.incident_id = followup_case.incident_id AND n.subject_id = followup_case.subject_id AND n.status = {})",
        lit(CaseStatus::Open),
        lit(CaseStatus::Unreachable),
        nlit(NotificationStatus::Sent)
    )
}

fn unreachable_cond() -> String {
    let same = "n.incident_id = followup_case.incident_id AND n.subject_id = followup_case.subject_id";
    format!(
        "followup_case.incident_id = ? AND followup_case.status IN ({}, {}) \
         AND EXISTS (SELECT 1 FROM notification n WHERE {same} AND n.status <> {withdrawn}) \
         AND NOT EXISTS (SELECT 1 FROM notification n WHERE {same} AND n.status NOT IN ({}, {}, {withdrawn}))",
        lit(CaseStatus::Open),
        lit(CaseStatus::Contacted),
        nlit(NotificationStatus::Bounced),
        nlit(NotificationStatus::Failed),
        withdrawn = nlit(NotificationStatus::Withdrawn)
    )
}

/// Whether [`apply_deliveries`] would change anything: a read, so that listings take the
/// write lock only when there is work.
pub async fn deliveries_due<C: ConnectionTrait>(conn: &C, incident_id: i64) -> Result<bool> {
    let n = count(
        conn,
        &format!(
            "SELECT CAST(CASE WHEN EXISTS (SELECT 1 FROM followup_case WHERE {}) \
             OR EXISTS (SELECT 1 FROM followup_case WHERE {}) THEN 1 ELSE 0 END AS BIGINT) AS n",
            delivered_cond(),
            unreachable_cond()
        ),
        vec![incident_id.into(), incident_id.into()],
        "reading delivery results",
    )
    .await?;
    Ok(n > 0)
}

/// Moves cases on delivery results, set-based: to `contacted` where a letter was sent, to
/// `unreachable` where every letter bounced or failed. Returns (contacted, unreachable).
pub async fn apply_deliveries<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(u64, u64)> {
    const DOING: &str = "updating cases from delivery results";
    let mut counts = [0_u64; 2];
    // In slices of cases: SQLite keeps what one statement changes (to undo it alone if it
    // fails) in memory, which for every case of a large breach at once would be hundreds of
    // megabytes.
    let range = conn
        .query_one_raw(stmt(
            conn.get_database_backend(),
            "SELECT MIN(id) AS first, MAX(id) AS last FROM followup_case WHERE incident_id = ?",
            vec![incident_id.into()],
        ))
        .await
        .context(DOING)?;
    let (first, last) = match range {
        Some(r) => (
            r.try_get::<Option<i64>>("", "first").context(DOING)?.unwrap_or(0),
            r.try_get::<Option<i64>>("", "last").context(DOING)?.unwrap_or(0),
        ),
        None => (0, 0),
    };
    let mut from = first - 1;
    while from < last {
        let to = from + CASES_PER_STATEMENT;
        for (i, (cond, to_status, text)) in [
            (
                delivered_cond(),
                CaseStatus::Contacted,
                format!(
                    "(SELECT MIN(n.channel) FROM notification n WHERE n.incident_id = followup_case.incident_id \
                     AND n.subject_id = followup_case.subject_id AND n.status = {}) || ' letter sent'",
                    nlit(NotificationStatus::Sent)
                ),
            ),
            (
                unreachable_cond(),
                CaseStatus::Unreachable,
                "'every letter bounced or failed'".to_string(),
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let cond = format!("{cond} AND followup_case.id > ? AND followup_case.id <= ?");
            let bound = || vec![incident_id.into(), from.into(), to.into()];
            exec(
                conn,
                &format!(
                    "INSERT INTO case_event (case_id, at, actor, kind, from_status, to_status, text) \
                     SELECT followup_case.id, ?, ?, '{}', followup_case.status, {}, {text} FROM followup_case \
                     WHERE {cond}",
                    EventKind::Delivery.as_str(),
                    lit(to_status)
                ),
                [vec![now.into(), actor.into()], bound()].concat(),
                DOING,
            )
            .await?;
            counts[i] += exec(
                conn,
                &format!(
                    "UPDATE followup_case SET status = {}, updated_at = ? WHERE {cond}",
                    lit(to_status)
                ),
                [vec![now.into()], bound()].concat(),
                DOING,
            )
            .await?;
        }
        from = to;
    }
    Ok((counts[0], counts[1]))
}

/// The case of the person with this email address (identity key or stored address, any case).
pub async fn case_by_email<C: ConnectionTrait>(conn: &C, incident_id: i64, key: &str) -> Result<Option<i64>> {
    let row = conn
        .query_one_raw(stmt(
            conn.get_database_backend(),
            "SELECT c.id AS n FROM followup_case c JOIN subject s ON s.id = c.subject_id \
             WHERE c.incident_id = ? AND (s.subject_key = ? OR LOWER(s.email) = ?) ORDER BY c.id LIMIT 1",
            vec![incident_id.into(), format!("e:{key}").into(), key.into()],
        ))
        .await
        .context("finding the person")?;
    row.map(|r| r.try_get::<i64>("", "n"))
        .transpose()
        .context("finding the person")
}

/// The case a letter (by verification code or Message-ID) of this incident belongs to.
pub async fn case_by_letter<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    column: LetterKey,
    values: &[String],
) -> Result<Option<i64>> {
    if values.is_empty() {
        return Ok(None);
    }
    let marks = vec!["?"; values.len()].join(", ");
    let column = match column {
        LetterKey::VerificationCode => "verification_code",
        LetterKey::MessageId => "message_id",
    };
    let mut bound: Vec<Value> = vec![incident_id.into()];
    bound.extend(values.iter().map(|v| Value::from(v.clone())));
    let row = conn
        .query_one_raw(stmt(
            conn.get_database_backend(),
            &format!(
                "SELECT c.id AS n FROM notification l JOIN followup_case c ON c.incident_id = l.incident_id \
                 AND c.subject_id = l.subject_id WHERE l.incident_id = ? AND l.{column} IN ({marks}) ORDER BY c.id LIMIT 1"
            ),
            bound,
        ))
        .await
        .context("finding the letter")?;
    row.map(|r| r.try_get::<i64>("", "n"))
        .transpose()
        .context("finding the letter")
}

/// Which letter column a look-up uses.
#[derive(Debug, Clone, Copy)]
pub enum LetterKey {
    VerificationCode,
    MessageId,
}

/// Which cases `followup assign` gives to someone.
#[derive(Debug, Clone, Default)]
pub struct AssignTarget {
    pub status: Option<CaseStatus>,
    /// These cases (ids) only.
    pub case_ids: Option<Vec<i64>>,
    /// At most this many, taken from the unassigned ones in subject order (without `case_ids`).
    pub limit: Option<u64>,
}

/// Assigns the incident's in-scope, not closed cases that `target` selects to `to`; returns
/// how many.
pub async fn assign<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    to: &str,
    target: &AssignTarget,
    now: DateTime<Utc>,
) -> Result<u64> {
    let mut cond = format!(
        "c.incident_id = ? AND c.in_scope AND c.status <> {}",
        lit(CaseStatus::Closed)
    );
    if let Some(s) = target.status {
        cond.push_str(&format!(" AND c.status = {}", lit(s)));
    }
    let head = "UPDATE followup_case SET assignee = ?, updated_at = ? WHERE id IN";
    let Some(ids) = &target.case_ids else {
        let limit = match target.limit {
            Some(n) => format!(" AND c.assignee IS NULL ORDER BY c.subject_id LIMIT {n}"),
            None => String::new(),
        };
        let sql =
            format!("{head} (SELECT x.id FROM (SELECT c.id FROM followup_case c WHERE {cond}{limit}) x)");
        return exec(
            conn,
            &sql,
            vec![to.into(), now.into(), incident_id.into()],
            "assigning cases",
        )
        .await;
    };
    let mut done = 0;
    for part in ids.chunks(500) {
        let marks = vec!["?"; part.len()].join(", ");
        let mut values: Vec<Value> = vec![to.into(), now.into(), incident_id.into()];
        values.extend(part.iter().map(|id| Value::from(*id)));
        let sql = format!("{head} (SELECT c.id FROM followup_case c WHERE {cond} AND c.id IN ({marks}))");
        done += exec(conn, &sql, values, "assigning cases").await?;
    }
    Ok(done)
}

/// Whether any of these Message-IDs is a letter of another incident than `incident_id`.
pub async fn letter_of_other_incident<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    ids: &[String],
) -> Result<bool> {
    if ids.is_empty() {
        return Ok(false);
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let mut bound: Vec<Value> = vec![incident_id.into()];
    bound.extend(ids.iter().map(|v| Value::from(v.clone())));
    let n = count(
        conn,
        &format!("SELECT COUNT(*) AS n FROM notification WHERE incident_id <> ? AND message_id IN ({marks})"),
        bound,
        "finding the letter",
    )
    .await?;
    Ok(n > 0)
}
