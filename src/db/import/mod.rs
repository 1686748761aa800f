//! Writing imported inventory rows: each chunk goes into a temporary staging table (multi-row
//! inserts on SQLite, `COPY FROM STDIN` on PostgreSQL), then into `subject` and
//! `subject_record` with two set-based upserts — no statement per row.

use chrono::{DateTime, Utc};
use sea_orm::sqlx::{self, Acquire};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Statement, TransactionTrait, Value};

use super::Db;
use crate::error::{DbContext, Error, Result};

/// A checked inventory row, as the database takes it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordRow {
    pub line: u64,
    pub external_id: String,
    /// `k:` + explicit subject key, `e:` + lower-cased email, `a:`/`t:` + a hash of name and
    /// address or phone (`inventory::identity`), or `r:SYSTEM:ID`.
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
    /// The review key of `inventory::identity::near_key`.
    pub near_key: Option<String>,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    /// Bit mask; 0 means "what the system holds".
    pub categories: i64,
    /// Categories whose field the row has a value in.
    pub held_categories: i64,
    /// Categories whose field the file carries, empty in this row.
    pub unheld_categories: i64,
    /// Identifies the row's content, so that re-importing an unchanged row changes nothing.
    pub content_hash: String,
}

const STAGE_COLUMNS: usize = 20;
/// The SQLite page cache of an import's connection (KiB, as the pragma takes it).
const IMPORT_CACHE: &str = "PRAGMA cache_size = -8192";
/// Rows per INSERT statement: 20 × 500 bind values stay under SQLite's and PostgreSQL's limits,
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

/// The transaction an import writes chunks in: sea-orm's on SQLite, sqlx's own on PostgreSQL,
/// whose `COPY` sea-orm does not expose.
pub enum ImportTxn {
    Orm(DatabaseTransaction),
    Pg(sqlx::Transaction<'static, sqlx::Postgres>),
}

mod pg;
mod review;
mod statements;

pub use review::{NearMatch, near_matches};

use statements::Statements;

pub(crate) fn pg_error(e: sqlx::Error) -> Error {
    let msg = match e.as_database_error() {
        Some(d) => d.message().to_string(),
        None => e.to_string().lines().next().unwrap_or_default().to_string(),
    };
    Error::failure(format!("database error while importing rows: {msg}"))
}

/// Starts a transaction with a staging table on its connection.
pub async fn begin(db: &Db) -> Result<ImportTxn> {
    match db.backend() {
        DbBackend::Postgres => {
            let mut tx = db
                .conn
                .get_postgres_connection_pool()
                .begin()
                .await
                .map_err(pg_error)?;
            sqlx::query(
                "CREATE TEMP TABLE IF NOT EXISTS bd_stage (line BIGINT, external_id TEXT, subject_key TEXT, \
                 email TEXT, name TEXT, locale TEXT, country TEXT, region TEXT, address_line1 TEXT, \
                 address_line2 TEXT, postal_code TEXT, city TEXT, phone TEXT, first_seen TIMESTAMPTZ, \
                 last_seen TIMESTAMPTZ, categories BIGINT, content_hash TEXT, near_key TEXT, held_categories BIGINT, \
                 unheld_categories BIGINT)",
            )
            .execute(tx.acquire().await.map_err(pg_error)?)
            .await
            .map_err(pg_error)?;
            // A chunk's commit need not wait for its WAL flush: the import is idempotent, and
            // the batch is closed by a synchronous commit later, which flushes the WAL of every
            // chunk before it. A crash in between loses at most the last chunks, which a re-run
            // writes again (as after a killed import).
            sqlx::query("SET LOCAL synchronous_commit = off")
                .execute(tx.acquire().await.map_err(pg_error)?)
                .await
                .map_err(pg_error)?;
            Ok(ImportTxn::Pg(tx))
        }
        backend => {
            let txn = db.conn.begin().await.context("starting a transaction")?;
            let ddl = "CREATE TEMP TABLE IF NOT EXISTS bd_stage (line INTEGER, external_id TEXT, subject_key TEXT, \
                 email TEXT, name TEXT, locale TEXT, country TEXT, region TEXT, address_line1 TEXT, \
                 address_line2 TEXT, postal_code TEXT, city TEXT, phone TEXT, first_seen TEXT, last_seen TEXT, \
                 categories INTEGER, content_hash TEXT, near_key TEXT, held_categories INTEGER, \
                 unheld_categories INTEGER)";
            txn.execute_raw(Statement::from_string(backend, ddl))
                .await
                .context("preparing the import")?;
            // A bounded page cache for the import's connection: the upserts touch pages all
            // over the tables, and a cache that grows with the database until its 64 MiB cap
            // would make a large import need more memory than a small one.
            txn.execute_raw(Statement::from_string(backend, IMPORT_CACHE))
                .await
                .context("preparing the import")?;
            Ok(ImportTxn::Orm(txn))
        }
    }
}

impl ImportTxn {
    pub async fn commit(self) -> Result<()> {
        match self {
            ImportTxn::Orm(t) => t.commit().await.context("committing imported rows"),
            ImportTxn::Pg(t) => t.commit().await.map_err(pg_error),
        }
    }

