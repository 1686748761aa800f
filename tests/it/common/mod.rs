//! The test sandbox: a temporary directory, a fresh database (a SQLite file in it, or a new
//! PostgreSQL database on the server named by BREACHDESK_TEST_DATABASE_URL), and the real
//! `breachdesk` binary run in it with a controlled environment.

pub mod smtp;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::Command;
use libtest_mimic::{Failed, Trial};
use sea_orm::sqlx::{self, Connection};
use serde_json::Value;

/// The variable that names the PostgreSQL server (and a database on it we may connect to).
pub const PG_VAR: &str = "BREACHDESK_TEST_DATABASE_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Which backends a test runs on.
#[derive(Debug, Clone, Copy)]
pub enum On {
    Both,
    SqliteOnly,
    /// What only PostgreSQL does (several senders on one outbox).
    PostgresOnly,
}

pub type TestFn = fn(&TestEnv);

/// One trial per test and backend. PostgreSQL trials are listed as ignored when no server is
/// configured, except under CI, where that is a failure.
#[allow(clippy::print_stdout)] // the note belongs beside the test list
pub fn trials(tests: &[(&'static str, On, TestFn)]) -> Vec<Trial> {
    let pg = std::env::var(PG_VAR).ok().filter(|v| !v.is_empty());
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    if pg.is_none() {
        if in_ci {
            panic!("{PG_VAR} is not set: CI must run the PostgreSQL variants");
        }
        println!(
            "note: PostgreSQL variants skipped (shown as ignored): set {PG_VAR}=postgres://USER@HOST:5432/DB to run them"
        );
    }
    let mut out = Vec::new();
    for &(name, on, test) in tests {
        let backends = match on {
            On::Both => vec![Backend::Sqlite, Backend::Postgres],
            On::SqliteOnly => vec![Backend::Sqlite],
            On::PostgresOnly => vec![Backend::Postgres],
        };
        for backend in backends {
            let ignored = backend == Backend::Postgres && pg.is_none();
            let trial = Trial::test(format!("{}::{name}", backend.name()), move || {
                let env = TestEnv::new(backend)?;
                test(&env);
                Ok(())
            })
            .with_ignored_flag(ignored);
            out.push(trial);
        }
    }
    out
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A sandbox for one test.
pub struct TestEnv {
    pub backend: Backend,
    dir: tempfile::TempDir,
    url: String,
    pg: Option<PgDatabase>,
}

struct PgDatabase {
    admin_url: String,
    name: String,
}

impl TestEnv {
    fn new(backend: Backend) -> Result<TestEnv, Failed> {
        let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
        let (url, pg) = match backend {
            Backend::Sqlite => ("sqlite://breachdesk.db".to_string(), None),
            Backend::Postgres => {
                let admin_url = std::env::var(PG_VAR).map_err(|_| format!("{PG_VAR} not set"))?;
                let base = database_name(&admin_url).unwrap_or("breachdesk_test").to_string();
                let name = format!(
                    "{}_{}_{}",
                    &base[..base.len().min(40)],
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst)
                );
                block_on(async {
                    let mut conn = sqlx::PgConnection::connect(&admin_url).await?;
                    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                        .execute(&mut conn)
                        .await?;
                    conn.close().await
                })
                .map_err(|e| format!("cannot create test database {name} via {PG_VAR}: {e}"))?;
                (
                    with_database(&admin_url, &name),
                    Some(PgDatabase { admin_url, name }),
                )
            }
        };
        Ok(TestEnv {
            backend,
            dir,
            url,
            pg,
        })
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The database URL the binary is given.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The SQLite file (SQLite tests only).
    pub fn sqlite_file(&self) -> PathBuf {
        self.dir().join("breachdesk.db")
    }

    /// The real binary, in the sandbox, with a clean environment: the sandbox database, actor
    /// "tester", zone UTC, and nothing from the developer's own settings.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_breachdesk"));
        for (key, _) in std::env::vars() {
            if key.starts_with("BREACHDESK_") {
                cmd.env_remove(key);
            }
        }
        cmd.current_dir(self.dir())
            .env("BREACHDESK_DATABASE_URL", &self.url)
            .env("BREACHDESK_ACTOR", "tester")
            .env("BREACHDESK_TZ", "UTC")
            .env("BREACHDESK_LOG", "warn");
        cmd
    }

    /// Runs the binary with `args`, expects success, returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        run_ok(self.cmd().args(args))
    }

    /// Runs `init`.
    pub fn init(&self) {
        self.ok(&["init"]);
    }

    /// Runs the binary with `args` and parses its stdout as JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        let stdout = self.ok(args);
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}):\n{stdout}"))
    }

    /// Runs the binary with `args`, expects exit `code`, returns stderr, which must be one
    /// line starting `breachdesk: ` (a clear message, never a panic or a raw SQL error).
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        run_fails(self.cmd().args(args), code)
    }

    /// Like [`json`](Self::json) for a command that exits 1 but still prints JSON.
    pub fn json_failing(&self, args: &[&str]) -> Value {
        let output = self.cmd().args(args).output().expect("run breachdesk");
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        serde_json::from_slice(&output.stdout).expect("JSON on stdout")
    }

    /// Declares an incident, returns its reference.
    pub fn declare(&self, args: &[&str]) -> String {
        let mut all = vec!["incident", "declare", "-q"];
        all.extend_from_slice(args);
        self.ok(&all).trim().to_string()
    }

    /// Executes SQL directly on the database, as someone tampering with it would.
    pub fn sql(&self, statement: &str) {
        match self.backend {
            Backend::Sqlite => self.sql_at(&format!("sqlite://{}", self.sqlite_file().display()), statement),
            Backend::Postgres => self.sql_at(&self.url.clone(), statement),
        }
    }

    /// The first column of the first row of `query`, as a number (0 when NULL).
    pub fn scalar(&self, query: &str) -> i64 {
        let query = query.to_string();
        let result = match self.backend {
            Backend::Sqlite => {
                let url = format!("sqlite://{}", self.sqlite_file().display());
                block_on(async move {
                    let mut conn = sqlx::SqliteConnection::connect(&url).await?;
                    let v: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(query))
                        .fetch_one(&mut conn)
                        .await?;
                    conn.close().await?;
                    Ok::<_, sqlx::Error>(v)
                })
            }
            Backend::Postgres => {
                let url = self.url.clone();
                block_on(async move {
                    let mut conn = sqlx::PgConnection::connect(&url).await?;
                    let v: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(query))
                        .fetch_one(&mut conn)
                        .await?;
                    conn.close().await?;
                    Ok::<_, sqlx::Error>(v)
                })
            }
        };
        result
            .unwrap_or_else(|e| panic!("query failed: {e}"))
            .unwrap_or(0)
    }

    /// Executes SQL on another database (a source the organisation has, say).
    pub fn sql_at(&self, url: &str, statement: &str) {
        self.try_sql_at(url, statement)
            .unwrap_or_else(|e| panic!("direct SQL failed: {e}"));
    }

    /// Like [`sql`](Self::sql), returning the database's refusal instead of panicking.
    pub fn try_sql(&self, statement: &str) -> Result<(), String> {
        match self.backend {
            Backend::Sqlite => {
                self.try_sql_at(&format!("sqlite://{}", self.sqlite_file().display()), statement)
            }
            Backend::Postgres => self.try_sql_at(&self.url.clone(), statement),
        }
    }

    fn try_sql_at(&self, url: &str, statement: &str) -> Result<(), String> {
        let (statement, url) = (statement.to_string(), url.to_string());
        let result = if url.starts_with("sqlite:") {
            block_on(async move {
                let mut conn = sqlx::SqliteConnection::connect(&url).await?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                    .execute(&mut conn)
                    .await?;
                conn.close().await
            })
        } else {
            block_on(async move {
                let mut conn = sqlx::PgConnection::connect(&url).await?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                    .execute(&mut conn)
                    .await?;
                conn.close().await
            })
        };
        result.map_err(|e| e.to_string())
    }
}

