//! `send`, `send status`, `send settle`, `send bounces`: letters handed to a real SMTP server
//! in the test process, end to end, with failures, a killed sender and several workers.

use std::collections::HashSet;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::TestEnv;
use crate::common::smtp::{Rule, SmtpServer};

const CONFIG: &str = r#"
[organisation]
name = "Example Shop GmbH"
website = "https://www.example.com"
verify_url = "https://www.example.com/verify"
postal_address = ["Example Shop GmbH", "Musterstraße 1", "10115 Berlin"]

[send]
from = "Example Shop Privacy <privacy@example.com>"
reply_to = "dpo@example.com"
retry_base_seconds = 0
max_attempts = 3
lease_seconds = 2
timeout_seconds = 10
"#;

/// A shop with `n` customers with email addresses `person{i}@example.org` (plus the extra
/// addresses given) and one with only a postal address; an incident, resolved, letters rendered.
pub(crate) fn incident(env: &TestEnv, n: usize, extra: &[&str]) -> String {
    let mut csv = String::from("id,email,name,locale,country,address_line1,postal_code,city\n");
    for i in 0..n {
        csv.push_str(&format!("{i},person{i}@example.org,Person {i},de,DE,,,\n"));
    }
    for (j, address) in extra.iter().enumerate() {
        csv.push_str(&format!(
            "x{j},{address},Extra {j},en,GB,1 High Street,AB1 2CD,Leeds\n"
        ));
    }
    csv.push_str("post,,Paul Post,en,GB,221 Baker Street,NW1 6XE,London\n");
    let r = env.shop_incident(CONFIG, &csv, &[]);
    env.ok(&["letters", "render", &r, "--allow-untranslated"]);
    r
}

fn send(env: &TestEnv, server: &SmtpServer, args: &[&str]) -> serde_json::Value {
    let mut cmd = env.cmd();
    cmd.env("BREACHDESK_SMTP_URL", server.url())
        .args(["send"])
        .args(args)
        .args(["--yes", "--json"]);
    let stdout = crate::common::run_ok(&mut cmd);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("no JSON ({e}): {stdout}"))
}

fn status(env: &TestEnv, r: &str) -> serde_json::Value {
    env.json(&["send", "status", r, "--json"])
}

pub fn sends_every_letter_once_as_proper_mime(env: &TestEnv) {
    let r = incident(env, 12, &[]);
    let server = SmtpServer::start(&[], Duration::ZERO);
    let s = send(env, &server, &[&r, "--concurrency", "3"]);
    assert_eq!(s["sent"], 12, "{s}");
    assert_eq!(s["failed"], 0);
    let per = server.per_recipient();
    assert_eq!(per.len(), 12);
    assert!(per.values().all(|n| *n == 1), "{per:?}");

    // The message as the server got it: headers, MIME structure, the stored Message-ID.
    let got = server
        .received()
        .into_iter()
        .find(|m| m.to == "person3@example.org")
        .unwrap();
    let stored = env.json(&[
        "letters",
        "show",
        &r,
        "--subject",
        "person3@example.org",
        "--json",
    ]);
    let mid = stored["message_id"].as_str().unwrap();
    assert!(got.data.contains(&format!("Message-ID: {mid}")), "{}", got.data);
    let header = |name: &str| {
        got.data
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name} in {}", got.data))
            .to_string()
    };
    assert!(
        header("From").contains("Example Shop Privacy"),
        "{}",
        header("From")
    );
    assert!(
        header("From").ends_with("<privacy@example.com>"),
        "{}",
        header("From")
    );
    assert!(header("Reply-To").contains("dpo@example.com"));
    assert_eq!(header("To"), "person3@example.org");
    assert!(header("Date").contains(" +0000"), "{}", header("Date"));
    assert!(got.data.contains("Content-Type: multipart/alternative"));
    assert!(got.data.contains("Content-Type: text/plain; charset=utf-8"));
    assert!(got.data.contains("Content-Type: text/html; charset=utf-8"));
    assert!(
        got.data.lines().all(|l| l.len() <= 998),
        "a line longer than SMTP allows"
    );
    // The parts carry the stored letter exactly: the server offers 8BITMIME, so they go as
    // they are (7bit or 8bit), with CRLF line ends.
    let data = got.data.replace("\r\n", "\n");
    for (kind, part) in [("plain", "text"), ("html", "html")] {
        let shown = env.ok(&[
            "letters",
            "show",
            &r,
            "--subject",
            "person3@example.org",
            "--part",
            part,
        ]);
        let start = data
            .find(&format!("Content-Type: text/{kind}; charset=utf-8\n"))
            .unwrap_or_else(|| panic!("no {kind} part in {data}"));
        let (head, body) = data[start..].split_once("\n\n").unwrap();
        assert!(
            head.contains("Content-Transfer-Encoding: 7bit")
                || head.contains("Content-Transfer-Encoding: 8bit"),
            "{head}"
        );
        let body = &body[..body.find("\n--=_bd").unwrap()];
        assert_eq!(
            body.trim_end(),
            shown.trim_end(),
            "the {kind} part differs from the stored letter"
        );
    }
    assert_eq!(stored["status"], "sent");

    let st = status(env, &r);
    assert_eq!(st["channels"]["email"]["sent"], 12, "{st}");
    assert_eq!(
        st["channels"]["postal"]["pending"], 1,
        "postal letters are not emailed"
    );
    assert_eq!(env.scalar("SELECT COUNT(*) FROM send_attempt"), 12);

    // Running again sends nothing.
    let again = send(env, &server, &[&r]);
    assert_eq!(again["sent"], 0);
    assert_eq!(server.received().len(), 12);
    env.ok(&["audit", "verify"]);
}

