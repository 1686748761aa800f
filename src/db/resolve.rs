//! Affected-subject resolution and its counts, set-based inside the database: from the
//! incident's scope (systems, categories, record time windows) to one row per person with the
//! union of their exposed categories and systems.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, QueryResult, Statement, Value};

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
                 UNION SELECT DISTINCT categories FROM subject_record WHERE system_id IN ({ids})"
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
/// The new result goes into a temporary table first; the stored one is then brought in line
/// with three statements (delete the people no longer affected, update the changed rows,
/// insert the new people), whose row counts are what the resolution reports.
pub async fn resolve(
    txn: &DatabaseTransaction,
    incident_id: i64,
    systems: &[ScopedSystem],
    now: DateTime<Utc>,
) -> Result<ResolveCounts> {
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
    Ok(ResolveCounts {
        subjects,
        added,
        removed,
        changed,
    })
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
    let exposed = "(CASE WHEN r.categories = 0 THEN sys.categories ELSE r.categories END) \
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

/// The numbers of `affected stats`, straight from the database.
#[derive(Debug, Clone, Default)]
pub struct RawStats {
    pub subjects: i64,
    pub records: i64,
    pub special: i64,
    /// Subjects per category, in vocabulary order.
    pub by_category: Vec<(DataCategory, i64)>,
    pub by_country: Vec<(Option<String>, i64)>,
    pub by_jurisdiction: Vec<(Option<String>, i64)>,
    pub by_system: Vec<(String, i64)>,
}

pub async fn stats<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    system_keys: &[String],
) -> Result<RawStats> {
    let backend = conn.get_database_backend();
    let p1 = if backend == DbBackend::Postgres { "$1" } else { "?" };
    let one = |sql: String| async move {
        conn.query_one_raw(Statement::from_sql_and_values(backend, sql, [incident_id.into()]))
            .await
            .context("counting affected subjects")
    };
    let all = |sql: String| async move {
        conn.query_all_raw(Statement::from_sql_and_values(backend, sql, [incident_id.into()]))
            .await
            .context("counting affected subjects")
    };
    let get =
        |row: &QueryResult, col: &str| row.try_get::<i64>("", col).context("counting affected subjects");
    let mut s = RawStats::default();
    let mut columns = vec![
        "COUNT(*) AS subjects".to_string(),
        "CAST(COALESCE(SUM(records), 0) AS BIGINT) AS records".to_string(),
        "CAST(COALESCE(SUM(CASE WHEN special THEN 1 ELSE 0 END), 0) AS BIGINT) AS special".to_string(),
    ];
    for c in DataCategory::all() {
        columns.push(format!(
            "CAST(COALESCE(SUM(CASE WHEN (categories & {}) <> 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS c_{}",
            c.bit(),
            c.key()
        ));
    }
    for (i, key) in system_keys.iter().enumerate() {
        columns.push(format!(
            "CAST(COALESCE(SUM(CASE WHEN ',' || systems || ',' LIKE '%,{key},%' THEN 1 ELSE 0 END), 0) AS BIGINT) AS s_{i}"
        ));
    }
    let sql = format!(
        "SELECT {} FROM affected_subject WHERE incident_id = {p1}",
        columns.join(", ")
    );
    if let Some(row) = one(sql).await? {
        s.subjects = get(&row, "subjects")?;
        s.records = get(&row, "records")?;
        s.special = get(&row, "special")?;
        for c in DataCategory::all() {
            let n = get(&row, &format!("c_{}", c.key()))?;
            if n > 0 {
                s.by_category.push((c, n));
            }
        }
        for (i, key) in system_keys.iter().enumerate() {
            s.by_system.push((key.clone(), get(&row, &format!("s_{i}"))?));
        }
    }
    for (column, target) in [
        ("country", &mut s.by_country),
        ("jurisdiction", &mut s.by_jurisdiction),
    ] {
        let sql = format!(
            "SELECT {column} AS k, COUNT(*) AS n FROM affected_subject WHERE incident_id = {p1} \
             GROUP BY {column} ORDER BY COUNT(*) DESC, {column}"
        );
        for row in all(sql).await? {
            let k: Option<String> = row.try_get("", "k").context("counting affected subjects")?;
            target.push((k, get(&row, "n")?));
        }
    }
    Ok(s)
}

/// One affected person with their contact data, for listings and exports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AffectedRow {
    pub subject_id: i64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub locale: Option<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub jurisdiction: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
    pub categories: Vec<DataCategory>,
    pub systems: Vec<String>,
    pub records: i64,
    pub special: bool,
}

/// A page of affected people after `after_id` (subject id), in subject-id order.
pub async fn page<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    after_id: i64,
    limit: u64,
) -> Result<Vec<AffectedRow>> {
    let backend = conn.get_database_backend();
    let (p1, p2) = if backend == DbBackend::Postgres {
        ("$1", "$2")
    } else {
        ("?", "?")
    };
    let sql = format!(
        "SELECT s.id, s.name, s.email, s.locale, s.country, s.region, a.jurisdiction, s.address_line1, \
         s.address_line2, s.postal_code, s.city, s.phone, a.categories, a.systems, a.records, \
         CASE WHEN a.special THEN 1 ELSE 0 END AS special \
         FROM affected_subject a JOIN subject s ON s.id = a.subject_id \
         WHERE a.incident_id = {p1} AND a.subject_id > {p2} ORDER BY a.subject_id LIMIT {limit}"
    );
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [incident_id.into(), after_id.into()],
        ))
        .await
        .context("listing affected subjects")?;
    rows.iter()
        .map(|r| {
            let t = |c: &str| r.try_get::<Option<String>>("", c);
            Ok(AffectedRow {
                subject_id: r.try_get("", "id")?,
                name: t("name")?,
                email: t("email")?,
                locale: t("locale")?,
                country: t("country")?,
                region: t("region")?,
                jurisdiction: t("jurisdiction")?,
                address_line1: t("address_line1")?,
                address_line2: t("address_line2")?,
                postal_code: t("postal_code")?,
                city: t("city")?,
                phone: t("phone")?,
                categories: DataCategory::from_mask(r.try_get("", "categories")?),
                systems: r
                    .try_get::<String>("", "systems")?
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                records: r.try_get("", "records")?,
                special: r.try_get::<i32>("", "special")? != 0,
            })
        })
        .collect::<std::result::Result<_, sea_orm::DbErr>>()
        .context("listing affected subjects")
}