/// The shop's four customers: Erika and Marie by email (German, French), Paul on paper, Nora
/// with no address at all.
pub const SHOP_CSV: &str = "id,email,name,locale,country,address_line1,postal_code,city\n\
     1,erika@example.org,Erika Mustermann,de-AT,AT,Heidestraße 17,1010,Wien\n\
     2,marie@example.fr,Marie Dupont,fr,FR,,,\n\
     3,,Paul Post,en,GB,221 Baker Street,NW1 6XE,London\n\
     4,,Nora Nowhere,en,GB,,,\n";

impl TestEnv {
    /// The shop the letter, sending and follow-up tests share: `config` as breachdesk.toml, a
    /// `shop` system (name, email, postal address, credentials) with `csv` imported, an
    /// incident declared (with `declare` added) with everything a letter must say, scoped to
    /// the shop and resolved. Returns the reference.
    pub fn shop_incident(&self, config: &str, csv: &str, declare: &[&str]) -> String {
        self.init();
        std::fs::write(self.dir().join("breachdesk.toml"), config).unwrap();
        self.ok(&[
            "inventory",
            "system",
            "add",
            "shop",
            "--name",
            "Online shop",
            "--categories",
            "name,email,postal_address,credentials",
        ]);
        std::fs::write(self.dir().join("shop.csv"), csv).unwrap();
        self.ok(&["inventory", "import", "--system", "shop", "shop.csv"]);
        let mut args = vec![
            "--title",
            "shop leak",
            "--nature",
            "Someone copied the customer database.",
        ];
        args.extend_from_slice(declare);
        let r = self.declare(&args);
        self.ok(&[
            "incident",
            "update",
            &r,
            "--dpo-name",
            "Dana Schmidt",
            "--dpo-email",
            "dpo@example.com",
            "--likely-consequences",
            "Phishing in our name.",
            "--measures-taken",
            "Access closed, passwords reset.",
            "--measures-proposed",
            "Change your password.",
        ]);
        self.ok(&["incident", "scope", &r, "--system", "shop"]);
        self.ok(&["affected", "resolve", &r]);
        r
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        if let Some(pg) = &self.pg {
            let (admin, name) = (pg.admin_url.clone(), pg.name.clone());
            let _ = block_on(async move {
                let mut conn = sqlx::PgConnection::connect(&admin).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await?;
                conn.close().await
            });
        }
    }
}

