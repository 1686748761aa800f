//! `subject export|erase`: what breachdesk holds about a person, and its erasure with the
//! counts unchanged; and the text of `followup show`.

use crate::common::{TestEnv, run_ok};
use crate::followup::{id_of, incident};

/// Erika's story so far: a delivered letter, a reply by phone with a request, help given.
fn erika_story(env: &TestEnv, r: &str) -> i64 {
    let erika = id_of(env, r, "Erika Mustermann");
    env.sql(&format!(
        "UPDATE notification SET status = 'sent', sent_at = '2026-03-02T10:00:00+00:00', \
         smtp_reply = '250 2.0.0 Ok: queued for <erika@example.org>' WHERE subject_id = {erika}"
    ));
    let at = |args: &[&str]| run_ok(env.cmd().env("BREACHDESK_NOW", "2026-03-03T09:30:00Z").args(args));
    at(&["followup", "sync", r]);
    at(&[
        "followup",
        "log",
        r,
        "erika@example.org",
        "--kind",
        "call",
        "--request",
        "access",
        "--text",
        "Erika Mustermann called from Heidestraße 17; wants a copy of her data.",
    ]);
    at(&[
        "followup",
        "log",
        r,
        "erika@example.org",
        "--kind",
        "email-out",
        "--assist",
        "password-reset",
        "--text",
        "Reset link sent to erika@example.org.",
    ]);
    erika
}

pub fn export_holds_everything_about_the_person(env: &TestEnv) {
    let r = incident(env);
    erika_story(env, &r);
    let e = env.json(&["subject", "export", "erika@example.org"]);
    assert_eq!(e["email"], "erika@example.org");
    assert_eq!(e["name"], "Erika Mustermann");
    assert_eq!(e["address_line1"], "Heidestraße 17");
    assert_eq!(e["records"][0]["system"], "shop");
    assert_eq!(e["records"][0]["external_id"], "1");
    assert_eq!(e["incidents"][0]["incident"], r.as_str());
    assert_eq!(e["letters"][0]["recipient"], "erika@example.org");
    assert!(e["letters"][0]["text"].as_str().unwrap().contains("Mustermann"));
    let kinds: Vec<&str> = e["cases"][0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["delivery", "call", "email-out"]);
    assert_eq!(e["cases"][0]["requests"][0]["right"], "access");
    assert_eq!(e["cases"][0]["requests"][0]["due_at"], "2026-04-03T23:59:59Z");
    assert!(env.ok(&["audit", "log"]).contains("subject.export"));
}

fn counts(env: &TestEnv, r: &str) -> (serde_json::Value, serde_json::Value, serde_json::Value) {
    let mut register = env.json(&["report", "register", "--format", "json"]);
    strip_times(&mut register);
    (
        env.json(&["affected", "stats", r, "--json"]),
        env.json(&["followup", "stats", r, "--json"]),
        register,
    )
}

fn strip_times(v: &mut serde_json::Value) {
    if let Some(o) = v.as_object_mut() {
        o.retain(|k, _| !k.ends_with("_at") && k != "generated");
        o.values_mut().for_each(strip_times);
    } else if let Some(a) = v.as_array_mut() {
        a.iter_mut().for_each(strip_times);
    }
}

pub fn erase_keeps_counts_and_the_audit_chain(env: &TestEnv) {
    let r = incident(env);
    let erika = erika_story(env, &r);
    let before = counts(env, &r);
    let err = env.fails(&["subject", "erase", &erika.to_string()], 2);
    assert!(err.contains("--yes"), "{err}");
    let e = env.json(&["subject", "erase", "erika@example.org", "--yes", "--json"]);
    assert_eq!(
        (e["records"].as_i64(), e["letters"].as_i64()),
        (Some(1), Some(1)),
        "{e}"
    );
    assert_eq!(e["scrubbed"], true);
    assert_eq!(counts(env, &r), before, "counts changed by the erasure");
    let after = env.json(&["subject", "export", &erika.to_string()]);
    for field in ["email", "name", "address_line1", "postal_code", "city"] {
        assert!(after[field].is_null(), "{field}: {after}");
    }
    assert!(after["erased_at"].is_string());
    assert_eq!(after["letters"][0]["text"], "");
    assert!(
        after["cases"][0]["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["text"].is_null())
    );
    assert_eq!(after["cases"][0]["status"], "assisting");
    let story = env.json(&["followup", "show", &r, &erika.to_string(), "--json"]);
    assert!(
        story["name"].is_null() && story["address"] == serde_json::json!(["AT"]),
        "{story}"
    );
    let v = env.json(&["audit", "verify", "--json"]);
    assert_eq!(v["intact"], true, "{v}");
    let log = env.ok(&["audit", "log", "--json"]);
    assert!(log.contains("subject.erase"));
    for trace in ["Mustermann", "erika@example.org", "Heidestra"] {
        assert!(!log.contains(trace), "the audit log holds {trace}");
    }
    assert!(
        env.fails(&["subject", "export", "erika@example.org"], 2)
            .contains("no person")
    );
}

/// The raw bytes of the SQLite files hold no trace of the erased person.
pub fn erase_leaves_no_bytes_in_the_sqlite_file(env: &TestEnv) {
    let r = incident(env);
    erika_story(env, &r);
    let traces: [&[u8]; 5] = [
        b"Mustermann",
        b"erika@example.org",
        "Heidestraße".as_bytes(),
        b"Heidestra",
        b"1010",
    ];
    let files = || {
        let mut all = std::fs::read(env.sqlite_file()).unwrap();
        let wal = env.dir().join("breachdesk.db-wal");
        all.extend(std::fs::read(wal).unwrap_or_default());
        all
    };
    let has = |bytes: &[u8], t: &[u8]| bytes.windows(t.len()).any(|w| w == t);
    let before = files();
    assert!(
        has(&before, b"Mustermann") && has(&before, b"erika@example.org"),
        "the fixture wrote her"
    );
    env.ok(&["subject", "erase", "erika@example.org", "--yes"]);
    let after = files();
    for t in traces.iter().take(4) {
        assert!(
            !has(&after, t),
            "{} remains in the database files",
            String::from_utf8_lossy(t)
        );
    }
    // Marie, who was not erased, is still there.
    assert!(has(&after, b"marie@example.fr"));
}

pub fn show_text_snapshot(env: &TestEnv) {
    let r = incident(env);
    erika_story(env, &r);
    let text = run_ok(env.cmd().env("BREACHDESK_NOW", "2026-03-04T08:00:00Z").args([
        "followup",
        "show",
        &r,
        "erika@example.org",
    ]));
    let code = regex::Regex::new(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}").unwrap();
    let text = code
        .replace_all(&text, "XXXX-XXXX-XXXX-XXXX")
        .replace(&r, "BD-YYYY-NNNN");
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("followup_show_text", text);
    });
}