    pub async fn rollback(self) -> Result<()> {
        match self {
            ImportTxn::Orm(t) => t.rollback().await.context("undoing the import"),
            ImportTxn::Pg(t) => t.rollback().await.map_err(pg_error),
        }
    }
}

/// Writes `rows` (already free of duplicates among themselves) for `system_id` in batch
/// `batch_id`. Rows whose record id an earlier chunk of the same batch already had are
/// returned as duplicates and not written.
pub async fn write_chunk(
    txn: &mut ImportTxn,
    system_id: i64,
    batch_id: i64,
    rows: &[RecordRow],
    now: DateTime<Utc>,
) -> Result<(ChunkCounts, Vec<Duplicate>)> {
    match txn {
        ImportTxn::Orm(t) => write_chunk_orm(t, system_id, batch_id, rows, now).await,
        ImportTxn::Pg(t) => pg::write_chunk(t, system_id, batch_id, rows, now).await,
    }
}

async fn write_chunk_orm(
    txn: &DatabaseTransaction,
    system_id: i64,
    batch_id: i64,
    rows: &[RecordRow],
    now: DateTime<Utc>,
) -> Result<(ChunkCounts, Vec<Duplicate>)> {
    let backend = txn.get_database_backend();
    let sql = Statements::new(backend);
    let exec = |sql: String, values: Vec<Value>| {
        let stmt = Statement::from_sql_and_values(backend, sql, values);
        async move { txn.execute_raw(stmt).await.context("importing rows") }
    };
    exec("DELETE FROM bd_stage".into(), vec![]).await?;
    for part in rows.chunks(ROWS_PER_STATEMENT) {
        let mut text = String::with_capacity(part.len() * STAGE_COLUMNS * 2 + 64);
        text.push_str("INSERT INTO bd_stage VALUES ");
        let mut values: Vec<Value> = Vec::with_capacity(part.len() * STAGE_COLUMNS);
        for (i, r) in part.iter().enumerate() {
            text.push_str(if i == 0 { "(" } else { ",(" });
            text.push_str(&vec!["?"; STAGE_COLUMNS].join(","));
            text.push(')');
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
                r.near_key.clone().into(),
                r.held_categories.into(),
                r.unheld_categories.into(),
            ]);
        }
        exec(text, values).await?;
    }
    let found = txn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql.duplicates,
            [system_id.into(), batch_id.into()],
        ))
        .await
        .context("checking for duplicate record ids")?;
    let mut duplicates = Vec::new();
    for row in found {
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
        exec(
            format!("DELETE FROM bd_stage WHERE line IN ({})", lines(&duplicates)),
            vec![],
        )
        .await?;
    }
    let counted = txn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql.counts,
            [system_id.into()],
        ))
        .await
        .context("counting rows")?;
    let mut counts = ChunkCounts::default();
    if let Some(row) = counted {
        let get = |name: &str| row.try_get::<i64>("", name).context("counting rows");
        counts = ChunkCounts::from_totals(get("inserted")?, get("updated")?, get("total")?);
    }
    exec(sql.keep, vec![system_id.into()]).await?;
    exec(sql.subjects, vec![now.into(), now.into()]).await?;
    exec(sql.records, vec![system_id.into(), batch_id.into(), now.into()]).await?;
    Ok((counts, duplicates))
}

/// After a bulk load on PostgreSQL: fresh planner statistics for the inventory tables, so that
/// the next resolution plans its joins for the tables' real sizes (autovacuum would get there
/// later). SQLite plans without them.
pub async fn analyze_after_load(db: &Db) -> Result<()> {
    if db.backend() == DbBackend::Postgres {
        for table in ["subject", "subject_record"] {
            db.conn
                .execute_unprepared(&format!("ANALYZE {table}"))
                .await
                .context("updating the planner statistics")?;
        }
    }
    Ok(())
}

pub(crate) fn lines(duplicates: &[Duplicate]) -> String {
    duplicates
        .iter()
        .map(|d| d.line.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

impl ChunkCounts {
    pub(crate) fn from_totals(inserted: i64, updated: i64, total: i64) -> ChunkCounts {
        ChunkCounts {
            inserted: inserted as u64,
            updated: updated as u64,
            unchanged: (total - inserted - updated) as u64,
        }
    }
}
