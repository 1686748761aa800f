//! Inventory benchmark: import and resolve at 1M (and, with `--rows`, 10M) records in three
//! systems with 30% overlap, on SQLite and PostgreSQL, each beside its reference in the same
//! run: `sqlite3 .import` / psql `\copy` of the same CSV for import, and a hand-written SQL
//! query of the same resolution. Peak memory from `/usr/bin/time`. Results go to
//! BENCHMARKS.md (between the inventory markers) and to stdout.
//!
//!   cargo bench --bench inventory -- [--rows 100000,1000000,10000000] [--backends sqlite,postgres]
//!
//! Needs the `sqlite3`, `time` and `postgresql-client` Debian packages and a PostgreSQL server
//! on 127.0.0.1:5432 (user postgres) for the PostgreSQL part. Not part of CI.

mod support;

use support::write_section;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_breachdesk");
const PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";

struct Args {
    rows: Vec<usize>,
    backends: Vec<String>,
}

fn args() -> Args {
    let mut a = Args {
        rows: vec![1_000_000],
        backends: vec!["sqlite".into(), "postgres".into()],
    };
    let argv: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < argv.len() {
        match argv[i].as_str() {
            "--rows" => {
                a.rows = argv[i + 1]
                    .split(',')
                    .map(|n| n.replace('_', "").parse().expect("--rows N,N"))
                    .collect();
                i += 1;
            }
            "--backends" => {
                a.backends = argv[i + 1].split(',').map(str::to_string).collect();
                i += 1;
            }
            _ => {} // cargo bench passes --bench
        }
        i += 1;
    }
    a
}

/// Three CSV files (6 text columns) of `total / 3` rows each; 30% of the people in B are also
/// in A, 30% of those in C also in B. Deterministic.
fn generate(dir: &Path, total: usize) -> Vec<PathBuf> {
    let per = total / 3;
    let overlap = per * 3 / 10;
    let mut files = Vec::new();
    let mut state: u64 = 0x5eed;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        state >> 33
    };
    let countries = ["DE", "FR", "AT", "GB", "US", "ES", "IT", "NL"];
    for (s, name) in ["a", "b", "c"].iter().enumerate() {
        let path = dir.join(format!("system_{name}.csv"));
        let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path).unwrap());
        writeln!(w, "id,email,name,country,first_seen,last_seen").unwrap();
        for i in 0..per {
            // Person numbers: system s starts at s*(per-overlap), so its first `overlap` rows
            // are the previous system's last people.
            let person = s * (per - overlap) + i;
            let r = next();
            let year = 2021 + (r % 6);
            let month = 1 + (r / 7) % 12;
            writeln!(
                w,
                "{name}{i},person{person}@example.org,Person Number {person},{},{}-{:02}-01,{}-{:02}-28",
                countries[person % countries.len()],
                year - 1,
                month,
                year,
                month
            )
            .unwrap();
        }
        files.push(path);
    }
    files
}

/// (seconds, peak RSS in MiB) of a command.
fn timed(cmd: &mut Command) -> (f64, f64) {
    let (_, secs, rss) = support::timed(cmd);
    (secs, rss)
}

fn bd(dir: &Path, url: &str) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(dir)
        .env("BREACHDESK_DATABASE_URL", url)
        .env("BREACHDESK_ACTOR", "bench")
        .env("BREACHDESK_TZ", "UTC");
    c
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{:?}: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Feeds `script` to a database shell (`sqlite3 FILE`, `psql URL`) on its standard input and
/// waits for it to succeed. Returns seconds.
fn piped(cmd: &mut Command, script: &str) -> f64 {
    let t = Instant::now();
    let mut child = cmd.stdin(std::process::Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success(), "{cmd:?} failed");
    t.elapsed().as_secs_f64()
}

