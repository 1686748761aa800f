//! Every letter to the right person: the outbox follows the latest resolution (letters of
//! people taken out are withdrawn, changed ones rendered again), a bounce makes only that
//! person due a paper letter, and initial and update letters go out in separate runs.

use crate::common::TestEnv;

const CONFIG: &str = r#"
[organisation]
name = "Example Shop GmbH"
website = "https://www.example.com"
verify_url = "https://www.example.com/verify"
postal_address = ["Example Shop GmbH", "Musterstraße 1", "10115 Berlin"]

[send]
from = "Example Shop Privacy <privacy@example.com>"
"#;

const HEADER: &str = "id,email,name,locale,country,address_line1,postal_code,city\n";

/// Carla in the shop (email); Anna (email) and Bert (paper only) in the CRM; both systems in
/// scope, resolved, letters rendered.
fn two_systems(env: &TestEnv) -> String {
    let shop = format!("{HEADER}c,carla@example.org,Carla Shop,en,GB,,,\n");
    let r = env.shop_incident(CONFIG, &shop, &[]);
    env.ok(&[
        "inventory",
        "system",
        "add",
        "crm",
        "--name",
        "CRM",
        "--categories",
        "name,email,postal_address",
    ]);
    let crm = format!(
        "{HEADER}a,anna@example.org,Anna Crm,en,GB,,,\nb,,Bert Crm,en,GB,1 High Street,AB1 2CD,Leeds\n"
    );
    std::fs::write(env.dir().join("crm.csv"), crm).unwrap();
    env.ok(&["inventory", "import", "--system", "crm", "crm.csv"]);
    env.ok(&["incident", "scope", &r, "--system", "crm"]);
    env.ok(&["affected", "resolve", &r]);
    let s = env.json(&["letters", "render", &r, "--json"]);
    assert_eq!(
        (s["added_email"].as_u64(), s["added_postal"].as_u64()),
        (Some(2), Some(1)),
        "{s}"
    );
    r
}

fn send_file(env: &TestEnv, r: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "send",
        r,
        "--transport",
        "file",
        "--output",
        "mail",
        "--yes",
        "--json",
    ];
    args.extend_from_slice(extra);
    env.json(&args)
}