pub fn failures_are_retried_or_failed_with_the_reply(env: &TestEnv) {
    let r = incident(
        env,
        3,
        &["gone@example.net", "busy@example.net", "full@example.net"],
    );
    let server = SmtpServer::start(
        &[
            ("gone@example.net", Rule::Unknown),
            ("busy@example.net", Rule::BusyFor(2)),
            ("full@example.net", Rule::AlwaysBusy),
        ],
        Duration::ZERO,
    );
    // retry_base_seconds = 0: the deferred letters come due at once and this run retries
    // them; max_attempts = 3.
    let s = send(env, &server, &[&r, "--concurrency", "2"]);
    assert_eq!(s["sent"], 4, "{s}");
    let st = status(env, &r);
    assert_eq!(st["channels"]["email"]["sent"], 4, "{st}");
    assert_eq!(st["channels"]["email"]["failed"], 2, "{st}");
    let per = server.per_recipient();
    assert_eq!(per.get("busy@example.net"), Some(&1), "accepted on the third try");
    assert!(!per.contains_key("gone@example.net"));
    assert_eq!(
        env.scalar("SELECT CAST(attempts AS BIGINT) FROM notification WHERE recipient = 'busy@example.net'"),
        3
    );
    assert_eq!(
        env.scalar("SELECT CAST(attempts AS BIGINT) FROM notification WHERE recipient = 'gone@example.net'"),
        1,
        "a 5xx is not retried"
    );
    assert_eq!(
        env.scalar("SELECT CAST(attempts AS BIGINT) FROM notification WHERE recipient = 'full@example.net'"),
        3
    );
    assert_eq!(
        env.scalar(
            "SELECT COUNT(*) FROM send_attempt a JOIN notification n ON n.id = a.notification_id \
             WHERE n.recipient = 'busy@example.net'"
        ),
        3,
        "every attempt is recorded"
    );
    let replies = st["replies"].as_array().unwrap();
    let text = serde_json::to_string(replies).unwrap();
    assert!(text.contains("550"), "{text}");
    assert!(text.contains("gave up after 3 attempts"), "{text}");
    assert!(
        !text.contains("gone@example.net"),
        "addresses are blanked: {text}"
    );

    // A refused email makes the person due for a postal letter.
    let postal = env.json(&["letters", "render", &r, "--allow-untranslated", "--json"]);
    assert_eq!(postal["added_postal"], 2, "{postal}");
}

