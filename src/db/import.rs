//! Writing imported inventory rows: each chunk goes into a temporary staging table with
//! multi-row inserts, then into `subject` and `subject_record` with two set-based upserts —
//! no statement per row.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Statement, Value};

use crate::error::{DbContext, Result};

/// A checked inventory row, as the database takes it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordRow {
    pub line: u64,
    pub external_id: String,
    /// `e:` + lower-cased email, `k:` + explicit subject key, or `r:SYSTEM:ID`.
    pub subject_key: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub locale: Option<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    /// Bit mask; 0 means "what the system holds".
    pub categories: i64,
    /// Identifies the row's content, so that re-importing an unchanged row changes nothing.
    pub content_hash: String,
}

const STAGE_COLUMNS: usize = 17;
/// Rows per INSERT statement: 17 × 500 bind values stay under SQLite's and PostgreSQL's limits,
/// and one statement text per chunk size is prepared once and reused.
const ROWS_PER_STATEMENT: usize = 500;

/// What one chunk did.
#[derive(Debug, Default, Clone, Copy)]
pub struct ChunkCounts {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// A row refused by the database step: the line and the line it repeats.
#[derive(Debug, Clone)]
pub struct Duplicate {
    pub line: u64,
    pub first_line: u64,
}

fn ph(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_string(),
    }
}

/// Prepares the staging table on this transaction's connection.
pub async fn prepare(txn: &DatabaseTransaction) -> Result<()> {
    let backend = txn.get_database_backend();
    let (int, time) = match backend {
        DbBackend::Postgres => ("BIGINT", "TIMESTAMPTZ"),
        _ => ("INTEGER", "TEXT"),
    };
    let ddl = format!(
        "CREATE TEMP TABLE IF NOT EXISTS bd_stage (line {int}, external_id TEXT, subject_key TEXT, email TEXT, \
         name TEXT, locale TEXT, country TEXT, region TEXT, address_line1 TEXT, address_line2 TEXT, \
         postal_code TEXT, city TEXT, phone TEXT, first_seen {time}, last_seen {time}, categories {int}, \
         content_hash TEXT)"
    );
    txn.execute_raw(Statement::from_string(backend, ddl))
        .await
        .context("preparing the import")?;
    Ok(())
}

