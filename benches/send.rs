//! Sending benchmark: `breachdesk send` of 100,000 letters from the SQLite outbox to
//! Postfix's `smtp-sink` on 127.0.0.1, at 1, 4 and 16 connections, beside Postfix's
//! `smtp-source` sending the same number of messages of the same size through the same sink
//! with the same number of connections, reused (`-d`): the limit. Runs alternate, each
//! count is measured twice. Peak memory from `/usr/bin/time`. Results go to BENCHMARKS.md
//! (between the send markers) and to stdout.
//!
//!   cargo bench --bench send -- [--messages 100000] [--connections 1,4,16] [--memory 10000,1000000]
//!
//! `--memory` sizes: an outbox of each size is sent at 16 connections once, for the peak
//! memory of the whole command as the breach grows.
//!
//! Needs the Debian packages `postfix` (only `smtp-sink` and `smtp-source` are run; see
//! PERFORMANCE.md for a non-interactive install) and `time`. Not part of CI.

mod support;

use std::io::Write;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use support::{timed, write_section};

const BIN: &str = env!("CARGO_BIN_EXE_breachdesk");

const CONFIG: &str = r#"
[organisation]
name = "Example Shop GmbH"
website = "https://www.example.com"
verify_url = "https://www.example.com/verify"
postal_address = ["Example Shop GmbH", "Musterstraße 1", "10115 Berlin"]

[send]
from = "Example Shop Privacy <privacy@example.com>"
"#;

fn bd(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .current_dir(dir)
        .env("BREACHDESK_ACTOR", "bench")
        .env("BREACHDESK_TZ", "UTC")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// An incident with `n` people, all with an email address, their letters rendered.
fn setup(dir: &Path, n: usize) -> String {
    std::fs::write(dir.join("breachdesk.toml"), CONFIG).unwrap();
    bd(dir, &["init"]);
    bd(
        dir,
        &[
            "inventory",
            "system",
            "add",
            "shop",
            "--name",
            "Shop",
            "--categories",
            "name,email,credentials",
        ],
    );
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("people.csv")).unwrap());
    writeln!(w, "id,email,name,locale,country").unwrap();
    for i in 0..n {
        writeln!(w, "{i},person{i}@example.org,Person Number {i},en,GB").unwrap();
    }
    drop(w);
    bd(dir, &["inventory", "import", "--system", "shop", "people.csv"]);
    let r = bd(
        dir,
        &[
            "incident",
            "declare",
            "-q",
            "--title",
            "bench",
            "--nature",
            "A database was copied.",
        ],
    )
    .trim()
    .to_string();
    bd(
        dir,
        &[
            "incident",
            "update",
            &r,
            "--dpo-name",
            "Dana",
            "--dpo-email",
            "dpo@example.com",
            "--likely-consequences",
            "Phishing.",
            "--measures-taken",
            "Closed.",
            "--measures-proposed",
            "Change passwords.",
        ],
    );
    bd(dir, &["incident", "scope", &r, "--system", "shop"]);
    bd(dir, &["affected", "resolve", &r]);
    bd(dir, &["letters", "render", &r]);
    r
}

