//! Affected-subject resolution, set-based inside the database: from the incident's scope
//! (systems, categories, record time windows) to one row per person with the union of their
//! exposed categories and systems. Reading the stored result is in `affected.rs`.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Statement, Value};

use super::withdraw::Withdrawal;
use crate::category::DataCategory;
use crate::error::{DbContext, Result};

/// A system in an incident's scope, with the bit it has in the systems mask.
#[derive(Debug, Clone)]
pub struct ScopedSystem {
    pub id: i64,
    pub key: String,
}

/// What a resolution changed.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct ResolveCounts {
    pub subjects: i64,
    pub added: i64,
    pub removed: i64,
    pub changed: i64,
}

/// `(MAX(e & 1) | MAX(e & 4) | ...)` on SQLite, one `MAX` per bit of `bits` (the bits the
/// values can have), `bit_or(e)` on PostgreSQL: the union of masks.
fn or_aggregate(backend: DbBackend, column: &str, bits: i64) -> String {
    match backend {
        DbBackend::Postgres => format!("bit_or({column})"),
        _ => {
            let parts: Vec<String> = (0..63)
                .filter(|b| bits & (1_i64 << b) != 0)
                .map(|b| format!("MAX({column} & {})", 1_i64 << b))
                .collect();
            if parts.is_empty() {
                "0".to_string()
            } else {
                format!("({})", parts.join(" | "))
            }
        }
    }
}

/// The categories the records of `systems` can expose: their systems' categories and every
/// per-record list. SQLite has no bitwise aggregate, and a `MAX` per bit costs as much as the
/// rest of the resolution together, so the union of a person's categories is built from the
/// bits that can occur only (a few, where the vocabulary has dozens). One pass over the
/// systems' records, without reading their rows' other columns.
async fn possible_categories(txn: &DatabaseTransaction, systems: &[ScopedSystem]) -> Result<i64> {
    let ids = systems
        .iter()
        .map(|s| s.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    if ids.is_empty() {
        return Ok(0);
    }
    let rows = txn
        .query_all_raw(Statement::from_string(
            txn.get_database_backend(),
            format!(
                "SELECT categories FROM system WHERE id IN ({ids}) \
                 UNION SELECT categories | held_categories FROM subject_record WHERE system_id IN ({ids})"
            ),
        ))
        .await
        .context("resolving affected subjects")?;
    let mut bits = 0;
    for row in rows {
        bits |= row
            .try_get::<i64>("", "categories")
            .context("resolving affected subjects")?;
    }
    Ok(bits)
}

/// Recomputes the affected subjects of `incident_id` from its scope, in `txn`.
///
/// The new result goes into a temporary table first; the unsent letters of people no longer
/// affected or whose data changed are withdrawn against it; the stored result is then brought
/// in line with three statements (delete the people no longer affected, update the changed
/// rows, insert the new people), whose row counts are what the resolution reports.
pub async fn resolve(
    txn: &DatabaseTransaction,
    incident_id: i64,
    systems: &[ScopedSystem],
    now: DateTime<Utc>,
) -> Result<(ResolveCounts, Withdrawal)> {
    let backend = txn.get_database_backend();
    let pg = backend == DbBackend::Postgres;
    let run = |sql: String, values: Vec<Value>| {
        let stmt = Statement::from_sql_and_values(backend, sql, values);
        async move {
            txn.execute_raw(stmt)
                .await
                .map(|r| r.rows_affected() as i64)
                .context("resolving affected subjects")
        }
    };
    let possible = if pg {
        0 // bit_or needs no list of bits
    } else {
        possible_categories(txn, systems).await?
    };
    let select = resolution_select(backend, systems, incident_id, possible);
    let columns = "subject_id, categories, systems, records, country, jurisdiction, special";
    if pg {
        // Memory for this transaction's sorts and hashes (one row per record in scope), so
        // that they stay off the disk.
        run("SET LOCAL work_mem = '64MB'".into(), vec![]).await?;
        // CREATE TABLE AS may scan in parallel (INSERT ... SELECT may not); the table goes
        // with the transaction.
        run("DROP TABLE IF EXISTS bd_resolved".into(), vec![]).await?;
        run(
            format!("CREATE TEMP TABLE bd_resolved ({columns}) ON COMMIT DROP AS {select}"),
            vec![],
        )
        .await?;
        // Statistics for the temporary table, so that the comparisons below hash-join.
        run("ANALYZE bd_resolved".into(), vec![]).await?;
    } else {
        run(
            "CREATE TEMP TABLE IF NOT EXISTS bd_resolved (subject_id INTEGER PRIMARY KEY, categories INTEGER, \
             systems TEXT, records INTEGER, country TEXT, jurisdiction TEXT, special INTEGER)"
                .into(),
            vec![],
        )
        .await?;
        run("DELETE FROM bd_resolved".into(), vec![]).await?;
        run(format!("INSERT INTO bd_resolved ({columns}) {select}"), vec![]).await?;
    }

    let withdrawal = super::withdraw::for_resolution(txn, incident_id).await?;
    let p = |n: usize| if pg { format!("${n}") } else { "?".to_string() };
    let removed = run(
        format!(
            "DELETE FROM affected_subject WHERE incident_id = {} AND NOT EXISTS \
             (SELECT 1 FROM bd_resolved n WHERE n.subject_id = affected_subject.subject_id)",
            p(1)
        ),
        vec![incident_id.into()],
    )
    .await?;
    let changed = run(
        format!(
            "UPDATE affected_subject SET categories = n.categories, systems = n.systems, records = n.records, \
             country = n.country, jurisdiction = n.jurisdiction, special = n.special, resolved_at = {} \
             FROM bd_resolved n WHERE affected_subject.incident_id = {} AND n.subject_id = affected_subject.subject_id \
             AND (affected_subject.categories <> n.categories OR affected_subject.systems <> n.systems \
             OR affected_subject.records <> n.records OR affected_subject.country IS DISTINCT FROM n.country \
             OR affected_subject.jurisdiction IS DISTINCT FROM n.jurisdiction)",
            p(1),
            p(2)
        ),
        vec![now.into(), incident_id.into()],
    )
    .await?;
    // Writers hold the audit lock, so nobody adds a row between this check and the insert.
    let added = run(
        format!(
            "INSERT INTO affected_subject (incident_id, subject_id, categories, systems, records, country, \
             jurisdiction, special, resolved_at) \
             SELECT {}, n.subject_id, n.categories, n.systems, n.records, n.country, n.jurisdiction, n.special, {} \
             FROM bd_resolved n WHERE NOT EXISTS \
             (SELECT 1 FROM affected_subject a WHERE a.incident_id = {} AND a.subject_id = n.subject_id)",
            p(1),
            p(2),
            p(3)
        ),
        vec![incident_id.into(), now.into(), incident_id.into()],
    )
    .await?;
    if pg && added + removed > 0 {
        // Many rows may have come or gone: fresh statistics for the follow-up statements that
        // join this table next, in the same transaction.
        run("ANALYZE affected_subject".into(), vec![]).await?;
    }
    let row = txn
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) AS n FROM bd_resolved",
        ))
        .await
        .context("resolving affected subjects")?;
    let subjects = match row {
        Some(r) => r.try_get::<i64>("", "n").context("resolving affected subjects")?,
        None => 0,
    };
    Ok((
        ResolveCounts {
            subjects,
            added,
            removed,
            changed,
        },
        withdrawal,
    ))
}