/// Writes `rows` (already free of duplicates among themselves) for `system_id` in batch
/// `batch_id`. Rows whose record id an earlier chunk of the same batch already had are
/// returned as duplicates and not written.
pub async fn write_chunk(
    txn: &DatabaseTransaction,
    system_id: i64,
    batch_id: i64,
    rows: &[RecordRow],
    now: DateTime<Utc>,
) -> Result<(ChunkCounts, Vec<Duplicate>)> {
    let backend = txn.get_database_backend();
    let exec = |sql: String, values: Vec<Value>| {
        let stmt = Statement::from_sql_and_values(backend, sql, values);
        async move { txn.execute_raw(stmt).await.context("importing rows") }
    };
    exec("DELETE FROM bd_stage".into(), vec![]).await?;
    for part in rows.chunks(ROWS_PER_STATEMENT) {
        let mut sql = String::with_capacity(part.len() * STAGE_COLUMNS * 4 + 64);
        sql.push_str("INSERT INTO bd_stage VALUES ");
        let mut values: Vec<Value> = Vec::with_capacity(part.len() * STAGE_COLUMNS);
        for (i, r) in part.iter().enumerate() {
            sql.push_str(if i == 0 { "(" } else { ",(" });
            for c in 0..STAGE_COLUMNS {
                if c > 0 {
                    sql.push(',');
                }
                sql.push_str(&ph(backend, i * STAGE_COLUMNS + c + 1));
            }
            sql.push(')');
            values.extend([
                Value::from(r.line as i64),
                r.external_id.clone().into(),
                r.subject_key.clone().into(),
                r.email.clone().into(),
                r.name.clone().into(),
                r.locale.clone().into(),
                r.country.clone().into(),
                r.region.clone().into(),
                r.address_line1.clone().into(),
                r.address_line2.clone().into(),
                r.postal_code.clone().into(),
                r.city.clone().into(),
                r.phone.clone().into(),
                r.first_seen.into(),
                r.last_seen.into(),
                r.categories.into(),
                r.content_hash.clone().into(),
            ]);
        }
        exec(sql, values).await?;
    }

    // A record id an earlier chunk of this batch wrote is a duplicate within the file.
    let dup_sql = format!(
        "SELECT s.line AS line, r.source_line AS first_line FROM bd_stage s JOIN subject_record r \
         ON r.system_id = {} AND r.external_id = s.external_id WHERE r.batch_id = {} ORDER BY s.line",
        ph(backend, 1),
        ph(backend, 2)
    );
    let dup_rows = txn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            dup_sql,
            [system_id.into(), batch_id.into()],
        ))
        .await
        .context("checking for duplicate record ids")?;
    let mut duplicates = Vec::new();
    for row in dup_rows {
        let line: i64 = row
            .try_get("", "line")
            .context("checking for duplicate record ids")?;
        let first: i64 = row
            .try_get("", "first_line")
            .context("checking for duplicate record ids")?;
        duplicates.push(Duplicate {
            line: line as u64,
            first_line: first as u64,
        });
    }
    if !duplicates.is_empty() {
        let lines: Vec<String> = duplicates.iter().map(|d| d.line.to_string()).collect();
        exec(
            format!("DELETE FROM bd_stage WHERE line IN ({})", lines.join(",")),
            vec![],
        )
        .await?;
    }

    let count_sql = format!(
        "SELECT COALESCE(SUM(CASE WHEN r.id IS NULL THEN 1 ELSE 0 END), 0) AS inserted, \
         COALESCE(SUM(CASE WHEN r.id IS NOT NULL AND r.content_hash <> s.content_hash THEN 1 ELSE 0 END), 0) AS updated, \
         COUNT(*) AS total FROM bd_stage s LEFT JOIN subject_record r \
         ON r.system_id = {} AND r.external_id = s.external_id",
        ph(backend, 1)
    );
    let counted = txn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            count_sql,
            [system_id.into()],
        ))
        .await
        .context("counting rows")?;
    let mut counts = ChunkCounts::default();
    if let Some(row) = counted {
        let get = |name: &str| row.try_get::<i64>("", name).context("counting rows");
        let (inserted, updated, total) = (get("inserted")?, get("updated")?, get("total")?);
        counts = ChunkCounts {
            inserted: inserted as u64,
            updated: updated as u64,
            unchanged: (total - inserted - updated) as u64,
        };
    }

    // One subject per person: new ones inserted, known ones given the newest non-empty values.
    let contact = [
        "email",
        "name",
        "locale",
        "country",
        "region",
        "address_line1",
        "address_line2",
        "postal_code",
        "city",
        "phone",
    ];
    // The postal address is one unit: a row that has any part of one replaces all of it, so
    // that a new address never mixes with the street or postal code of an old one.
    let address = [
        "country",
        "region",
        "address_line1",
        "address_line2",
        "postal_code",
        "city",
    ];
    let has_address = address
        .iter()
        .map(|c| format!("excluded.{c} IS NOT NULL"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let set: Vec<String> = contact
        .iter()
        .map(|c| {
            if address.contains(c) {
                format!("{c} = CASE WHEN {has_address} THEN excluded.{c} ELSE subject.{c} END")
            } else {
                format!("{c} = COALESCE(excluded.{c}, subject.{c})")
            }
        })
        .collect();
    let mut differs: Vec<String> = contact
        .iter()
        .filter(|c| !address.contains(c))
        .map(|c| format!("(excluded.{c} IS NOT NULL AND excluded.{c} IS DISTINCT FROM subject.{c})"))
        .collect();
    let address_differs = address
        .iter()
        .map(|c| format!("excluded.{c} IS DISTINCT FROM subject.{c}"))
        .collect::<Vec<_>>()
        .join(" OR ");
    differs.push(format!("(({has_address}) AND ({address_differs}))"));
    let aggregated: Vec<String> = contact.iter().map(|c| format!("MAX({c})")).collect();
    let subject_sql = format!(
        "INSERT INTO subject (subject_key, {cols}, created_at, updated_at) \
         SELECT subject_key, {agg}, {now1}, {now2} FROM bd_stage WHERE true GROUP BY subject_key \
         ON CONFLICT (subject_key) DO UPDATE SET {set}, updated_at = excluded.updated_at WHERE {differs}",
        cols = contact.join(", "),
        agg = aggregated.join(", "),
        now1 = ph(backend, 1),
        now2 = ph(backend, 2),
        set = set.join(", "),
        differs = differs.join(" OR "),
    );
    exec(subject_sql, vec![now.into(), now.into()]).await?;

    let record_sql = format!(
        "INSERT INTO subject_record (system_id, external_id, subject_id, categories, first_seen, last_seen, \
         content_hash, batch_id, source_line, updated_at) \
         SELECT {sys}, s.external_id, subj.id, s.categories, s.first_seen, s.last_seen, s.content_hash, {batch}, \
         s.line, {now} FROM bd_stage s JOIN subject subj ON subj.subject_key = s.subject_key WHERE true \
         ON CONFLICT (system_id, external_id) DO UPDATE SET subject_id = excluded.subject_id, \
         categories = excluded.categories, first_seen = excluded.first_seen, last_seen = excluded.last_seen, \
         updated_at = CASE WHEN subject_record.content_hash = excluded.content_hash \
         THEN subject_record.updated_at ELSE excluded.updated_at END, \
         content_hash = excluded.content_hash, batch_id = excluded.batch_id, source_line = excluded.source_line",
        sys = ph(backend, 1),
        batch = ph(backend, 2),
        now = ph(backend, 3),
    );
    exec(record_sql, vec![system_id.into(), batch_id.into(), now.into()]).await?;
    Ok((counts, duplicates))
}
