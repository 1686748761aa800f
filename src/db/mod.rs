//! The database: opening it (SQLite file or PostgreSQL server), its schema version, and the
//! entities. The only module that knows SQL; capabilities call into it.

pub mod affected;
pub mod entities;
pub mod followup;
pub mod followup_queries;
pub mod import;
pub mod inventory;
pub mod letter_pack;
pub mod narrative;
pub mod outbox;
pub mod postal;
pub mod report;
pub mod resolve;
pub mod send;
pub mod send_kinds;
pub mod send_status;
pub mod send_steps;
pub mod sql;
pub mod subject;
pub mod withdraw;

use std::path::{Path, PathBuf};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::ConnectOptions as _;
use sea_orm::sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::config::{redact_url, scrub_secrets};
use crate::error::{DbContext, Error, Result, describe_db_error};

/// Where the data lives, parsed from a database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL server; the URL as given.
    Postgres(String),
}

impl Location {
    /// Reads `sqlite://FILE`, `sqlite:FILE` or `postgres://...` / `postgresql://...`.
    pub fn parse(url: &str) -> Result<Location> {
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() || path == ":memory:" {
                return Err(Error::bad_input(format!(
                    "database URL '{}' names no file: use sqlite://FILE, e.g. {}",
                    redact_url(url),
                    crate::config::DEFAULT_DATABASE_URL
                )));
            }
            return Ok(Location::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Location::Postgres(url.to_string()));
        }
        Err(Error::bad_input(format!(
            "unsupported database URL '{}': use sqlite://FILE or postgres://USER@HOST/DB",
            redact_url(url)
        )))
    }

    /// The location fit to print (no password).
    pub fn describe(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres(url) => redact_url(url),
        }
    }
}

/// An open database and where it is.
pub struct Db {
    pub conn: DatabaseConnection,
    pub location: Location,
}

impl Db {
    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// The same database through connections of its own, each with a page cache of
    /// `cache_kib` KiB and temporary storage on disk, for a run that walks through a large
    /// part of it (sending, rendering):
    /// the pool's connections each keep up to 64 MiB of pages, and a run that filled them
    /// would need more memory for a large breach than for a small one. On PostgreSQL, the
    /// same pool.
    pub async fn bounded(&self, cache_kib: u32) -> Result<Db> {
        self.bounded_pool(cache_kib, 2).await
    }

    /// As [`Db::bounded`], one connection only: for a writer that runs its own
    /// transactions as statements (see `send_steps`), whose rollback must reach the
    /// connection that began them. On PostgreSQL, the same pool.
    pub async fn single(&self, cache_kib: u32) -> Result<Db> {
        self.bounded_pool(cache_kib, 1).await
    }

    async fn bounded_pool(&self, cache_kib: u32, connections: u32) -> Result<Db> {
        let conn = match &self.location {
            Location::Sqlite(path) => {
                // Sorts and temporary tables go to files past the cache size: in memory, a
                // query grouping every affected person would hold them all at once.
                let options = sqlite_options(path)
                    .pragma("cache_size", format!("-{cache_kib}"))
                    .pragma("temp_store", "file")
                    .pragma("wal_autocheckpoint", "16000");
                sqlite_pool(path, options, connections).await?
            }
            Location::Postgres(_) => self.conn.clone(),
        };
        Ok(Db {
            conn,
            location: self.location.clone(),
        })
    }
}

/// Opens the database at `url`; with `create`, a missing SQLite file is created (mode 0600).
/// Does not look at the schema: see [`open_current`] for that.
pub async fn open(url: &str, create: bool) -> Result<Db> {
    let location = Location::parse(url)?;
    let conn = match &location {
        Location::Sqlite(path) => open_sqlite(path, create).await?,
        Location::Postgres(url) => open_postgres(url).await?,
    };
    Ok(Db { conn, location })
}

/// Opens the database for ordinary work: it must exist and carry exactly the schema this
/// binary knows.
pub async fn open_current(url: &str) -> Result<Db> {
    let db = open(url, false).await?;
    let schema = schema_status(&db).await?;
    schema.require_current(&db.location)?;
    Ok(db)
}

async fn open_sqlite(path: &Path, create: bool) -> Result<DatabaseConnection> {
    if !path.exists() {
        if !create {
            return Err(Error::bad_input(format!(
                "no breachdesk database at {}: run `breachdesk init` here first, or point \
                 --database / BREACHDESK_DATABASE_URL at an existing one",
                path.display()
            )));
        }
        create_private_file(path)?;
    }
    sqlite_pool(path, sqlite_options(path), 4).await
}

/// A pool of at most `connections` connections to the SQLite file at `path`.
async fn sqlite_pool(
    path: &Path,
    options: SqliteConnectOptions,
    connections: u32,
) -> Result<DatabaseConnection> {
    // A file does not hang up: no ping (a trip to the connection's thread) before each use.
    let pool = SqlitePoolOptions::new()
        .max_connections(connections)
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .map_err(|e| {
            Error::failure(format!(
                "cannot open the database {}: {}",
                path.display(),
                sqlx_message(&e)
            ))
        })?;
    Ok(pool.into())
}

