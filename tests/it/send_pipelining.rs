//! Sending to Postfix's `smtp-sink`, which offers PIPELINING (the in-process test server does
//! not): MAIL, RCPT and DATA go in one write, the message and its final dot in another. The
//! sink writes each message it accepts to a file, with the envelope it was given.
//!
//! `smtp-sink` comes with Debian's postfix package, which `.ci/run` installs. Without it the
//! test says so and checks nothing, except under CI, where it fails.

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::common::TestEnv;
use crate::send::incident;

struct Sink {
    child: Child,
    port: u16,
}

impl Sink {
    /// A sink on a free port; `extra` are smtp-sink options (`-f RCPT`: refuse every RCPT
    /// with a 5xx reply, still pipelining).
    fn start(dump: &Path, extra: &[&str]) -> Option<Sink> {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let template = format!("{}/%M.", dump.display());
        let spawned = Command::new("smtp-sink")
            .args(["-u", "nobody", "-d", &template])
            .args(extra)
            .arg(format!("127.0.0.1:{port}"))
            .arg("16")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(c) => c,
            Err(e) if std::env::var_os("CI").is_some() => {
                panic!("smtp-sink (Debian package postfix) is needed under CI: {e}")
            }
            Err(_) => return None,
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(Sink { child, port });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("smtp-sink did not start listening on port {port}");
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The messages the sink wrote: recipient → the message as received (dots unstuffed).
fn dumped(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let rcpt = text
            .lines()
            .find_map(|l| l.strip_prefix("X-Rcpt-Args: <"))
            .and_then(|l| l.split('>').next())
            .unwrap_or_default()
            .to_string();
        out.push((rcpt, text));
    }
    out
}

fn send(env: &TestEnv, sink: &Sink, args: &[&str]) -> serde_json::Value {
    let mut cmd = env.cmd();
    cmd.env("BREACHDESK_SMTP_URL", sink.url())
        .arg("send")
        .args(args)
        .args(["--yes", "--json"]);
    let stdout = crate::common::run_ok(&mut cmd);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("no JSON ({e}): {stdout}"))
}

pub fn pipelined_delivery_through_postfix_smtp_sink(env: &TestEnv) {
    let r = incident(env, 8, &[]);
    let dump = env.dir().join("sink");
    std::fs::create_dir(&dump).unwrap();
    // smtp-sink drops its privileges to `nobody` before it writes.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dump, std::fs::Permissions::from_mode(0o777)).unwrap();

    let Some(sink) = Sink::start(&dump, &[]) else {
        eprintln!("note: smtp-sink (Debian package postfix) not found: pipelining test skipped");
        return;
    };
    // Five letters, pipelined, each exactly once, as stored.
    let s = send(env, &sink, &[&r, "--concurrency", "3", "--limit", "5"]);
    assert_eq!(
        (s["sent"].as_u64(), s["failed"].as_u64()),
        (Some(5), Some(0)),
        "{s}"
    );
    let got = dumped(&dump);
    let mut per: HashMap<&str, usize> = HashMap::new();
    for (rcpt, _) in &got {
        *per.entry(rcpt.as_str()).or_default() += 1;
    }
    assert_eq!(per.len(), 5, "{per:?}");
    assert!(per.values().all(|n| *n == 1), "{per:?}");
    for (rcpt, text) in &got {
        let stored = env.json(&["letters", "show", &r, "--subject", rcpt, "--json"]);
        let id = stored["message_id"].as_str().unwrap();
        assert!(text.contains(&format!("Message-ID: {id}")), "{text}");
        assert!(text.contains("multipart/alternative"), "{text}");
        // The whole message arrived: the closing boundary is its last line.
        let last = text.lines().rev().find(|l| !l.is_empty()).unwrap();
        assert!(last.starts_with("--") && last.ends_with("--"), "{last}");
    }
    drop(sink);

    // A server that answers a pipelined RCPT with 421 and hangs up before DATA's reply: the
    // letters were not handed over, so they are retried (not uncertain) until they fail, and
    // nothing more reaches the sink.
    let closing = Sink::start(&dump, &["-Q", "RCPT"]).unwrap();
    let s = send(env, &closing, &[&r, "--concurrency", "2"]);
    assert_eq!(
        (s["sent"].as_u64(), s["failed"].as_u64()),
        (Some(0), Some(3)),
        "{s}"
    );
    assert_eq!(s["uncertain"], 0, "{s}");
    assert_eq!(dumped(&dump).len(), 5);
    assert_eq!(
        env.scalar("SELECT COUNT(*) FROM send_attempt WHERE outcome = 'deferred'"),
        6,
        "two deferred attempts per letter before the third fails"
    );
}