/// Puts every letter back to pending, as if never sent.
fn reset(dir: &Path) {
    let db = dir.join("breachdesk.db");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sea_orm::sqlx::{self, Connection};
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display())).await.unwrap();
        sqlx::raw_sql(
            "DELETE FROM send_attempt; UPDATE notification SET status = 'pending', attempts = 0, sent_at = NULL, \
             smtp_reply = NULL, last_error = NULL, lease_worker = NULL, lease_until = NULL, next_attempt_at = NULL; \
             PRAGMA wal_checkpoint(TRUNCATE);",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    });
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn sink(port: u16) -> Child {
    let child = Command::new("smtp-sink")
        .args(["-u", "nobody", &format!("127.0.0.1:{port}"), "4096"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("smtp-sink (Debian package postfix) on PATH");
    std::thread::sleep(std::time::Duration::from_millis(300));
    child
}

/// The size of one formatted letter, written by the file transport.
fn message_size(dir: &Path, r: &str) -> usize {
    bd(
        dir,
        &[
            "send",
            r,
            "--transport",
            "file",
            "--output",
            "probe",
            "--limit",
            "20",
            "--yes",
        ],
    );
    let files: Vec<_> = std::fs::read_dir(dir.join("probe").join(r))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let total: u64 = files.iter().map(|f| std::fs::metadata(f).unwrap().len()).sum();
    reset(dir);
    (total / files.len() as u64) as usize
}

/// (msg/s while sending, msg/s over the whole command, peak RSS in MiB).
fn ours(dir: &Path, r: &str, port: u16, c: usize) -> (f64, f64, f64) {
    reset(dir);
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .env("BREACHDESK_ACTOR", "bench")
        .env("BREACHDESK_SMTP_URL", format!("smtp://127.0.0.1:{port}"))
        .args(["send", r, "--concurrency", &c.to_string(), "--yes", "--json"]);
    let (stdout, secs, rss) = timed(&mut cmd);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["failed"], 0, "{v}");
    let sent = v["sent"].as_f64().unwrap();
    (v["per_second"].as_f64().unwrap(), sent / secs, rss)
}

fn reference(port: u16, n: usize, size: usize, c: usize) -> f64 {
    let start = Instant::now();
    let out = Command::new("smtp-source")
        .args([
            "-s",
            &c.to_string(),
            "-m",
            &n.to_string(),
            "-l",
            &size.to_string(),
            "-d",
            "-N",
            "-f",
            "sender@example.org",
            "-t",
            "rcpt@example.org",
            &format!("127.0.0.1:{port}"),
        ])
        .output()
        .expect("smtp-source (Debian package postfix) on PATH");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    n as f64 / start.elapsed().as_secs_f64()
}

#[allow(clippy::print_stdout)] // a benchmark reports on stdout
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let n: usize = value("--messages").map_or(100_000, |v| v.parse().unwrap());
    let connections: Vec<usize> = value("--connections").map_or(vec![1, 4, 16], |v| {
        v.split(',').map(|c| c.parse().unwrap()).collect()
    });
    let dir = tempfile::tempdir().unwrap();
    let setup_start = Instant::now();
    let r = setup(dir.path(), n);
    eprintln!(
        "setup: {n} letters rendered in {:.0} s",
        setup_start.elapsed().as_secs_f64()
    );
    let size = message_size(dir.path(), &r);
    let port = free_port();
    let mut sink = sink(port);
    let mut md = format!(
        "Sending {n} letters ({size} bytes each) from the SQLite outbox to Postfix `smtp-sink` on \
         127.0.0.1, release build, this machine ({} cores). Reference: `smtp-source -d` with the same \
         count, size and connections through the same sink, run alternately (best of two each).\n\n\
         `breachdesk msg/s` is the rate while sending (the summary's `per_second`); `whole command` \
         also counts starting up and the follow-up bookkeeping at the end.\n\n\
         | connections | breachdesk msg/s | whole command msg/s | smtp-source msg/s | ratio | breachdesk peak RSS |\n\
         |---:|---:|---:|---:|---:|---:|\n",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for &c in &connections {
        let mut best_ours: (f64, f64, f64) = (0.0, 0.0, 0.0);
        let mut best_ref: f64 = 0.0;
        for _ in 0..2 {
            best_ref = best_ref.max(reference(port, n, size, c));
            let o = ours(dir.path(), &r, port, c);
            if o.0 > best_ours.0 {
                best_ours = o;
            }
        }
        eprintln!(
            "{c} connections: breachdesk {:.0}/s, smtp-source {best_ref:.0}/s",
            best_ours.0
        );
        md.push_str(&format!(
            "| {c} | {:.0} | {:.0} | {:.0} | {:.0}% | {:.0} MiB |\n",
            best_ours.0,
            best_ours.1,
            best_ref,
            100.0 * best_ours.0 / best_ref,
            best_ours.2
        ));
    }
    let sizes: Vec<usize> =
        value("--memory").map_or(Vec::new(), |v| v.split(',').map(|c| c.parse().unwrap()).collect());
    if !sizes.is_empty() {
        md.push_str(
            "\nPeak memory (whole command, `/usr/bin/time`) as the outbox grows, 16 connections:\n\n\
             | letters | breachdesk msg/s | whole command msg/s | peak RSS |\n|---:|---:|---:|---:|\n",
        );
    }
    let mut peaks = Vec::new();
    for &m in &sizes {
        let d = tempfile::tempdir().unwrap();
        let r = setup(d.path(), m);
        let (rate, whole, rss) = ours(d.path(), &r, port, 16);
        eprintln!("{m} letters: {rate:.0}/s, peak RSS {rss:.0} MiB");
        md.push_str(&format!("| {m} | {rate:.0} | {whole:.0} | {rss:.0} MiB |\n"));
        peaks.push(rss);
    }
    if let (Some(first), Some(last)) = (peaks.first(), peaks.last())
        && peaks.len() > 1
    {
        md.push_str(&format!(
            "\nPeak RSS {} → {} letters: {:.2}x (target: within 1.2x).\n",
            sizes[0],
            sizes[sizes.len() - 1],
            last / first
        ));
    }
    let _ = sink.kill();
    let _ = sink.wait();
    md.push('\n');
    print!("{md}");
    write_section("BENCHMARKS.md", "send", &md);
}
