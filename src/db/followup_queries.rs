//! Reading the follow-up: work queues (filtered pages of cases, the next case to work on) and
//! the statistics for the report, counted inside the database.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult, Value};
use serde::Serialize;

use super::entities::followup_case::CaseStatus;
use super::entities::notification::NotificationStatus;
use super::followup::{count, lit, stmt};
use crate::error::{DbContext, Result};

/// Which cases a listing shows.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    pub assignee: Option<String>,
    /// Only cases whose next action or an unanswered request is past due at this instant.
    pub overdue_at: Option<DateTime<Utc>>,
    /// Also the cases of people no longer in scope.
    pub all: bool,
}

/// One case in a listing.
#[derive(Debug, Clone, Serialize)]
pub struct CaseRow {
    pub subject_id: i64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub status: CaseStatus,
    pub assignee: Option<String>,
    #[serde(serialize_with = "crate::clock::json_utc_opt")]
    pub next_action_due: Option<DateTime<Utc>>,
    /// The earliest due date of the person's unanswered requests.
    #[serde(serialize_with = "crate::clock::json_utc_opt")]
    pub request_due: Option<DateTime<Utc>>,
    pub open_requests: i64,
    pub in_scope: bool,
}

const SELECT: &str = "SELECT c.subject_id, s.name, s.email, c.status, c.assignee, c.next_action_due, \
    CASE WHEN c.in_scope THEN 1 ELSE 0 END AS in_scope, \
    (SELECT MIN(r.due_at) FROM case_request r WHERE r.case_id = c.id AND r.done_at IS NULL) AS request_due, \
    (SELECT COUNT(*) FROM case_request r WHERE r.case_id = c.id AND r.done_at IS NULL) AS open_requests \
    FROM followup_case c JOIN subject s ON s.id = c.subject_id";

fn where_clause(f: &CaseFilter, values: &mut Vec<Value>) -> String {
    let mut w = String::from(" WHERE c.incident_id = ?");
    if !f.all {
        w.push_str(" AND c.in_scope");
    }
    if let Some(s) = f.status {
        w.push_str(&format!(" AND c.status = {}", lit(s)));
    }
    if let Some(a) = &f.assignee {
        w.push_str(" AND c.assignee = ?");
        values.push(a.clone().into());
    }
    if let Some(at) = f.overdue_at {
        w.push_str(&format!(
            " AND c.status <> {} AND (c.next_action_due < ? OR EXISTS (SELECT 1 FROM case_request r \
             WHERE r.case_id = c.id AND r.done_at IS NULL AND r.due_at < ?))",
            lit(CaseStatus::Closed)
        ));
        values.push(at.into());
        values.push(at.into());
    }
    w
}

fn row(r: &QueryResult) -> std::result::Result<CaseRow, sea_orm::DbErr> {
    Ok(CaseRow {
        subject_id: r.try_get("", "subject_id")?,
        name: r.try_get("", "name")?,
        email: r.try_get("", "email")?,
        status: CaseStatus::parse(&r.try_get::<String>("", "status")?).unwrap_or(CaseStatus::Open),
        assignee: r.try_get("", "assignee")?,
        next_action_due: r.try_get("", "next_action_due")?,
        request_due: r.try_get("", "request_due")?,
        open_requests: r.try_get("", "open_requests")?,
        in_scope: r.try_get::<i32>("", "in_scope")? != 0,
    })
}

/// A page of the incident's cases after subject `after`, in subject order.
pub async fn page<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    filter: &CaseFilter,
    after: i64,
    limit: u64,
) -> Result<Vec<CaseRow>> {
    let mut values: Vec<Value> = vec![incident_id.into()];
    let w = where_clause(filter, &mut values);
    values.push(after.into());
    let sql = format!("{SELECT}{w} AND c.subject_id > ? ORDER BY c.subject_id LIMIT {limit}");
    let rows = conn
        .query_all_raw(stmt(conn.get_database_backend(), &sql, values))
        .await
        .context("listing cases")?;
    rows.iter()
        .map(row)
        .collect::<std::result::Result<_, _>>()
        .context("listing cases")
}

/// The case `assignee` should work on next: not closed and in scope; the earliest due (next
/// action or request) first, then people waiting for an answer, then by subject.
pub async fn next<C: ConnectionTrait>(conn: &C, incident_id: i64, assignee: &str) -> Result<Option<CaseRow>> {
    let mut values: Vec<Value> = vec![incident_id.into()];
    let filter = CaseFilter {
        assignee: Some(assignee.to_string()),
        ..CaseFilter::default()
    };
    let w = where_clause(&filter, &mut values);
    let due = "CASE WHEN q.next_action_due IS NULL THEN q.request_due WHEN q.request_due IS NULL THEN q.next_action_due \
               WHEN q.request_due < q.next_action_due THEN q.request_due ELSE q.next_action_due END";
    let priority: Vec<String> = [
        CaseStatus::Responded,
        CaseStatus::Assisting,
        CaseStatus::Unreachable,
        CaseStatus::Open,
        CaseStatus::Contacted,
    ]
    .iter()
    .enumerate()
    .map(|(i, s)| format!("WHEN {} THEN {i}", lit(*s)))
    .collect();
    let sql = format!(
        "SELECT q.* FROM ({SELECT}{w} AND c.status <> {closed}) q \
         ORDER BY CASE WHEN ({due}) IS NULL THEN 1 ELSE 0 END, {due}, CASE q.status {p} ELSE 9 END, q.subject_id LIMIT 1",
        closed = lit(CaseStatus::Closed),
        p = priority.join(" ")
    );
    let found = conn
        .query_one_raw(stmt(conn.get_database_backend(), &sql, values))
        .await
        .context("finding the next case")?;
    found
        .as_ref()
        .map(row)
        .transpose()
        .context("finding the next case")
}