/// The database's own bulk loader (`sqlite3 .import`, psql `\copy`) of `files` into one table
/// of six text columns: plain, or `keyed` with a unique index on the record id (ids are
/// unique across the three files). Returns seconds.
fn bulk_load(backend: &str, dir: &Path, url: &str, files: &[PathBuf], keyed: bool) -> f64 {
    let table = if keyed { "ref_keyed" } else { "ref_import" };
    let create = format!(
        "CREATE TABLE {table} (id text, email text, name text, country text, first_seen text, last_seen text); {}",
        if keyed {
            format!("CREATE UNIQUE INDEX {table}_id ON {table} (id);")
        } else {
            String::new()
        }
    );
    if backend == "postgres" {
        run(Command::new("psql").args([url, "-qc", &create]));
        let mut secs = 0.0;
        for f in files {
            let copy = format!(
                "\\copy {table} FROM '{}' WITH (FORMAT csv, HEADER true)",
                f.display()
            );
            let t = Instant::now();
            run(Command::new("psql").args([url, "-qc", &copy]));
            secs += t.elapsed().as_secs_f64();
        }
        run(Command::new("psql").args([url, "-qc", &format!("DROP TABLE {table}")]));
        secs
    } else {
        let mut script = format!("{create}\n.mode csv\n");
        for f in files {
            script.push_str(&format!(".import --skip 1 '{}' {table}\n", f.display()));
        }
        piped(
            Command::new("sqlite3").arg(dir.join(format!("{table}.db"))),
            &script,
        )
    }
}

/// Bulk load + hand-written upserts, in a scratch schema (SQLite: its own file; PostgreSQL:
/// tables prefixed `ref_`, dropped afterwards). Returns seconds.
fn reference_upsert_import(backend: &str, dir: &Path, url: &str, files: &[PathBuf]) -> f64 {
    let pg = backend == "postgres";
    let (pk, now) = if pg {
        ("BIGSERIAL PRIMARY KEY", "now()")
    } else {
        ("INTEGER PRIMARY KEY", "'now'")
    };
    let mut sql = format!(
        "CREATE TABLE ref_subject (id {pk}, subject_key TEXT UNIQUE NOT NULL, email TEXT, name TEXT, country TEXT, \
         updated_at TEXT); \
         CREATE TABLE ref_record (id {pk}, system_id BIGINT NOT NULL, external_id TEXT NOT NULL, subject_id BIGINT NOT NULL, \
         first_seen TEXT, last_seen TEXT, batch_id BIGINT, updated_at TEXT); \
         CREATE UNIQUE INDEX ref_ux ON ref_record (system_id, external_id); CREATE INDEX ref_ix ON ref_record (subject_id); \
         CREATE TABLE ref_stage (id TEXT, email TEXT, name TEXT, country TEXT, first_seen TEXT, last_seen TEXT);\n"
    );
    for (i, f) in files.iter().enumerate() {
        if pg {
            sql.push_str(&format!(
                "\\copy ref_stage FROM '{}' WITH (FORMAT csv, HEADER true)\n",
                f.display()
            ));
        } else {
            sql.push_str(&format!(".import --csv --skip 1 '{}' ref_stage\n", f.display()));
        }
        sql.push_str(&format!(
            "BEGIN; \
             INSERT INTO ref_subject (subject_key, email, name, country, updated_at) \
             SELECT 'e:' || lower(email), MAX(email), MAX(name), MAX(country), {now} FROM ref_stage WHERE true \
             GROUP BY 'e:' || lower(email) ON CONFLICT (subject_key) DO UPDATE SET name = excluded.name; \
             INSERT INTO ref_record (system_id, external_id, subject_id, first_seen, last_seen, batch_id, updated_at) \
             SELECT {i}, s.id, subj.id, s.first_seen, s.last_seen, 1, {now} FROM ref_stage s \
             JOIN ref_subject subj ON subj.subject_key = 'e:' || lower(s.email) WHERE true \
             ON CONFLICT (system_id, external_id) DO UPDATE SET batch_id = excluded.batch_id; \
             DELETE FROM ref_stage; COMMIT;\n"
        ));
    }
    let secs = if pg {
        piped(
            Command::new("psql").args([url, "-q", "-v", "ON_ERROR_STOP=1"]),
            &sql,
        )
    } else {
        piped(
            Command::new("sqlite3").arg(dir.join("reference-upsert.db")),
            &format!("PRAGMA journal_mode=WAL;\nPRAGMA synchronous=NORMAL;\n{sql}"),
        )
    };
    if pg {
        run(Command::new("psql").args([url, "-qc", "DROP TABLE ref_record, ref_subject, ref_stage"]));
    }
    secs
}

