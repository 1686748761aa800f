//! Work queues: listing an incident's cases by status, assignee and lateness, handing cases to
//! people, and picking the next case someone should work on.

use std::path::Path;

use serde_json::json;

use super::cases;
use crate::audit;
use crate::config::Settings;
use crate::db::Db;
use crate::db::entities::followup_case::CaseStatus;
use crate::db::followup::{self as sql, AssignTarget};
use crate::db::followup_queries::{self as queries, CaseFilter, CaseRow};
use crate::error::{Error, Result};
use crate::incident::Incident;

/// Calls `each` for every case the filter selects, a page at a time; returns how many.
pub async fn for_each_case<F>(
    db: &Db,
    settings: &Settings,
    inc: &Incident,
    filter: &CaseFilter,
    mut each: F,
) -> Result<u64>
where
    F: FnMut(CaseRow) -> Result<()>,
{
    const PAGE: u64 = 5_000;
    super::sync_quietly(db, settings, inc).await?;
    let (mut after, mut n) = (0_i64, 0_u64);
    loop {
        let page = queries::page(&db.conn, inc.id, filter, after, PAGE).await?;
        let len = page.len() as u64;
        for row in page {
            after = row.subject_id;
            n += 1;
            each(row)?;
        }
        if len < PAGE {
            return Ok(n);
        }
    }
}

/// Which cases to assign, as given on the command line.
#[derive(Debug, Clone, Default)]
pub struct Assignment {
    pub to: String,
    pub status: Option<CaseStatus>,
    /// A file naming one person per line (email, subject id or verification code).
    pub subjects: Option<std::path::PathBuf>,
    pub limit: Option<u64>,
}

/// Assigns cases to `a.to`; returns how many were assigned.
pub async fn assign(db: &Db, settings: &Settings, inc: &Incident, a: &Assignment) -> Result<u64> {
    let to = a.to.trim();
    if to.is_empty() {
        return Err(Error::bad_input("--to needs a name"));
    }
    let case_ids = match &a.subjects {
        Some(path) => Some(read_subjects(db, inc, path).await?),
        None => None,
    };
    let target = AssignTarget {
        status: a.status,
        case_ids,
        limit: a.limit,
    };
    let rec = audit::begin(db, &settings.actor, settings.now()).await?;
    let n = sql::assign(rec.txn(), inc.id, to, &target, settings.now()).await?;
    rec.record(
        "followup.assign",
        &format!("incident:{}", inc.reference),
        Some(&inc.reference),
        json!({ "to": to, "cases": n, "status": a.status, "from_file": a.subjects.is_some(), "limit": a.limit }),
    )
    .await?;
    rec.commit().await?;
    Ok(n)
}

/// The cases of the people a file names, one per line; blank lines and `#` comments skipped.
async fn read_subjects(db: &Db, inc: &Incident, path: &Path) -> Result<Vec<i64>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::bad_input(format!("cannot read {}: {e}", path.display())))?;
    let mut ids = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let who = line.split('#').next().unwrap_or("").trim();
        if who.is_empty() {
            continue;
        }
        let case = cases::find(db, inc, who)
            .await
            .map_err(|e| Error::bad_input(format!("{}:{}: {e}", path.display(), i + 1)))?;
        ids.push(case.id);
    }
    Ok(ids)
}

/// The case `assignee` should work on next, if any.
pub async fn next(db: &Db, settings: &Settings, inc: &Incident, assignee: &str) -> Result<Option<CaseRow>> {
    super::sync_quietly(db, settings, inc).await?;
    queries::next(&db.conn, inc.id, assignee).await
}
