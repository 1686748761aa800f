//! `followup ...`: cases opened by resolve, moved by delivery results, replies and people's
//! work, with requests, queues and statistics, end to end.

use serde_json::Value;

use crate::common::{SHOP_CSV, TestEnv, run_fails, run_ok};
pub use crate::outbox::CONFIG;

/// A shop with four customers (Erika and Marie by email, Paul on paper, Nora with no
/// address), aware at 2026-03-01T00:00Z, resolved and with letters rendered.
pub fn incident(env: &TestEnv) -> String {
    let r = env.shop_incident(CONFIG, SHOP_CSV, &["--aware-at", "2026-03-01T00:00:00Z"]);
    crate::outbox::translate(env, &r);
    env.ok(&["letters", "render", &r]);
    r
}

/// The subject id of the person called `name`.
pub fn id_of(env: &TestEnv, r: &str, name: &str) -> i64 {
    env.json(&["affected", "list", r, "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["subject_id"].as_i64())
        .unwrap_or_else(|| panic!("{name} is not affected"))
}

fn case(list: &Value, id: i64) -> &Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["subject_id"] == id)
        .unwrap_or_else(|| panic!("no case {id}: {list}"))
}

fn set_letter(env: &TestEnv, id: i64, channel: &str, status: &str, sent_at: &str) {
    env.sql(&format!(
        "UPDATE notification SET status = '{status}', sent_at = {sent_at} WHERE subject_id = {id} AND channel = '{channel}'"
    ));
}