/// The `To:` lines of the .eml files written so far.
fn recipients(env: &TestEnv, r: &str) -> Vec<String> {
    let dir = env.dir().join("mail").join(r);
    let mut out: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.map(|e| {
                let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
                text.lines()
                    .find_map(|l| l.strip_prefix("To: "))
                    .unwrap()
                    .to_string()
            })
            .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn audit_count(env: &TestEnv, action: &str) -> i64 {
    env.scalar(&format!(
        "SELECT COUNT(*) FROM audit_event WHERE action = '{action}'"
    ))
}

pub fn narrowing_the_scope_sends_exactly_the_remaining_person(env: &TestEnv) {
    let r = two_systems(env);
    env.ok(&["incident", "scope", &r, "--system", "crm", "--remove"]);
    let res = env.json(&["affected", "resolve", &r, "--json"]);
    assert_eq!(res["removed"], 2, "{res}");
    assert_eq!(res["withdrawn_not_affected"], 2, "{res}");
    assert_eq!(res["told_not_affected"].as_array().unwrap().len(), 0, "{res}");
    let text = env.ok(&["affected", "resolve", &r]);
    assert!(!text.contains("withdrawn"), "nothing left to withdraw: {text}");
    // The withdrawal is in the audit chain, with subject ids only.
    assert_eq!(audit_count(env, "letters.withdraw"), 1);
    let details = env.scalar(
        "SELECT COUNT(*) FROM audit_event WHERE action = 'letters.withdraw' AND details LIKE '%anna%'",
    );
    assert_eq!(details, 0, "no addresses in the audit log");
    env.ok(&["audit", "verify"]);

    let s = send_file(env, &r, &[]);
    assert_eq!(s["sent"], 1, "{s}");
    assert_eq!(recipients(env, &r), vec!["carla@example.org".to_string()]);
    // Bert's paper letter is withdrawn too: nothing to print.
    let pdf = env.json(&["letters", "pdf", &r, "--output", "print", "--json"]);
    assert_eq!(pdf["letters"], 0, "{pdf}");
    assert_eq!(
        env.scalar("SELECT COUNT(*) FROM notification WHERE status = 'withdrawn'"),
        2
    );

    // Back in scope: they get new letters beside the withdrawn ones.
    env.ok(&["incident", "scope", &r, "--system", "crm"]);
    env.ok(&["affected", "resolve", &r]);
    let again = env.json(&["letters", "render", &r, "--json"]);
    assert_eq!(
        (
            again["added_email"].as_u64(),
            again["added_postal"].as_u64(),
            again["already"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{again}"
    );
    assert_eq!(
        env.scalar("SELECT COUNT(*) FROM notification WHERE status = 'pending'"),
        2,
        "Anna's and Bert's new letters are in the outbox"
    );
}

pub fn people_taken_out_after_their_letter_went_are_reported(env: &TestEnv) {
    let r = two_systems(env);
    let s = send_file(env, &r, &[]);
    assert_eq!(s["sent"], 2, "{s}");
    env.ok(&["incident", "scope", &r, "--system", "crm", "--remove"]);
    let out = env.cmd().args(["affected", "resolve", &r]).output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("1 letter(s) not yet sent withdrawn"),
        "Bert's paper letter: {stdout}"
    );
    assert!(
        stderr.contains("1 person(s) no longer affected were already sent a letter"),
        "Anna was told: {stderr}"
    );
    assert!(!stderr.contains("anna@"), "no addresses in messages: {stderr}");
    // The sent letter stays as it was, as evidence.
    assert_eq!(
        env.scalar("SELECT COUNT(*) FROM notification WHERE status = 'sent'"),
        2
    );
}

pub fn changed_data_renders_pending_letters_again(env: &TestEnv) {
    let r = two_systems(env);
    let before = env.json(&["letters", "show", &r, "--subject", "carla@example.org", "--json"]);
    // Carla's exposed data narrows: her pending letter is withdrawn and rendered again.
    env.ok(&[
        "incident",
        "scope",
        &r,
        "--system",
        "shop",
        "--categories",
        "email",
    ]);
    let res = env.json(&["affected", "resolve", &r, "--json"]);
    assert_eq!(res["changed"], 1, "{res}");
    assert_eq!(res["withdrawn_changed"], 1, "{res}");
    assert_eq!(res["rerendered"], 1, "{res}");
    let after = env.json(&["letters", "show", &r, "--subject", "carla@example.org", "--json"]);
    assert_ne!(before["content_hash"], after["content_hash"]);
    assert_eq!(after["status"], "pending");
    // Bert moves: his paper letter is rendered again with the new address.
    let crm =
        format!("{HEADER}a,anna@example.org,Anna Crm,en,GB,,,\nb,,Bert Crm,en,GB,9 New Road,ZZ9 9ZZ,York\n");
    std::fs::write(env.dir().join("crm.csv"), crm).unwrap();
    env.ok(&["inventory", "import", "--system", "crm", "crm.csv"]);
    let res = env.json(&["affected", "resolve", &r, "--json"]);
    assert_eq!(res["withdrawn_changed"], 1, "only Bert's letter: {res}");
    let bert = env.json(&[
        "letters",
        "show",
        &r,
        "--subject",
        &subject_id(env, &r, "Bert Crm"),
        "--json",
    ]);
    assert!(bert["text"].as_str().unwrap().contains("York"), "{bert}");
    let s = send_file(env, &r, &[]);
    assert_eq!(s["sent"], 2, "each person once: {s}");
}

fn subject_id(env: &TestEnv, r: &str, name: &str) -> String {
    crate::outbox::subject_id(env, r, name)
}

pub fn withdraw_has_a_dry_run_and_is_audited(env: &TestEnv) {
    let r = two_systems(env);
    let dry = env.json(&["letters", "withdraw", &r, "--all-pending", "--dry-run", "--json"]);
    assert_eq!(
        (dry["letters"].as_u64(), dry["subjects"].as_u64()),
        (Some(3), Some(3)),
        "{dry}"
    );
    assert_eq!(
        env.scalar("SELECT COUNT(*) FROM notification WHERE status = 'pending'"),
        3
    );
    assert_eq!(audit_count(env, "letters.withdraw"), 0);
    let one = env.json(&[
        "letters",
        "withdraw",
        &r,
        "--subject",
        "anna@example.org",
        "--json",
    ]);
    assert_eq!(one["letters"], 1, "{one}");
    assert_eq!(audit_count(env, "letters.withdraw"), 1);
    let s = send_file(env, &r, &[]);
    assert_eq!(s["sent"], 1, "{s}");
    assert_eq!(recipients(env, &r), vec!["carla@example.org".to_string()]);
    env.fails(&["letters", "withdraw", &r], 2);
}

/// A DSN returning the letter with `message_id` sent to `email`.
pub(crate) fn bounce(n: usize, email: &str, message_id: &str) -> String {
    format!(
        "From: MAILER-DAEMON@mx.example.org\r\nTo: privacy@example.com\r\nSubject: Undelivered Mail Returned to Sender\r\n\
Message-ID: <bounce-{n}@mx.example.org>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n\
--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n\
--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n\
Final-Recipient: rfc822; {email}\r\nAction: failed\r\nStatus: 5.1.1\r\n\
Diagnostic-Code: smtp; 550 5.1.1 <{email}>: User unknown\r\n\r\n\
--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {message_id}\r\nSubject: x\r\n\r\n--B--\r\n"
    )
}

pub fn one_bounce_adds_exactly_one_postal_letter(env: &TestEnv) {
    let mut csv = String::from(HEADER);
    for i in 0..4 {
        csv.push_str(&format!(
            "{i},p{i}@example.org,Person {i},en,GB,{i} High Street,AB1 2CD,Leeds\n"
        ));
    }
    csv.push_str("n,nobody@example.org,No Address,en,GB,,,\n");
    let r = env.shop_incident(CONFIG, &csv, &[]);
    env.ok(&["letters", "render", &r]);
    assert_eq!(send_file(env, &r, &[])["sent"], 5);
    let returns = env.dir().join("returns").join("new");
    std::fs::create_dir_all(&returns).unwrap();
    std::fs::create_dir_all(env.dir().join("returns").join("cur")).unwrap();
    for (i, email) in ["p2@example.org", "nobody@example.org"].iter().enumerate() {
        let letter = env.json(&["letters", "show", &r, "--subject", email, "--json"]);
        let mid = letter["message_id"].as_str().unwrap();
        std::fs::write(returns.join(format!("{i}.eml")), bounce(i, email, mid)).unwrap();
    }
    let hint = env.ok(&["send", "bounces", &r, "--maildir", "returns"]);
    assert!(
        !hint.contains("--channel postal"),
        "a hint must not widen who gets paper: {hint}"
    );
    let command = format!("letters render {r}`");
    assert!(hint.contains(&command), "{hint}");
    // The suggested command: one paper letter, for the one bounced person with an address.
    let s = env.json(&["letters", "render", &r, "--json"]);
    assert_eq!(
        (s["added_postal"].as_u64(), s["added_email"].as_u64()),
        (Some(1), Some(0)),
        "{s}"
    );
    assert_eq!(s["cannot_reach"], 1, "the bounced person without an address: {s}");
    // Paper for everyone is refused unless asked for explicitly.
    let err = env.fails(&["letters", "render", &r, "--channel", "postal"], 2);
    assert!(err.contains("--include-reached"), "{err}");
    assert!(
        err.contains("3 affected people already have an email letter"),
        "{err}"
    );
    assert_eq!(
        env.scalar("SELECT COUNT(*) FROM notification WHERE channel = 'postal'"),
        1
    );
    // One person on paper: fine.
    let one = env.json(&[
        "letters",
        "render",
        &r,
        "--channel",
        "postal",
        "--subject",
        "p0@example.org",
        "--json",
    ]);
    assert_eq!(one["added_postal"], 1, "{one}");
    let all = env.json(&[
        "letters",
        "render",
        &r,
        "--channel",
        "postal",
        "--include-reached",
        "--json",
    ]);
    assert_eq!(all["added_postal"], 2, "p1 and p3: {all}");
}

pub fn initial_and_update_never_go_in_one_run(env: &TestEnv) {
    let csv = format!("{HEADER}1,one@example.org,One,en,GB,,,\n2,two@example.org,Two,en,GB,,,\n");
    let r = env.shop_incident(CONFIG, &csv, &[]);
    env.ok(&["letters", "render", &r]);
    env.ok(&["incident", "update-note", &r, "--summary", "We found out more."]);
    env.ok(&["letters", "render", &r, "--kind", "update"]);
    // An update before the initial letter went: held.
    let held = send_file(env, &r, &["--kind", "update"]);
    assert_eq!(held["sent"], 0, "{held}");
    let dry = env.ok(&["send", &r, "--transport", "file", "--output", "mail", "--dry-run"]);
    assert!(dry.contains("would send 2 initial letter(s)"), "{dry}");
    assert!(dry.contains("2 update letter(s) wait for a later run"), "{dry}");
    let first = send_file(env, &r, &[]);
    assert_eq!(
        (first["sent"].as_u64(), first["kind"].as_str()),
        (Some(2), Some("initial")),
        "{first}"
    );
    assert_eq!(
        env.scalar("SELECT COUNT(*) FROM notification WHERE kind = 'update' AND status = 'pending'"),
        2,
        "no update in the run that sent the initial letters"
    );
    let second = send_file(env, &r, &[]);
    assert_eq!(
        (second["sent"].as_u64(), second["kind"].as_str()),
        (Some(2), Some("update")),
        "{second}"
    );
}
