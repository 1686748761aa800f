//! The PostgreSQL import path: `COPY FROM STDIN` into the staging table on a plain sqlx
//! transaction (sea-orm does not expose COPY), then the shared statements.

use chrono::{DateTime, Utc};
use sea_orm::DbBackend;
use sea_orm::sqlx::{self, Acquire, Row};

use super::{ChunkCounts, Duplicate, RecordRow, Statements, lines, pg_error};
use crate::error::{Error, Result};

pub(super) async fn write_chunk(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    system_id: i64,
    batch_id: i64,
    rows: &[RecordRow],
    now: DateTime<Utc>,
) -> Result<(ChunkCounts, Vec<Duplicate>)> {
    let sql = Statements::new(DbBackend::Postgres);
    let conn = tx.acquire().await.map_err(pg_error)?;
    sqlx::query("TRUNCATE bd_stage")
        .execute(&mut *conn)
        .await
        .map_err(pg_error)?;
    let mut data = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::with_capacity(rows.len() * 160));
    let t = |v: &Option<DateTime<Utc>>| v.map(|t| t.to_rfc3339()).unwrap_or_default();
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    for r in rows {
        data.write_record([
            r.line.to_string(),
            r.external_id.clone(),
            r.subject_key.clone(),
            o(&r.email),
            o(&r.name),
            o(&r.locale),
            o(&r.country),
            o(&r.region),
            o(&r.address_line1),
            o(&r.address_line2),
            o(&r.postal_code),
            o(&r.city),
            o(&r.phone),
            t(&r.first_seen),
            t(&r.last_seen),
            r.categories.to_string(),
            r.content_hash.clone(),
            o(&r.near_key),
            r.held_categories.to_string(),
            r.unheld_categories.to_string(),
        ])
        .map_err(|e| Error::failure(format!("cannot stage rows: {e}")))?;
    }
    let data = data
        .into_inner()
        .map_err(|e| Error::failure(format!("cannot stage rows: {e}")))?;
    // Unquoted empty fields are NULL; values are never empty strings (empty means none).
    let mut copy = conn
        .copy_in_raw("COPY bd_stage FROM STDIN (FORMAT csv)")
        .await
        .map_err(pg_error)?;
    copy.send(data).await.map_err(pg_error)?;
    copy.finish().await.map_err(pg_error)?;

    let found = sqlx::query(sqlx::AssertSqlSafe(sql.duplicates))
        .bind(system_id)
        .bind(batch_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(pg_error)?;
    let duplicates: Vec<Duplicate> = found
        .iter()
        .map(|r| Duplicate {
            line: r.get::<i64, _>("line") as u64,
            first_line: r.get::<i64, _>("first_line") as u64,
        })
        .collect();
    if !duplicates.is_empty() {
        let delete = format!("DELETE FROM bd_stage WHERE line IN ({})", lines(&duplicates));
        sqlx::query(sqlx::AssertSqlSafe(delete))
            .execute(&mut *conn)
            .await
            .map_err(pg_error)?;
    }
    let row = sqlx::query(sqlx::AssertSqlSafe(sql.counts))
        .bind(system_id)
        .fetch_one(&mut *conn)
        .await
        .map_err(pg_error)?;
    let counts = ChunkCounts::from_totals(row.get("inserted"), row.get("updated"), row.get("total"));
    sqlx::query(sqlx::AssertSqlSafe(sql.keep))
        .bind(system_id)
        .execute(&mut *conn)
        .await
        .map_err(pg_error)?;
    sqlx::query(sqlx::AssertSqlSafe(sql.subjects))
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(pg_error)?;
    sqlx::query(sqlx::AssertSqlSafe(sql.records))
        .bind(system_id)
        .bind(batch_id)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(pg_error)?;
    Ok((counts, duplicates))
}