pub fn cases_open_once_and_follow_the_scope(env: &TestEnv) {
    let r = incident(env);
    let list = env.json(&["followup", "list", &r, "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 4);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "open" && c["in_scope"] == true)
    );
    let again = env.json(&["affected", "resolve", &r, "--json"]);
    assert_eq!(again["cases_opened"], 0, "{again}");
    // Nora's record goes: her case stays, out of scope, and leaves the queue.
    let nora = id_of(env, &r, "Nora Nowhere");
    env.ok(&[
        "followup",
        "log",
        &r,
        &nora.to_string(),
        "--text",
        "left a voicemail",
    ]);
    env.sql(&format!("DELETE FROM subject_record WHERE subject_id = {nora}"));
    let third = env.json(&["affected", "resolve", &r, "--json"]);
    assert_eq!(
        (third["removed"].as_i64(), third["cases_out_of_scope"].as_i64()),
        (Some(1), Some(1)),
        "{third}"
    );
    assert_eq!(
        env.json(&["followup", "list", &r, "--json"])
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let all = env.json(&["followup", "list", &r, "--all", "--json"]);
    assert_eq!(case(&all, nora)["in_scope"], false);
    let story = env.json(&["followup", "show", &r, &nora.to_string(), "--json"]);
    assert!(story["exposed"].is_null());
    let kinds: Vec<&str> = story["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["note", "scope"]);
    assert_eq!(env.json(&["followup", "stats", &r, "--json"])["cases"], 3);
}

/// The allowed moves, written out here so that a change to the table has to change the test.
const ALLOWED: &[(&str, &[&str])] = &[
    ("open", &["contacted", "responded", "unreachable", "closed"]),
    ("contacted", &["responded", "unreachable", "closed"]),
    ("responded", &["assisting", "closed"]),
    ("assisting", &["closed"]),
    ("unreachable", &["contacted", "responded", "closed"]),
    ("closed", &["responded"]),
];
const STATUSES: [&str; 6] = [
    "open",
    "contacted",
    "responded",
    "assisting",
    "unreachable",
    "closed",
];

pub fn every_transition_is_checked(env: &TestEnv) {
    let r = incident(env);
    let erika = id_of(env, &r, "Erika Mustermann");
    let mut events = 0;
    for from in STATUSES {
        for to in STATUSES {
            env.sql(&format!(
                "UPDATE followup_case SET status = '{from}' WHERE subject_id = {erika}"
            ));
            let allowed = ALLOWED.iter().any(|(f, tos)| *f == from && tos.contains(&to));
            let args = ["followup", "status", &r, "erika@example.org", to, "--json"];
            if allowed {
                let t = env.json(&args);
                assert_eq!((t["from"].as_str(), t["to"].as_str()), (Some(from), Some(to)));
                events += 1;
            } else {
                let err = env.fails(&args, 2);
                assert!(
                    err.contains(&format!("cannot move to {to}")),
                    "{from} -> {to}: {err}"
                );
            }
            let now = env.json(&["followup", "list", &r, "--json"]);
            assert_eq!(
                case(&now, erika)["status"],
                if allowed { to } else { from },
                "{from} -> {to}"
            );
        }
    }
    let story = env.json(&["followup", "show", &r, "erika@example.org", "--json"]);
    let status_events = story["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "status" && e["actor"] == "tester")
        .count();
    assert_eq!(status_events, events);
    assert_eq!(events, 14);
}

pub fn deliveries_and_bounces_move_cases(env: &TestEnv) {
    let r = incident(env);
    let (erika, marie, paul) = (
        id_of(env, &r, "Erika Mustermann"),
        id_of(env, &r, "Marie Dupont"),
        id_of(env, &r, "Paul Post"),
    );
    // Erika also gets a postal letter (pending).
    env.ok(&[
        "letters",
        "render",
        &r,
        "--channel",
        "postal",
        "--include-reached",
        "--allow-untranslated",
    ]);
    set_letter(env, erika, "email", "sent", "'2026-03-02T10:00:00+00:00'");
    set_letter(env, marie, "email", "bounced", "'2026-03-02T10:00:00+00:00'");
    set_letter(env, paul, "postal", "failed", "NULL");
    let s = env.json(&["followup", "sync", &r, "--json"]);
    assert_eq!(
        (s["contacted"].as_i64(), s["unreachable"].as_i64()),
        (Some(1), Some(2)),
        "{s}"
    );
    assert_eq!(
        env.json(&["followup", "sync", &r, "--json"]),
        serde_json::json!({"contacted": 0, "unreachable": 0})
    );
    // Erika's email bounces later: her postal letter is still pending, so she is not unreachable.
    set_letter(env, erika, "email", "bounced", "'2026-03-02T10:00:00+00:00'");
    assert_eq!(env.json(&["followup", "sync", &r, "--json"])["unreachable"], 0);
    set_letter(env, erika, "postal", "failed", "NULL");
    let list = env.json(&["followup", "list", &r, "--json"]);
    assert_eq!(case(&list, erika)["status"], "unreachable", "list syncs first");
    // A postal letter that did arrive makes her reached again.
    set_letter(env, erika, "postal", "sent", "'2026-03-05T10:00:00+00:00'");
    let story = env.json(&["followup", "show", &r, &erika.to_string(), "--json"]);
    assert_eq!(story["status"], "contacted");
    let moves: Vec<String> = story["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "delivery")
        .map(|e| format!("{}->{}", e["from"].as_str().unwrap(), e["to"].as_str().unwrap()))
        .collect();
    assert_eq!(
        moves,
        [
            "open->contacted",
            "contacted->unreachable",
            "unreachable->contacted"
        ]
    );
    assert!(
        story["events"][2]["text"].as_str().unwrap().starts_with("postal"),
        "{story}"
    );
    assert_eq!(
        case(&env.json(&["followup", "list", &r, "--json"]), paul)["status"],
        "unreachable"
    );
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
}

fn write_mail(dir: &std::path::Path, name: &str, text: &str) {
    std::fs::write(dir.join("new").join(name), text.replace('\n', "\r\n")).unwrap();
}

pub fn replies_are_matched_from_a_maildir(env: &TestEnv) {
    let r = incident(env);
    let (erika, marie) = (id_of(env, &r, "Erika Mustermann"), id_of(env, &r, "Marie Dupont"));
    let msgid = env.json(&["letters", "show", &r, "--subject", "erika@example.org", "--json"])["message_id"]
        .as_str()
        .unwrap()
        .to_string();
    let maildir = env.dir().join("replies");
    for d in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(maildir.join(d)).unwrap();
    }
    // A Thunderbird reply from another address of hers: matched by In-Reply-To/References.
    write_mail(
        &maildir,
        "1.reply",
        &format!(
            "Return-Path: <e.mustermann@gmx.at>\nMessage-ID: <5f1e2d3c-aaaa-4bbb-8ccc-0123456789ab@gmx.at>\nDate: Tue, 3 Mar 2026 09:12:44 +0100\n\
         MIME-Version: 1.0\nUser-Agent: Mozilla Thunderbird\nSubject: Re: Wichtige Information zu Ihren Daten\n\
         In-Reply-To: {msgid}\nReferences: {msgid}\nFrom: Erika Mustermann <e.mustermann@gmx.at>\nTo: dpo@example.com\n\
         Content-Type: text/plain; charset=UTF-8; format=flowed\nContent-Transfer-Encoding: 8bit\n\n\
         Guten Tag, bitte löschen Sie mein Konto.\n\nAm 02.03.26 um 11:00 schrieb Example Shop GmbH:\n> Sehr geehrte Frau Mustermann,\n"
        ),
    );
    // An Outlook reply without In-Reply-To (Thread-Index only), sender in capitals: matched by sender.
    write_mail(
        &maildir,
        "2.reply",
        "Message-ID: <AM0PR01MB1234ABCD@AM0PR01MB1234.eurprd01.prod.outlook.com>\n\
         Date: Wed, 4 Mar 2026 10:00:00 +0000\nFrom: Marie Dupont <MARIE@Example.FR>\nTo: dpo@example.com\n\
         Subject: RE: Information importante\nThread-Topic: Information importante\nThread-Index: AQHZxyz12345\n\
         MIME-Version: 1.0\nContent-Type: text/plain; charset=\"us-ascii\"\n\nQuelles donnees exactement ?\n",
    );
    // Her out-of-office reply: recorded, not a response.
    write_mail(
        &maildir,
        "3.auto",
        &format!(
            "Message-ID: <ooo-1@gmx.at>\nDate: Mon, 2 Mar 2026 11:00:05 +0100\nFrom: erika@example.org\nTo: dpo@example.com\n\
         Subject: Abwesenheitsnotiz: Wichtige Information\nAuto-Submitted: auto-replied\nIn-Reply-To: {msgid}\n\n\
         Ich bin bis 9. März nicht im Büro.\n"
        ),
    );
    // A bounce, and a stranger.
    write_mail(
        &maildir,
        "4.dsn",
        "From: MAILER-DAEMON@mx.example.com (Mail Delivery System)\nTo: dpo@example.com\n\
         Subject: Undelivered Mail Returned to Sender\nMessage-ID: <dsn-1@mx.example.com>\nMIME-Version: 1.0\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain\n\n\
         I'm sorry to have to inform you that your message could not be delivered.\n\n--b1\n\
         Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.com\n\nFinal-Recipient: rfc822; gone@example.net\n\
         Action: failed\nStatus: 5.1.1\n\n--b1--\n",
    );
    write_mail(
        &maildir,
        "5.stranger",
        "Message-ID: <x1@elsewhere.example>\nFrom: someone@elsewhere.example\nTo: dpo@example.com\n\
         Subject: Question\n\nHello?\n",
    );
    // Her reply to another incident's letter belongs to that incident, not to this one.
    let other = env.declare(&["--title", "another incident"]);
    env.sql(&format!(
        "INSERT INTO notification (incident_id, subject_id, channel, kind, template_version, locale, verification_code, \
         message_id, recipient, content_hash, status, attempts, rendered_at) VALUES \
         ((SELECT id FROM incident WHERE reference = '{other}'), {erika}, 'email', 'initial', 'v', 'de', 'OTHER', \
         '<bd-other-1@example.com>', 'erika@example.org', 'h', 'sent', 0, '2026-03-01T00:00:00+00:00')"
    ));
    write_mail(
        &maildir,
        "6.other",
        "Message-ID: <x2@example.org>\nFrom: erika@example.org\nTo: dpo@example.com\n\
         Subject: Re: other\nIn-Reply-To: <bd-other-1@example.com>\n\nThat one too?\n",
    );
    let args = ["followup", "ingest", &r, "--maildir", "replies", "--json"];
    let first = env.json(&args);
    assert_eq!(first["messages"], 6, "{first}");
    assert_eq!(
        (first["replies"].as_i64(), first["matched_by_sender"].as_i64()),
        (Some(2), Some(1)),
        "{first}"
    );
    assert_eq!(
        (
            first["auto_replies"].as_i64(),
            first["bounces"].as_i64(),
            first["responded"].as_i64()
        ),
        (Some(1), Some(1), Some(2))
    );
    let unmatched: Vec<&str> = first["unmatched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["message"].as_str().unwrap())
        .collect();
    assert_eq!(unmatched, ["new/5.stranger", "new/6.other"]);
    let second = env.json(&args);
    assert_eq!(
        (
            second["replies"].as_i64(),
            second["auto_replies"].as_i64(),
            second["already"].as_i64()
        ),
        (Some(0), Some(0), Some(3)),
        "{second}"
    );
    let list = env.json(&["followup", "list", &r, "--json"]);
    assert_eq!(case(&list, erika)["status"], "responded");
    assert_eq!(case(&list, marie)["status"], "responded");
    let story = env.json(&["followup", "show", &r, &erika.to_string(), "--json"]);
    let texts: Vec<&str> = story["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("bitte löschen Sie mein Konto") && !t.contains("Sehr geehrte")),
        "{texts:?}"
    );
    assert_eq!(
        story["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "auto-reply")
            .count(),
        1
    );
}

pub fn requests_and_overdue_follow_the_clock(env: &TestEnv) {
    let r = incident(env);
    let at = |now: &str, args: &[&str]| run_ok(env.cmd().env("BREACHDESK_NOW", now).args(args));
    let out = at(
        "2026-01-31T10:00:00Z",
        &[
            "followup",
            "log",
            &r,
            "erika@example.org",
            "--request",
            "access",
            "--text",
            "Wants a copy",
            "--json",
        ],
    );
    let logged: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        logged["request"]["due_at"], "2026-02-28T23:59:59Z",
        "Jan 31 + one month = end of Feb"
    );
    assert_eq!(logged["status"], "open", "a note with a request moves nothing");
    assert_eq!(logged["next_action_due"], "2026-02-28T23:59:59Z");
    let code =
        env.json(&["letters", "show", &r, "--subject", "marie@example.fr", "--json"])["verification_code"]
            .as_str()
            .unwrap()
            .to_string();
    at(
        "2026-03-15T09:00:00Z",
        &[
            "followup",
            "log",
            &r,
            &code.to_lowercase(),
            "--kind",
            "call",
            "--request",
            "erasure",
        ],
    );
    let marie = id_of(env, &r, "Marie Dupont");
    let overdue = |now: &str| -> Vec<i64> {
        let v: Value =
            serde_json::from_str(&at(now, &["followup", "list", &r, "--overdue", "--json"])).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c["subject_id"].as_i64().unwrap())
            .collect()
    };
    let erika = id_of(env, &r, "Erika Mustermann");
    assert_eq!(overdue("2026-02-28T23:00:00Z"), Vec::<i64>::new());
    assert_eq!(overdue("2026-03-01T00:00:00Z"), vec![erika]);
    // Marie called: responded, to be answered within two days (2026-03-17 09:00).
    assert_eq!(overdue("2026-03-17T10:00:00Z"), vec![erika, marie]);
    std::fs::write(
        env.dir().join("mine.txt"),
        format!("# mine\nerika@example.org\n{marie}\n"),
    )
    .unwrap();
    env.ok(&["followup", "assign", &r, "--to", "bob", "--subjects", "mine.txt"]);
    let next: Value = serde_json::from_str(&at(
        "2026-03-17T10:00:00Z",
        &["followup", "next", &r, "--assignee", "bob", "--json"],
    ))
    .unwrap();
    assert_eq!(next["subject_id"], erika, "the earliest due first");
    let story = env.json(&["followup", "show", &r, "erika@example.org", "--json"]);
    let id = story["requests"][0]["id"].to_string();
    at("2026-03-17T10:00:00Z", &["followup", "request-done", &r, &id]);
    at(
        "2026-03-17T10:00:00Z",
        &["followup", "status", &r, "erika@example.org", "closed"],
    );
    assert_eq!(overdue("2026-03-17T10:00:00Z"), vec![marie]);
    assert_eq!(
        env.json(&["followup", "list", &r, "--assignee", "bob", "--json"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let err = run_fails(env.cmd().args(["followup", "log", &r, "nobody@example.org"]), 2);
    assert!(err.contains("has no case"), "{err}");
}

pub fn statistics_numbers(env: &TestEnv) {
    let r = incident(env);
    let (erika, marie, paul) = (
        id_of(env, &r, "Erika Mustermann"),
        id_of(env, &r, "Marie Dupont"),
        id_of(env, &r, "Paul Post"),
    );
    set_letter(env, erika, "email", "sent", "'2026-03-01T10:00:00+00:00'");
    set_letter(env, marie, "email", "sent", "'2026-03-01T20:00:00+00:00'");
    set_letter(env, paul, "postal", "sent", "'2026-03-02T16:00:00+00:00'");
    env.ok(&[
        "followup",
        "log",
        &r,
        "erika@example.org",
        "--kind",
        "call",
        "--assist",
        "password-reset",
    ]);
    env.ok(&["followup", "status", &r, "marie@example.fr", "closed"]);
    let nora = id_of(env, &r, "Nora Nowhere").to_string();
    env.ok(&["followup", "status", &r, &nora, "unreachable"]);
    let s = env.json(&["followup", "stats", &r, "--json"]);
    assert_eq!(s["cases"], 4);
    assert_eq!(s["reached"], serde_json::json!({"count": 3, "percent": 75.0}));
    assert_eq!(s["responded"]["count"], 1);
    assert_eq!(s["assisted"], serde_json::json!({"count": 1, "percent": 25.0}));
    assert_eq!(s["unreachable"]["count"], 1);
    assert_eq!(s["closed"]["count"], 1);
    assert_eq!(
        s["first_letter"],
        serde_json::json!({"people": 3, "median_seconds": 72000, "p95_seconds": 144000})
    );
}