pub fn rate_limit_spaces_messages(env: &TestEnv) {
    let r = incident(env, 6, &[]);
    let server = SmtpServer::start(&[], Duration::ZERO);
    let s = send(env, &server, &[&r, "--concurrency", "4", "--rate", "10"]);
    assert_eq!(s["sent"], 6);
    let times: Vec<Instant> = server.received().iter().map(|m| m.at).collect();
    let span = *times.iter().max().unwrap() - *times.iter().min().unwrap();
    // Six messages at 10/s: at least 0.5 s from the first to the last.
    assert!(span >= Duration::from_millis(450), "{span:?}");
}

pub fn limit_and_dry_run(env: &TestEnv) {
    let r = incident(env, 5, &[]);
    let server = SmtpServer::start(&[], Duration::ZERO);
    let mut cmd = env.cmd();
    cmd.env("BREACHDESK_SMTP_URL", server.url())
        .args(["send", &r, "--dry-run"]);
    let out = crate::common::run_ok(&mut cmd);
    assert!(out.contains("would send 5 initial letter(s)"), "{out}");
    assert!(server.received().is_empty());
    let s = send(env, &server, &[&r, "--limit", "2"]);
    assert_eq!(s["sent"], 2);
    assert_eq!(s["remaining_due"], 3);
    let s = send(env, &server, &[&r]);
    assert_eq!(s["sent"], 3);
    assert_eq!(server.received().len(), 5);
}