/// The resolution as one `SELECT` of the affected-subject columns: the records in scope
/// (system, time window), their exposed categories, one row per person.
fn resolution_select(
    backend: DbBackend,
    systems: &[ScopedSystem],
    incident_id: i64,
    possible: i64,
) -> String {
    let system_bit: Vec<String> = systems
        .iter()
        .enumerate()
        .map(|(i, s)| format!("WHEN {} THEN {}", s.id, 1_i64 << i))
        .collect();
    let system_names: Vec<String> = systems
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!(
                "CASE WHEN (e.sysmask & {}) <> 0 THEN '{},' ELSE '' END",
                1_i64 << i,
                s.key
            )
        })
        .collect();
    // What the record exposes, as `DataCategory::of_record` says: its own or its system's
    // categories, without those the file carried empty for it, plus those it has values in.
    let exposed = "(((CASE WHEN r.categories = 0 THEN sys.categories ELSE r.categories END) \
                   & ~r.unheld_categories) | r.held_categories) \
                   & (CASE WHEN sc.categories = 0 THEN -1 ELSE sc.categories END)";
    let special = DataCategory::special_mask();
    let names_expr = if system_names.is_empty() {
        "''".to_string()
    } else {
        system_names.join(" || ")
    };
    format!(
        "SELECT e.subject_id, e.categories, RTRIM({names_expr}, ','), e.records, subj.country, \
         CASE WHEN subj.country = 'US' AND subj.region IS NOT NULL THEN 'US-' || subj.region ELSE subj.country END, \
         (e.categories & {special}) <> 0 \
         FROM (SELECT x.subject_id, {cat_or} AS categories, {sys_or} AS sysmask, COUNT(*) AS records \
               FROM (SELECT r.subject_id, {exposed} AS exposed, CAST(CASE r.system_id {system_bit} ELSE 0 END AS BIGINT) AS sysbit \
                     FROM subject_record r \
                     JOIN incident_scope sc ON sc.system_id = r.system_id AND sc.incident_id = {incident_id} \
                     JOIN system sys ON sys.id = r.system_id \
                     WHERE (sc.records_from IS NULL OR r.last_seen IS NULL OR r.last_seen >= sc.records_from) \
                       AND (sc.records_to IS NULL OR r.first_seen IS NULL OR r.first_seen <= sc.records_to)) x \
               WHERE x.exposed <> 0 GROUP BY x.subject_id) e \
         JOIN subject subj ON subj.id = e.subject_id",
        cat_or = or_aggregate(backend, "x.exposed", possible),
        sys_or = or_aggregate(backend, "x.sysbit", (1_i64 << systems.len().max(1)) - 1),
        system_bit = if system_bit.is_empty() {
            "WHEN 0 THEN 0".to_string()
        } else {
            system_bit.join(" ")
        },
    )
}
