//! Live SQL sources: a read-only SELECT against the organisation's own PostgreSQL or SQLite
//! database, whose URL is read from a named environment variable when it runs (never stored,
//! never on the command line). Its rows are imported like a CSV file's.

use std::path::Path;

use futures_util::TryStreamExt;
use sea_orm::sqlx::postgres::PgConnectOptions;
use sea_orm::sqlx::sqlite::SqliteConnectOptions;
use sea_orm::sqlx::{self, Column, ConnectOptions, Connection, Row};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

use super::chunk::ChunkBuilder;
use super::import::{ImportReport, Importer};
use super::mapping::{ColumnUse, Mapping};
use super::system;
use crate::audit;
use crate::config::{Settings, redact_url, secret_from_env};
use crate::db::Db;
use crate::db::entities::inventory_source;
use crate::error::{DbContext, Error, Result};

/// Attaches (or replaces) the SQL source of a system.
pub async fn add(
    db: &Db,
    settings: &Settings,
    system_key: &str,
    url_env: &str,
    query_file: &Path,
    maps: &[String],
) -> Result<()> {
    let system = system::find(db, system_key).await?;
    // Checks the name only; the variable need not be set on this machine.
    if let Err(e) = secret_from_env(url_env)
        && e.to_string().contains("not an environment variable")
    {
        return Err(e);
    }
    let text = std::fs::read_to_string(query_file)
        .map_err(|e| Error::bad_input(format!("cannot read {}: {e}", query_file.display())))?;
    let query = check_query(&text).map_err(|e| Error::bad_input(format!("{}: {e}", query_file.display())))?;
    let now = settings.now();
    let rec = audit::begin(db, &settings.actor, now).await?;
    inventory_source::Entity::delete_many()
        .filter(inventory_source::Column::SystemId.eq(system.id))
        .exec(rec.txn())
        .await
        .context("replacing the SQL source")?;
    inventory_source::ActiveModel {
        system_id: Set(system.id),
        url_env: Set(url_env.to_string()),
        query: Set(query.clone()),
        mapping: Set(maps.join("\n")),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(rec.txn())
    .await
    .context("adding the SQL source")?;
    let hash = hex::encode(Sha256::digest(query.as_bytes()));
    rec.record(
        "inventory.source.add",
        &format!("system:{}", system.key),
        None,
        serde_json::json!({ "url_env": url_env, "query_sha256": hash }),
    )
    .await?;
    rec.commit().await
}

/// One SELECT (or WITH ... SELECT) statement, without a trailing semicolon.
fn check_query(text: &str) -> std::result::Result<String, String> {
    let q = text.trim().trim_end_matches(';').trim();
    let first = q.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
    if first != "select" && first != "with" {
        return Err("the query must be a single SELECT statement".into());
    }
    if q.contains(';') {
        return Err("the query must be a single statement (no ';' inside)".into());
    }
    Ok(q.to_string())
}

/// Runs the system's SQL source and imports its rows.
pub async fn sync(db: &Db, settings: &Settings, system_key: &str) -> Result<ImportReport> {
    let system = system::find(db, system_key).await?;
    let source = inventory_source::Entity::find()
        .filter(inventory_source::Column::SystemId.eq(system.id))
        .one(&db.conn)
        .await
        .context("reading the SQL source")?
        .ok_or_else(|| {
            Error::bad_input(format!(
                "system {} has no SQL source: add one with `breachdesk inventory source add --system {}`",
                system.key, system.key
            ))
        })?;
    let url = secret_from_env(&source.url_env)?;
    let maps: Vec<String> = source
        .mapping
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    let label = format!("sql:{}", source.url_env);
    let hash = hex::encode(Sha256::digest(source.query.as_bytes()));
    let fail = |e: sqlx::Error| {
        Error::failure(format!(
            "SQL source {} ({}): {}",
            source.url_env,
            redact_url(&url),
            first_line(&e)
        ))
    };

    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let options: PgConnectOptions = url.parse().map_err(fail)?;
        let mut conn = options
            .disable_statement_logging()
            .connect()
            .await
            .map_err(fail)?;
        sqlx::query("BEGIN READ ONLY")
            .execute(&mut conn)
            .await
            .map_err(fail)?;
        let wrapped = format!("SELECT row_to_json(q)::text AS r FROM ({}) q", source.query);
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(wrapped)).fetch(&mut conn);
        let mut importer: Option<Feed<'_>> = None;
        let mut n = 0_u64;
        while let Some(row) = rows.try_next().await.map_err(fail)? {
            n += 1;
            let text: String = row.try_get(0).map_err(fail)?;
            let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text)
                .map_err(|e| Error::failure(format!("SQL source row {n}: {e}")))?;
            if importer.is_none() {
                let headers: Vec<String> = object.keys().cloned().collect();
                let mapping = Mapping::build(&headers, &maps)?;
                let importer_ =
                    Importer::start(db, settings, &system, &label, &hash, &headers, false, None).await?;
                importer = Some(Feed {
                    importer: importer_,
                    columns: mapping.summary(&headers),
                    builder: ChunkBuilder::new(mapping, &system.key),
                });
            }
            let values: Vec<String> = object.values().map(json_text).collect();
            let refs: Vec<&str> = values.iter().map(String::as_str).collect();
            importer.as_mut().expect("started above").push(n, &refs).await?;
        }
        drop(rows);
        let _ = sqlx::query("ROLLBACK").execute(&mut conn).await;
        finish(importer, db, settings, &system, &label, &hash).await
    } else if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .disable_statement_logging();
        let mut conn = options.connect().await.map_err(fail)?;
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(source.query.clone())).fetch(&mut conn);
        let mut importer: Option<Feed<'_>> = None;
        let mut n = 0_u64;
        while let Some(row) = rows.try_next().await.map_err(fail)? {
            n += 1;
            if importer.is_none() {
                let headers: Vec<String> = row.columns().iter().map(|c| c.name().to_string()).collect();
                let mapping = Mapping::build(&headers, &maps)?;
                let importer_ =
                    Importer::start(db, settings, &system, &label, &hash, &headers, false, None).await?;
                importer = Some(Feed {
                    importer: importer_,
                    columns: mapping.summary(&headers),
                    builder: ChunkBuilder::new(mapping, &system.key),
                });
            }
            let values: Vec<String> = (0..row.len())
                .map(|i| {
                    row.try_get_unchecked::<Option<String>, _>(i)
                        .ok()
                        .flatten()
                        .unwrap_or_default()
                })
                .collect();
            let refs: Vec<&str> = values.iter().map(String::as_str).collect();
            importer.as_mut().expect("started above").push(n, &refs).await?;
        }
        drop(rows);
        let _ = conn.close().await;
        finish(importer, db, settings, &system, &label, &hash).await
    } else {
        Err(Error::bad_input(format!(
            "{} holds an unsupported URL ({}): use postgres://... or sqlite://FILE",
            source.url_env,
            redact_url(&url)
        )))
    }
}