pub fn a_killed_sender_resumes_without_sending_twice(env: &TestEnv) {
    let r = incident(env, 24, &[]);
    // Slow replies: letters are in flight when the sender is killed.
    let server = SmtpServer::start(&[], Duration::from_millis(150));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_breachdesk"))
        .current_dir(env.dir())
        .env("BREACHDESK_DATABASE_URL", env.url())
        .env("BREACHDESK_ACTOR", "tester")
        .env("BREACHDESK_SMTP_URL", server.url())
        .args(["send", &r, "--concurrency", "3", "--yes"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while server.received().len() < 6 {
        assert!(Instant::now() < deadline, "the sender made no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let before = server.received().len();

    // Lease of 2 s: on PostgreSQL the dead sender's letters are reclaimed once it runs out.
    std::thread::sleep(Duration::from_millis(2200));
    let s = send(env, &server, &[&r, "--concurrency", "3"]);
    let st = status(env, &r);
    let uncertain: Vec<i64> = st["uncertain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["notification_id"].as_i64().unwrap())
        .collect();
    assert!(uncertain.len() <= 3, "at most the concurrency is uncertain: {st}");
    assert_eq!(s["reclaimed"].as_u64().unwrap() as usize, uncertain.len());
    let per = server.per_recipient();
    assert!(per.values().all(|n| *n == 1), "somebody got two letters: {per:?}");
    let sent = st["channels"]["email"]["sent"].as_u64().unwrap() as usize;
    assert_eq!(sent + uncertain.len(), 24, "{st}");
    assert!(server.received().len() >= before);
    // Uncertain letters are those the server may have: settled as sent, all are accounted for.
    let settled = env.json(&["send", "settle", &r, "--assume-sent", "--json"]);
    assert_eq!(settled["letters"].as_array().unwrap().len(), uncertain.len());
    let st = status(env, &r);
    assert_eq!(st["channels"]["email"]["sent"], 24, "{st}");
    assert!(st["uncertain"].as_array().unwrap().is_empty());
    env.ok(&["audit", "verify"]);
}

pub fn settle_resend_sends_uncertain_letters_again(env: &TestEnv) {
    let r = incident(env, 3, &[]);
    let server = SmtpServer::start(&[], Duration::ZERO);
    env.sql("UPDATE notification SET status = 'uncertain' WHERE recipient = 'person1@example.org'");
    let s = send(env, &server, &[&r]);
    assert_eq!(s["sent"], 2, "uncertain letters wait for a decision");
    let settled = env.json(&["send", "settle", &r, "--resend", "--json"]);
    assert_eq!(settled["choice"], "resend");
    let s = send(env, &server, &[&r]);
    assert_eq!(s["sent"], 1);
    assert_eq!(server.per_recipient().get("person1@example.org"), Some(&1));
    let output = env.cmd().args(["send", "settle", &r]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--resend"));
}

pub fn sqlite_refuses_a_second_sender(env: &TestEnv) {
    let r = incident(env, 10, &[]);
    let server = SmtpServer::start(&[], Duration::from_millis(300));
    let mut first = std::process::Command::new(env!("CARGO_BIN_EXE_breachdesk"))
        .current_dir(env.dir())
        .env("BREACHDESK_DATABASE_URL", env.url())
        .env("BREACHDESK_SMTP_URL", server.url())
        .args(["send", &r, "--concurrency", "1", "--yes"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while server.received().is_empty() {
        assert!(Instant::now() < deadline, "the first sender made no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut cmd = env.cmd();
    cmd.env("BREACHDESK_SMTP_URL", server.url())
        .args(["send", &r, "--yes"]);
    let err = crate::common::run_fails(&mut cmd, 2);
    assert!(err.contains("another `breachdesk send"), "{err}");
    assert!(err.contains("PostgreSQL"), "{err}");
    assert!(first.wait().unwrap().success());
    assert_eq!(server.received().len(), 10);
}

pub fn several_workers_share_the_postgres_outbox(env: &TestEnv) {
    let r = incident(env, 60, &[]);
    let server = SmtpServer::start(&[], Duration::from_millis(10));
    let workers: Vec<_> = (0..3)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_breachdesk"))
                .current_dir(env.dir())
                .env("BREACHDESK_DATABASE_URL", env.url())
                .env("BREACHDESK_SMTP_URL", server.url())
                .args(["send", &r, "--concurrency", "2", "--yes", "--json"])
                .stderr(Stdio::null())
                .output_async()
        })
        .collect();
    let mut total = 0;
    let mut busy = 0;
    for w in workers {
        let out = w.join().unwrap();
        assert!(out.status.success());
        let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let n = s["sent"].as_u64().unwrap();
        total += n;
        busy += u64::from(n > 0);
    }
    assert_eq!(total, 60);
    assert!(busy >= 2, "the workers did not share the work");
    let per = server.per_recipient();
    assert_eq!(per.len(), 60);
    assert!(per.values().all(|n| *n == 1), "somebody got two letters");
    let workers = env.scalar("SELECT COUNT(DISTINCT worker) FROM send_attempt");
    assert!(workers >= 2);
}

/// Runs a command on a thread, for several at once.
trait OutputAsync {
    fn output_async(&mut self) -> std::thread::JoinHandle<std::process::Output>;
}

impl OutputAsync for std::process::Command {
    fn output_async(&mut self) -> std::thread::JoinHandle<std::process::Output> {
        let child = self.stdout(Stdio::piped()).spawn().unwrap();
        std::thread::spawn(move || child.wait_with_output().unwrap())
    }
}

pub fn plaintext_and_secrets_policy(env: &TestEnv) {
    let r = incident(env, 1, &[]);
    let mut cmd = env.cmd();
    cmd.env("BREACHDESK_SMTP_URL", "smtp://mail.example.org:25")
        .args(["send", &r, "--yes"]);
    let err = crate::common::run_fails(&mut cmd, 2);
    assert!(
        err.contains("without TLS") && err.contains("smtps://mail.example.org:465"),
        "{err}"
    );
    let err = env.fails(&["send", &r, "--yes"], 2);
    assert!(err.contains("BREACHDESK_SMTP_URL"), "{err}");
    let mut cmd = env.cmd();
    cmd.env("BREACHDESK_SMTP_URL", "smtps://relay.example.org")
        .env("BREACHDESK_SMTP_PASSWORD", "s3cret")
        .args(["send", &r, "--yes"]);
    let err = crate::common::run_fails(&mut cmd, 2);
    assert!(err.contains("names no user") && !err.contains("s3cret"), "{err}");
    // Without a terminal and without --yes, nothing is sent.
    let server = SmtpServer::start(&[], Duration::ZERO);
    let mut cmd = env.cmd();
    cmd.env("BREACHDESK_SMTP_URL", server.url()).args(["send", &r]);
    let err = crate::common::run_fails(&mut cmd, 2);
    assert!(err.contains("--yes"), "{err}");
    assert!(server.received().is_empty());
}

pub fn file_transport_writes_private_eml_files(env: &TestEnv) {
    let r = incident(env, 4, &[]);
    let s = env.json(&[
        "send",
        &r,
        "--transport",
        "file",
        "--output",
        "mail",
        "--yes",
        "--json",
    ]);
    assert_eq!(s["sent"], 4);
    let dir = env.dir().join("mail").join(&r);
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 4);
    let mut recipients = HashSet::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let to = text
            .lines()
            .find_map(|l| l.strip_prefix("To: "))
            .unwrap()
            .to_string();
        recipients.insert(to);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(f).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
    assert_eq!(recipients.len(), 4);
}

pub fn bounces_mark_letters_and_make_postal_due(env: &TestEnv) {
    let r = incident(env, 3, &[]);
    let server = SmtpServer::start(&[], Duration::ZERO);
    send(env, &server, &[&r]);
    let letter = env.json(&[
        "letters",
        "show",
        &r,
        "--subject",
        "person2@example.org",
        "--json",
    ]);
    let mid = letter["message_id"].as_str().unwrap();
    let dsn = format!(
        "From: MAILER-DAEMON@mx.example.org\r\nTo: privacy@example.com\r\nSubject: Undelivered Mail Returned to Sender\r\n\
Message-ID: <bounce-1@mx.example.org>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n\
--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n\
--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n\
Final-Recipient: rfc822; person2@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n\
Diagnostic-Code: smtp; 550 5.1.1 <person2@example.org>: User unknown\r\n\r\n\
--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {mid}\r\nSubject: x\r\n\r\n--B--\r\n"
    );
    let maildir = env.dir().join("returns");
    std::fs::create_dir_all(maildir.join("new")).unwrap();
    std::fs::create_dir_all(maildir.join("cur")).unwrap();
    std::fs::write(maildir.join("new").join("1.eml"), dsn).unwrap();
    std::fs::write(
        maildir.join("new").join("2.eml"),
        "From: someone@example.org\r\nSubject: Re: your letter\r\nMessage-ID: <r1@example.org>\r\n\r\nThanks.\r\n",
    )
    .unwrap();
    let b = env.json(&["send", "bounces", &r, "--maildir", "returns", "--json"]);
    assert_eq!(b["messages"], 2, "{b}");
    assert_eq!(b["bounced"], 1, "{b}");
    assert_eq!(b["not_bounces"], 1, "{b}");
    let st = status(env, &r);
    assert_eq!(st["channels"]["email"]["bounced"], 1, "{st}");
    let shown = env.json(&[
        "letters",
        "show",
        &r,
        "--subject",
        "person2@example.org",
        "--json",
    ]);
    assert_eq!(shown["status"], "bounced");
    // Read again: nothing changes.
    let b = env.json(&["send", "bounces", &r, "--maildir", "returns", "--json"]);
    assert_eq!((b["bounced"].as_u64(), b["already"].as_u64()), (Some(0), Some(1)));
    // Follow-up: the people reached are contacted; the one whose only letter bounced is
    // unreachable, without anyone running a follow-up command.
    let cases = env.json(&["followup", "list", &r, "--json"]);
    let status_of = |email: &str| {
        cases
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["email"] == email)
            .map(|c| c["status"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no case for {email}: {cases}"))
    };
    assert_eq!(status_of("person1@example.org"), "contacted");
    assert_eq!(status_of("person2@example.org"), "unreachable");
    // The bounced person has no postal address here: render says they are unreachable.
    let render = env.json(&["letters", "render", &r, "--allow-untranslated", "--json"]);
    assert_eq!(render["added_postal"], 0);
    assert_eq!(render["cannot_reach"], 1, "{render}");
}

pub fn starttls_is_verified_against_the_configured_ca(env: &TestEnv) {
    let r = incident(env, 2, &[]);
    let server = SmtpServer::start_tls();
    let url = format!("smtp://127.0.0.1:{}?tls=required", server.port);
    // Without the private CA the certificate is not trusted: nothing is sent.
    let mut cmd = env.cmd();
    cmd.env("BREACHDESK_SMTP_URL", &url).args(["send", &r, "--yes"]);
    let err = crate::common::run_fails(&mut cmd, 1);
    assert!(err.contains("STARTTLS failed"), "{err}");
    assert!(server.received().is_empty());
    // With it, the letters go over TLS.
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls/ca.pem"),
        env.dir().join("relay-ca.pem"),
    )
    .unwrap();
    let config = std::fs::read_to_string(env.dir().join("breachdesk.toml")).unwrap();
    std::fs::write(
        env.dir().join("breachdesk.toml"),
        config.replace("[send]\n", "[send]\nca_file = \"relay-ca.pem\"\n"),
    )
    .unwrap();
    let mut cmd = env.cmd();
    cmd.env("BREACHDESK_SMTP_URL", &url)
        .args(["send", &r, "--yes", "--json"]);
    let out: serde_json::Value = serde_json::from_str(&crate::common::run_ok(&mut cmd)).unwrap();
    assert_eq!(out["sent"], 2, "{out}");
    assert_eq!(server.received().len(), 2);
    // A relay that offers no STARTTLS is refused when the URL requires it.
    let plain = SmtpServer::start(&[], Duration::ZERO);
    env.sql("UPDATE notification SET status = 'pending' WHERE channel = 'email'");
    let mut cmd = env.cmd();
    cmd.env(
        "BREACHDESK_SMTP_URL",
        format!("smtp://127.0.0.1:{}?tls=required", plain.port),
    )
    .args(["send", &r, "--yes"]);
    let err = crate::common::run_fails(&mut cmd, 1);
    assert!(err.contains("does not offer STARTTLS"), "{err}");
    assert!(plain.received().is_empty());
}

pub fn dkim_signs_when_configured(env: &TestEnv) {
    let r = incident(env, 1, &[]);
    // An Ed25519 key: base64 of the raw 32 bytes, as lettre reads it.
    std::fs::write(
        env.dir().join("dkim.key"),
        "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=",
    )
    .unwrap();
    let config = std::fs::read_to_string(env.dir().join("breachdesk.toml")).unwrap();
    std::fs::write(
        env.dir().join("breachdesk.toml"),
        format!(
            "{config}\n[send.dkim]\nkey_file = \"dkim.key\"\nselector = \"bd2026\"\ndomain = \"example.com\"\nalgorithm = \"ed25519\"\n"
        ),
    )
    .unwrap();
    let server = SmtpServer::start(&[], Duration::ZERO);
    send(env, &server, &[&r]);
    let got = &server.received()[0].data;
    let signature = got
        .lines()
        .find(|l| l.starts_with("DKIM-Signature:"))
        .unwrap_or_else(|| panic!("{got}"));
    assert!(signature.contains("a=ed25519-sha256"), "{signature}");
    assert!(got.contains("d=example.com") && got.contains("s=bd2026"), "{got}");
}

pub fn ctrl_c_finishes_the_letters_in_flight(env: &TestEnv) {
    let r = incident(env, 20, &[]);
    let server = SmtpServer::start(&[], Duration::from_millis(200));
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_breachdesk"))
        .current_dir(env.dir())
        .env("BREACHDESK_DATABASE_URL", env.url())
        .env("BREACHDESK_SMTP_URL", server.url())
        .args(["send", &r, "--concurrency", "2", "--yes", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while server.received().len() < 3 {
        assert!(Instant::now() < deadline, "the sender made no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "a clean stop");
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["interrupted"], true, "{s}");
    assert_eq!(s["uncertain"], 0, "letters in flight were finished: {s}");
    let sent = s["sent"].as_u64().unwrap();
    assert!(sent < 20, "it stopped early: {s}");
    assert_eq!(server.received().len() as u64, sent);
    let st = status(env, &r);
    assert_eq!(st["channels"]["email"]["sending"], 0, "{st}");
    assert_eq!(st["channels"]["email"]["pending"].as_u64().unwrap(), 20 - sent);
    // The next run goes on where it stopped.
    let s = send(env, &server, &[&r]);
    assert_eq!(s["sent"].as_u64().unwrap(), 20 - sent);
    assert!(server.per_recipient().values().all(|n| *n == 1));
}
