//! Mail servers that misbehave, written here on a Tokio listener: one silent after the final
//! dot, one that stops reading mid-DATA, one with an endless banner, one with an endless
//! reply line. `send` ends within its timeout, Ctrl-C within the timeout and a second, and no
//! line is gathered in memory past RFC 5321's limits.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::common::TestEnv;

#[derive(Clone, Copy, PartialEq)]
enum Misbehaviour {
    /// Reads the whole message, never answers the final dot (nor QUIT).
    SilentAfterData,
    /// Says 354 to DATA, then reads nothing more and says nothing.
    SilentMidData,
    /// A banner that never ends.
    EndlessBanner,
    /// A normal banner, then an EHLO reply line that never ends.
    EndlessLine,
}

/// A server on its own thread; `data` is set once a client sent DATA, `bytes` counts what the
/// server wrote on its longest connection.
struct Server {
    port: u16,
    data: Arc<AtomicBool>,
    bytes: Arc<AtomicU64>,
}

/// The most an endless line writes: enough to show a client that reads it all, little enough
/// that one which does cannot run the test machine out of memory.
const FLOOD_CAP: u64 = 256 << 20;

fn start(how: Misbehaviour) -> Server {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let port = std_listener.local_addr().unwrap().port();
    let data = Arc::new(AtomicBool::new(false));
    let bytes = Arc::new(AtomicU64::new(0));
    let (d, b) = (Arc::clone(&data), Arc::clone(&bytes));
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = TcpListener::from_std(std_listener).unwrap();
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let (d, b) = (Arc::clone(&d), Arc::clone(&b));
                tokio::spawn(async move {
                    let _ = socket.set_nodelay(true);
                    let (read, mut write) = socket.into_split();
                    let flood = |mut write: tokio::net::tcp::OwnedWriteHalf, head: &'static [u8]| async move {
                        let mut sent = 0u64;
                        if write.write_all(head).await.is_err() {
                            return;
                        }
                        let chunk = vec![b'x'; 64 * 1024];
                        while sent < FLOOD_CAP && write.write_all(&chunk).await.is_ok() {
                            sent += chunk.len() as u64;
                            b.fetch_max(sent, Ordering::Relaxed);
                        }
                        // Then hold the line open, silent.
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                        drop(write);
                    };
                    if how == Misbehaviour::EndlessBanner {
                        flood(write, b"220 ").await;
                        return;
                    }
                    if write.write_all(b"220 test ESMTP\r\n").await.is_err() {
                        return;
                    }
                    let mut lines = BufReader::new(read).lines();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                        let reply: &[u8] = match verb.as_str() {
                            "EHLO" if how == Misbehaviour::EndlessLine => {
                                flood(write, b"250-").await;
                                return;
                            }
                            "EHLO" | "HELO" => b"250 test\r\n",
                            "DATA" => {
                                d.store(true, Ordering::SeqCst);
                                let _ = write.write_all(b"354 go ahead\r\n").await;
                                if how == Misbehaviour::SilentMidData {
                                    // Read nothing more, answer nothing.
                                    tokio::time::sleep(Duration::from_secs(3600)).await;
                                    return;
                                }
                                // Read the message and whatever follows; never answer.
                                while let Ok(Some(_)) = lines.next_line().await {}
                                return;
                            }
                            _ => b"250 ok\r\n",
                        };
                        if write.write_all(reply).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
    });
    Server { port, data, bytes }
}

/// One letter to send, with `[send] timeout_seconds = timeout`.
fn one_letter(env: &TestEnv, timeout: u64) -> String {
    let r = crate::send::incident(env, 1, &[]);
    let config = std::fs::read_to_string(env.dir().join("breachdesk.toml")).unwrap();
    let config = config.replace("timeout_seconds = 10", &format!("timeout_seconds = {timeout}"));
    std::fs::write(env.dir().join("breachdesk.toml"), config).unwrap();
    r
}

/// Runs `send` against the server; returns exit code, stdout, stderr and how long it took.
fn run_send(env: &TestEnv, server: &Server, r: &str) -> (Option<i32>, String, String, Duration) {
    let started = Instant::now();
    let out = env
        .cmd()
        .env("BREACHDESK_SMTP_URL", format!("smtp://127.0.0.1:{}", server.port))
        .args(["send", r, "--yes", "--json"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
        started.elapsed(),
    )
}

pub fn silent_servers_time_out(env: &TestEnv) {
    let r = one_letter(env, 2);
    for how in [Misbehaviour::SilentAfterData, Misbehaviour::SilentMidData] {
        let server = start(how);
        let (code, stdout, stderr, took) = run_send(env, &server, &r);
        assert_eq!(code, Some(0), "{stderr}");
        assert!(took < Duration::from_secs(12), "send took {took:?}");
        let s: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(s["uncertain"], 1, "{s}");
        // Sent again to the next server.
        env.json(&["send", "settle", &r, "--resend", "--json"]);
    }
}

pub fn ctrl_c_ends_within_the_timeout(env: &TestEnv) {
    let r = one_letter(env, 4);
    let server = start(Misbehaviour::SilentMidData);
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_breachdesk"))
        .current_dir(env.dir())
        .env("BREACHDESK_DATABASE_URL", env.url())
        .env("BREACHDESK_SMTP_URL", format!("smtp://127.0.0.1:{}", server.port))
        .env("BREACHDESK_TZ", "UTC")
        .args(["send", &r, "--yes", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !server.data.load(Ordering::SeqCst) {
        assert!(Instant::now() < deadline, "the sender never reached DATA");
        std::thread::sleep(Duration::from_millis(20));
    }
    let interrupted_at = Instant::now();
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let id = child.id();
    let waiter = std::thread::spawn(move || child.wait_with_output().unwrap());
    while !waiter.is_finished() {
        if interrupted_at.elapsed() > Duration::from_secs(20) {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &id.to_string()])
                .status();
            panic!("send did not end after Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let took = interrupted_at.elapsed();
    let out = waiter.join().unwrap();
    assert!(
        took < Duration::from_secs(4 + 1 + 1),
        "Ctrl-C took {took:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["interrupted"], true, "{s}");
    assert_eq!(s["uncertain"], 1, "{s}");
}

pub fn endless_lines_fail_the_connection(env: &TestEnv) {
    let r = one_letter(env, 5);
    for how in [Misbehaviour::EndlessBanner, Misbehaviour::EndlessLine] {
        let server = start(how);
        let (code, _, stderr, took) = run_send(env, &server, &r);
        assert_eq!(code, Some(1), "{stderr}");
        assert!(stderr.contains("longer than"), "{stderr}");
        assert!(took < Duration::from_secs(12), "send took {took:?}");
        let flooded = server.bytes.load(Ordering::Relaxed);
        // What the sockets buffer, not what the client read into memory.
        assert!(flooded < 32 << 20, "the client read {flooded} bytes of one line");
    }
}