pub fn run_ok(cmd: &mut Command) -> String {
    let output = cmd.output().expect("run breachdesk");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(
        output.status.success(),
        "{cmd:?} failed ({}):\n{stderr}\n{stdout}",
        output.status
    );
    stdout
}

pub fn run_fails(cmd: &mut Command, code: i32) -> String {
    let output = cmd.output().expect("run breachdesk");
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(
        output.status.code(),
        Some(code),
        "{cmd:?}: unexpected exit; stderr:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    let raw_sql = ["INSERT INTO", "DELETE FROM", "UPDATE ", "bd_stage"]
        .iter()
        .any(|k| stderr.contains(k))
        || (stderr.contains("SELECT ") && stderr.contains(" FROM "));
    assert!(!raw_sql, "raw SQL in: {stderr}");
    stderr
}

/// Asserts a clap-independent breachdesk error: exactly one line, `breachdesk: ...`.
pub fn assert_one_line(stderr: &str) {
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line, got:\n{stderr}");
    assert!(lines[0].starts_with("breachdesk: "), "{stderr}");
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

fn database_name(url: &str) -> Option<&str> {
    let after_host = url.split_once("://")?.1.split_once('/')?.1;
    Some(after_host.split('?').next().unwrap_or(after_host)).filter(|n| !n.is_empty())
}

/// The same server URL with another database name.
fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("URL with scheme");
    let (authority, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let query = tail
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    format!("{scheme}://{authority}/{name}{query}")
}