/// A started import and the chunks being built for it.
struct Feed<'a> {
    importer: Importer<'a>,
    /// What becomes of each column of the query's result.
    columns: Vec<ColumnUse>,
    builder: ChunkBuilder,
}

impl Feed<'_> {
    async fn push(&mut self, line: u64, values: &[&str]) -> Result<()> {
        match self.builder.push(line, values) {
            Some(chunk) => self.importer.write(chunk).await,
            None => Ok(()),
        }
    }
}

/// Closes the import; a query that returned no rows still records an (empty) batch.
async fn finish(
    feed: Option<Feed<'_>>,
    db: &Db,
    settings: &Settings,
    system: &system::System,
    label: &str,
    hash: &str,
) -> Result<ImportReport> {
    match feed {
        Some(Feed {
            mut importer,
            columns,
            builder,
        }) => {
            importer.write(builder.finish()).await?;
            let mut report = importer.finish().await?;
            report.columns = columns;
            Ok(report)
        }
        None => {
            Importer::start(db, settings, system, label, hash, &[], false, None)
                .await?
                .finish()
                .await
        }
    }
}

fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn first_line(e: &sqlx::Error) -> String {
    match e.as_database_error() {
        Some(d) => d.message().to_string(),
        None => e.to_string().lines().next().unwrap_or_default().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::check_query;

    #[test]
    fn only_single_selects_are_accepted() {
        assert_eq!(
            check_query(" SELECT id, email FROM people;\n").unwrap(),
            "SELECT id, email FROM people"
        );
        assert!(check_query("with x as (select 1) select * from x").is_ok());
        assert!(check_query("DELETE FROM people").is_err());
        assert!(check_query("SELECT 1; DROP TABLE people").is_err());
    }
}