/// The hand-written resolution: two systems, an 18-month window, one row per person with the
/// union of categories (the same bit masks breachdesk stores).
fn reference_resolution_sql(pg: bool) -> String {
    let or = if pg {
        "bit_or(CASE WHEN r.categories = 0 THEN s.categories ELSE r.categories END)".to_string()
    } else {
        (0..31)
            .map(|b| {
                format!(
                    "MAX((CASE WHEN r.categories = 0 THEN s.categories ELSE r.categories END) & {})",
                    1_i64 << b
                )
            })
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let (from, to) = if pg {
        (
            "TIMESTAMPTZ '2025-01-01 00:00:00+00'",
            "TIMESTAMPTZ '2026-06-30 00:00:00+00'",
        )
    } else {
        ("'2025-01-01T00:00:00+00:00'", "'2026-06-30T00:00:00+00:00'")
    };
    format!(
        "DROP TABLE IF EXISTS ref_affected; CREATE TABLE ref_affected AS \
         SELECT r.subject_id, {or} AS categories, COUNT(*) AS records \
         FROM subject_record r JOIN system s ON s.id = r.system_id \
         WHERE s.key IN ('sys_a', 'sys_b') AND (r.last_seen IS NULL OR r.last_seen >= {from}) \
         AND (r.first_seen IS NULL OR r.first_seen <= {to}) GROUP BY r.subject_id;"
    )
}

/// The hand-written resolution followed by the writes breachdesk's resolution makes: one row
/// per affected person into a table keyed on (incident, person), and a follow-up case per
/// person into a table with the same four indexes as `followup_case`.
fn reference_resolution_with_writes_sql(pg: bool) -> String {
    let (pk, now) = if pg {
        ("BIGSERIAL PRIMARY KEY", "now()")
    } else {
        ("INTEGER PRIMARY KEY", "'now'")
    };
    format!(
        "{} DROP TABLE IF EXISTS ref_aff; DROP TABLE IF EXISTS ref_case; \
         CREATE TABLE ref_aff (id {pk}, incident_id BIGINT NOT NULL, subject_id BIGINT NOT NULL, categories BIGINT, \
         records BIGINT, resolved_at TEXT); CREATE UNIQUE INDEX ref_aff_ux ON ref_aff (incident_id, subject_id); \
         CREATE TABLE ref_case (id {pk}, incident_id BIGINT NOT NULL, subject_id BIGINT NOT NULL, status TEXT, \
         in_scope BOOLEAN, opened_at TEXT, updated_at TEXT); \
         CREATE UNIQUE INDEX ref_case_ux ON ref_case (incident_id, subject_id); \
         CREATE INDEX ref_case_st ON ref_case (incident_id, status); CREATE INDEX ref_case_s ON ref_case (subject_id); \
         BEGIN; INSERT INTO ref_aff (incident_id, subject_id, categories, records, resolved_at) \
         SELECT 1, subject_id, categories, records, {now} FROM ref_affected; \
         INSERT INTO ref_case (incident_id, subject_id, status, in_scope, opened_at, updated_at) \
         SELECT 1, subject_id, 'open', true, {now}, {now} FROM ref_aff; COMMIT;",
        reference_resolution_sql(pg)
    )
}

/// Runs `sql` in the database's own shell; returns seconds.
fn shell_sql(backend: &str, dir: &Path, url: &str, sql: &str) -> f64 {
    if backend == "postgres" {
        let t = Instant::now();
        run(Command::new("psql").args([url, "-qc", sql]));
        t.elapsed().as_secs_f64()
    } else {
        piped(Command::new("sqlite3").arg(dir.join("bench.db")), sql)
    }
}

struct Row {
    backend: String,
    rows: usize,
    import_s: f64,
    import_ref_s: f64,
    import_keyed_s: f64,
    import_sql_s: f64,
    import_rss: f64,
    resolve_s: f64,
    resolve_ref_s: f64,
    resolve_ref_writes_s: f64,
    resolve_rss: f64,
    affected: String,
}

fn bench(backend: &str, total: usize, work: &Path) -> Row {
    let dir = work.join(format!("{backend}-{total}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    eprintln!("[{backend} {total}] generating data");
    let files = generate(&dir, total);
    let pg_db = format!("bd_bench_{}_{}", total, std::process::id());
    let url = if backend == "postgres" {
        let _ = Command::new("psql")
            .args([PG_ADMIN, "-qc", &format!("DROP DATABASE IF EXISTS {pg_db}")])
            .output();
        run(Command::new("psql").args([PG_ADMIN, "-qc", &format!("CREATE DATABASE {pg_db}")]));
        format!("postgres://postgres@127.0.0.1:5432/{pg_db}")
    } else {
        "sqlite://bench.db".to_string()
    };

    // References: the bulk loader of each database, into a plain table, same files; and the
    // same into a table with the key the import upserts on (the record id), which is the
    // least any import keyed on (system, id) has to do.
    eprintln!("[{backend} {total}] reference imports");
    let import_ref_s = bulk_load(backend, &dir, &url, &files, false);
    let import_keyed_s = bulk_load(backend, &dir, &url, &files, true);

    // Second reference: the same work written by hand in the database's own shell — bulk
    // load into a staging table, then one person per lower-cased email and one record per
    // (system, id), upserted into tables with breachdesk's keys and indexes.
    eprintln!("[{backend} {total}] reference import with the same upserts, in SQL");
    let import_sql_s = reference_upsert_import(backend, &dir, &url, &files);

    eprintln!("[{backend} {total}] breachdesk import");
    run(bd(&dir, &url).args(["-q", "init"]));
    for (i, _) in files.iter().enumerate() {
        let key = format!("sys_{}", ["a", "b", "c"][i]);
        run(bd(&dir, &url).args([
            "inventory",
            "system",
            "add",
            &key,
            "--name",
            &key,
            "--categories",
            "name,email,postal_address",
        ]));
    }
    let mut import_s = 0.0;
    let mut import_rss: f64 = 0.0;
    for (i, f) in files.iter().enumerate() {
        let key = format!("sys_{}", ["a", "b", "c"][i]);
        let (s, rss) = timed(
            bd(&dir, &url)
                .args(["-q", "inventory", "import", "--system", &key])
                .arg(f),
        );
        import_s += s;
        import_rss = import_rss.max(rss);
    }

    eprintln!("[{backend} {total}] resolve");
    let reference = run(bd(&dir, &url).args(["-q", "incident", "declare", "--title", "bench"]))
        .trim()
        .to_string();
    for key in ["sys_a", "sys_b"] {
        run(bd(&dir, &url).args([
            "incident",
            "scope",
            &reference,
            "--system",
            key,
            "--records-from",
            "2025-01-01",
            "--records-to",
            "2026-06-30",
        ]));
    }
    let (resolve_s, resolve_rss) = timed(bd(&dir, &url).args(["-q", "affected", "resolve", &reference]));
    let stats = run(bd(&dir, &url).args(["affected", "stats", &reference, "--json"]));
    let stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
    let affected = format!("{} subjects, {} records", stats["subjects"], stats["records"]);

    let pg = backend == "postgres";
    let resolve_ref_s = shell_sql(backend, &dir, &url, &reference_resolution_sql(pg));
    let resolve_ref_writes_s = shell_sql(backend, &dir, &url, &reference_resolution_with_writes_sql(pg));

    if backend == "postgres" {
        let _ = Command::new("psql")
            .args([
                PG_ADMIN,
                "-qc",
                &format!("DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)"),
            ])
            .output();
    }
    let _ = std::fs::remove_dir_all(&dir);
    Row {
        backend: backend.into(),
        rows: total,
        import_s,
        import_ref_s,
        import_keyed_s,
        import_sql_s,
        import_rss,
        resolve_s,
        resolve_ref_s,
        resolve_ref_writes_s,
        resolve_rss,
        affected,
    }
}

#[allow(clippy::print_stdout)] // a benchmark's report
fn main() {
    let a = args();
    let work = std::env::temp_dir().join(format!("breachdesk-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let mut results = Vec::new();
    for backend in &a.backends {
        for &rows in &a.rows {
            let r = bench(backend, rows, &work);
            eprintln!(
                "[{} {}] import {:.2}s ({:.0} rows/s) vs bulk load {:.2}s = {:.2}x, vs keyed bulk load {:.2}s = {:.2}x, vs bulk load + upserts {:.2}s = {:.2}x; resolve {:.2}s vs {:.2}s = {:.2}x, vs with the same writes {:.2}s = {:.2}x; peak RSS import {:.0} MiB",
                r.backend,
                r.rows,
                r.import_s,
                r.rows as f64 / r.import_s,
                r.import_ref_s,
                r.import_s / r.import_ref_s,
                r.import_keyed_s,
                r.import_s / r.import_keyed_s,
                r.import_sql_s,
                r.import_s / r.import_sql_s,
                r.resolve_s,
                r.resolve_ref_s,
                r.resolve_s / r.resolve_ref_s,
                r.resolve_ref_writes_s,
                r.resolve_s / r.resolve_ref_writes_s,
                r.import_rss
            );
            results.push(r);
        }
    }
    let _ = std::fs::remove_dir_all(&work);

    let mut md = String::new();
    md.push_str(&format!(
        "Run of `cargo bench --bench inventory -- --rows {} --backends {}` on {} ({} cores).\n\n",
        a.rows.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(","),
        a.backends.join(","),
        std::env::consts::ARCH,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    ));
    md.push_str("| backend | rows | import | rows/s | bulk load (ref.) | ratio | keyed bulk load (ref.) | ratio | bulk load + same upserts in SQL (ref.) | ratio | peak RSS import | resolve | hand-written SQL (ref.) | ratio | hand-written SQL + same writes (ref.) | ratio | peak RSS resolve | affected |\n");
    md.push_str(
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for r in &results {
        md.push_str(&format!(
            "| {} | {} | {:.2} s | {:.0} | {:.2} s | {:.2}x | {:.2} s | {:.2}x | {:.2} s | {:.2}x | {:.0} MiB | {:.2} s | {:.2} s | {:.2}x | {:.2} s | {:.2}x | {:.0} MiB | {} |\n",
            r.backend,
            r.rows,
            r.import_s,
            r.rows as f64 / r.import_s,
            r.import_ref_s,
            r.import_s / r.import_ref_s,
            r.import_keyed_s,
            r.import_s / r.import_keyed_s,
            r.import_sql_s,
            r.import_s / r.import_sql_s,
            r.import_rss,
            r.resolve_s,
            r.resolve_ref_s,
            r.resolve_s / r.resolve_ref_s,
            r.resolve_ref_writes_s,
            r.resolve_s / r.resolve_ref_writes_s,
            r.resolve_rss,
            r.affected
        ));
    }
    print!("{md}");
    write_section("BENCHMARKS.md", "inventory", &md);
}