/// The follow-up numbers of an incident's cases in scope.
#[derive(Debug, Clone, Default)]
pub struct RawFollowupStats {
    pub cases: i64,
    pub reached: i64,
    pub responded: i64,
    pub assisted: i64,
    pub unreachable: i64,
    pub closed: i64,
    pub by_status: Vec<(CaseStatus, i64)>,
    /// People with a sent letter, and the first-letter times at the ranks asked for.
    pub with_letter: i64,
}

/// Counts, in one pass over the incident's cases.
pub async fn stats<C: ConnectionTrait>(conn: &C, incident_id: i64) -> Result<RawFollowupStats> {
    const DOING: &str = "counting the follow-up";
    let sent = format!(
        "EXISTS (SELECT 1 FROM notification n WHERE n.incident_id = c.incident_id AND n.subject_id = c.subject_id \
         AND n.status = '{}')",
        NotificationStatus::Sent.as_str()
    );
    let ever = |s: CaseStatus| {
        format!(
            "EXISTS (SELECT 1 FROM case_event e WHERE e.case_id = c.id AND e.to_status = {})",
            lit(s)
        )
    };
    let sum = |cond: String, name: &str| {
        format!("CAST(COALESCE(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END), 0) AS BIGINT) AS {name}")
    };
    let assisted = format!(
        "EXISTS (SELECT 1 FROM case_event e WHERE e.case_id = c.id AND (e.assist IS NOT NULL OR e.to_status = {}))",
        lit(CaseStatus::Assisting)
    );
    let mut columns = vec![
        "COUNT(*) AS cases".to_string(),
        sum(format!("{sent} OR {}", ever(CaseStatus::Responded)), "reached"),
        sum(ever(CaseStatus::Responded), "responded"),
        sum(assisted, "assisted"),
    ];
    for s in CaseStatus::ALL {
        columns.push(sum(
            format!("c.status = {}", lit(s)),
            &format!("s_{}", s.as_str()),
        ));
    }
    let sql = format!(
        "SELECT {} FROM followup_case c WHERE c.incident_id = ? AND c.in_scope",
        columns.join(", ")
    );
    let r = conn
        .query_one_raw(stmt(conn.get_database_backend(), &sql, vec![incident_id.into()]))
        .await
        .context(DOING)?;
    let mut out = RawFollowupStats::default();
    if let Some(r) = r {
        let get = |c: &str| r.try_get::<i64>("", c).context(DOING);
        (out.cases, out.reached, out.responded, out.assisted) = (
            get("cases")?,
            get("reached")?,
            get("responded")?,
            get("assisted")?,
        );
        for s in CaseStatus::ALL {
            out.by_status.push((s, get(&format!("s_{}", s.as_str()))?));
        }
    }
    let of = |s: CaseStatus| out.by_status.iter().find(|(k, _)| *k == s).map_or(0, |(_, n)| *n);
    (out.unreachable, out.closed) = (of(CaseStatus::Unreachable), of(CaseStatus::Closed));
    out.with_letter = count(
        conn,
        &format!("SELECT COUNT(*) AS n FROM ({}) f", first_letters()),
        vec![incident_id.into()],
        DOING,
    )
    .await?;
    Ok(out)
}

/// Each person in scope with a sent letter, and when their first letter was sent.
fn first_letters() -> String {
    format!(
        "SELECT n.subject_id, MIN(n.sent_at) AS first_sent FROM notification n \
         JOIN followup_case c ON c.incident_id = n.incident_id AND c.subject_id = n.subject_id AND c.in_scope \
         WHERE n.incident_id = ? AND n.status = '{}' AND n.sent_at IS NOT NULL GROUP BY n.subject_id",
        NotificationStatus::Sent.as_str()
    )
}

/// The first-letter time at `rank` (0-based) in time order.
pub async fn first_letter_at_rank<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    rank: i64,
) -> Result<Option<DateTime<Utc>>> {
    let sql = format!(
        "SELECT f.first_sent AS t FROM ({}) f ORDER BY f.first_sent LIMIT 1 OFFSET {rank}",
        first_letters()
    );
    let r = conn
        .query_one_raw(stmt(conn.get_database_backend(), &sql, vec![incident_id.into()]))
        .await
        .context("counting the follow-up")?;
    r.map(|r| r.try_get::<DateTime<Utc>>("", "t"))
        .transpose()
        .context("counting the follow-up")
}