/// How breachdesk opens a SQLite file: WAL, foreign keys, a generous busy timeout.
fn sqlite_options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(30))
        // Staging tables of imports live in memory; a 64 MiB page cache per connection.
        .pragma("temp_store", "memory")
        .pragma("cache_size", "-65536")
        .disable_statement_logging()
}

/// Creates an empty file readable and writable by its owner only. SQLite gives its WAL and
/// shared-memory files the same mode.
fn create_private_file(path: &Path) -> Result<()> {
    crate::private_file::open(path, true)
        .map(drop)
        .map_err(|e| Error::failure(format!("cannot create the database file {}: {e}", path.display())))
}

async fn open_postgres(url: &str) -> Result<DatabaseConnection> {
    let options: PgConnectOptions = url.parse().map_err(|e| {
        Error::bad_input(format!(
            "bad PostgreSQL URL {}: {}",
            redact_url(url),
            scrub_secrets(&sqlx_message(&e), url)
        ))
    })?;
    let options = options.disable_statement_logging();
    // One direct connection first: a refused connection or a bad password is reported as
    // such, not as a pool that timed out.
    let probe = options.connect().await.map_err(|e| {
        Error::failure(format!(
            "cannot connect to {}: {}",
            redact_url(url),
            scrub_secrets(&sqlx_message(&e), url)
        ))
    })?;
    let _ = sea_orm::sqlx::Connection::close(probe).await;
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(15))
        .connect_with(options)
        .await
        .map_err(|e| {
            Error::failure(format!(
                "cannot connect to {}: {}",
                redact_url(url),
                scrub_secrets(&sqlx_message(&e), url)
            ))
        })?;
    Ok(pool.into())
}

fn sqlx_message(err: &sea_orm::sqlx::Error) -> String {
    match err.as_database_error() {
        Some(db) => db.message().to_string(),
        None => err.to_string().lines().next().unwrap_or_default().to_string(),
    }
}

/// Which migrations the database has, against the ones this binary knows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SchemaStatus {
    pub applied: Vec<String>,
    pub pending: Vec<String>,
    /// Applied migrations this binary does not know: the database is newer than the binary.
    pub unknown: Vec<String>,
}

impl SchemaStatus {
    pub fn is_current(&self) -> bool {
        self.pending.is_empty() && self.unknown.is_empty()
    }

    fn require_current(&self, location: &Location) -> Result<()> {
        let at = location.describe();
        if !self.unknown.is_empty() {
            return Err(Error::failure(format!(
                "the database {at} has a newer schema than this breachdesk knows (migration {} \
                 is unknown): upgrade breachdesk",
                self.unknown[0]
            )));
        }
        if self.applied.is_empty() {
            return Err(Error::bad_input(format!(
                "the database {at} is not initialised: run `breachdesk init`"
            )));
        }
        if !self.pending.is_empty() {
            return Err(Error::failure(format!(
                "the database {at} needs {} migration(s) for this breachdesk: run `breachdesk db migrate`",
                self.pending.len()
            )));
        }
        Ok(())
    }
}

/// Reads the schema version without changing anything.
pub async fn schema_status(db: &Db) -> Result<SchemaStatus> {
    let backend = db.backend();
    let exists_sql = match backend {
        DbBackend::Postgres => "SELECT to_regclass('seaql_migrations') IS NOT NULL AS present",
        _ => {
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'seaql_migrations') AS present"
        }
    };
    let present = db
        .conn
        .query_one_raw(Statement::from_string(backend, exists_sql))
        .await
        .map_err(|e| open_error(&db.location, &e))?
        .map(|row| row.try_get::<bool>("", "present"))
        .transpose()
        .context("reading the schema version")?
        .unwrap_or(false);
    let applied: Vec<String> = if present {
        db.conn
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT version FROM seaql_migrations ORDER BY version",
            ))
            .await
            .context("reading the schema version")?
            .iter()
            .map(|row| row.try_get::<String>("", "version"))
            .collect::<std::result::Result<_, _>>()
            .context("reading the schema version")?
    } else {
        Vec::new()
    };
    let known: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    Ok(SchemaStatus {
        pending: known.iter().filter(|k| !applied.contains(k)).cloned().collect(),
        unknown: applied.iter().filter(|a| !known.contains(a)).cloned().collect(),
        applied,
    })
}

/// The first query on a database shows whether it can be read at all (a file that is not a
/// SQLite database only fails here).
fn open_error(location: &Location, err: &sea_orm::DbErr) -> Error {
    Error::failure(format!(
        "cannot read the database {}: {}",
        location.describe(),
        describe_db_error(err)
    ))
}

/// Applies every pending migration; returns the names applied.
pub async fn migrate(db: &Db) -> Result<Vec<String>> {
    let before = schema_status(db).await?;
    if !before.unknown.is_empty() {
        before.require_current(&db.location)?;
    }
    Migrator::up(&db.conn, None)
        .await
        .context("migrating the schema")?;
    Ok(before.pending)
}
