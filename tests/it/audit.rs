//! The hash-chained audit log: intact chains verify; edits, deletions, reorders and a cut
//! end are named.

use crate::common::{Backend, TestEnv, assert_one_line};

/// Five entries: two declarations, two updates, a close.
fn five_entries(env: &TestEnv) -> String {
    env.init();
    let a = env.declare(&["--title", "first"]);
    env.declare(&["--title", "second"]);
    env.ok(&["incident", "update", &a, "--measures-taken", "contained"]);
    env.ok(&["incident", "update", &a, "--likely-consequences", "phishing"]);
    env.ok(&["incident", "close", &a]);
    a
}

pub fn verify_passes_on_an_intact_chain(env: &TestEnv) {
    five_entries(env);
    let out = env.ok(&["audit", "verify"]);
    assert!(out.contains("intact: 5 entries"), "{out}");
    let v = env.json(&["audit", "verify", "--json"]);
    assert_eq!(v["intact"], true);
    assert_eq!(v["entries"], 5);
    assert_eq!(v["head_hash"].as_str().unwrap().len(), 64);
    assert!(v["broken_at"].is_null());
    let log = env.json(&["audit", "log", "--json"]);
    let seqs: Vec<i64> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5]);
    assert_ne!(
        log[4]["hash"], v["head_hash"],
        "the head hash commits to the row count, not only to the last entry"
    );
}

pub fn verify_names_an_edited_entry(env: &TestEnv) {
    five_entries(env);
    env.sql("UPDATE audit_event SET actor = 'mallory' WHERE seq = 3");
    let err = env.fails(&["audit", "verify"], 1);
    assert_one_line(&err);
    assert!(err.contains("audit chain broken: entry #3 was altered"), "{err}");
    let v = env.json_failing(&["audit", "verify", "--json"]);
    assert_eq!(v["intact"], false);
    assert_eq!(v["broken_at"], 3);
    assert_eq!(v["entries"], 2, "entries before the break were checked");
}

pub fn verify_names_a_deleted_entry(env: &TestEnv) {
    five_entries(env);
    env.sql("DELETE FROM audit_event WHERE seq = 2");
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.contains("entry #2 is missing"), "{err}");
}

pub fn verify_names_reordered_entries(env: &TestEnv) {
    five_entries(env);
    // Swap entries 2 and 3 through a free number, as a direct edit would have to.
    env.sql("UPDATE audit_event SET seq = 1000 WHERE seq = 2");
    env.sql("UPDATE audit_event SET seq = 2 WHERE seq = 3");
    env.sql("UPDATE audit_event SET seq = 3 WHERE seq = 1000");
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.contains("entry #2 does not follow entry #1"), "{err}");
}

pub fn verify_notices_entries_cut_from_the_end(env: &TestEnv) {
    five_entries(env);
    env.sql("DELETE FROM audit_event WHERE seq = 5");
    let err = env.fails(&["audit", "verify"], 1);
    assert!(
        err.contains("should end at entry #5") && err.contains("deleted"),
        "{err}"
    );
}

pub fn log_filters_by_incident(env: &TestEnv) {
    let a = five_entries(env);
    let log = env.json(&["audit", "log", &a, "--json"]);
    let entries = log.as_array().unwrap();
    assert_eq!(entries.len(), 4);
    assert!(entries.iter().all(|e| e["incident"] == a.as_str()));
    assert_eq!(entries[0]["details"]["title"], "first");
    assert_eq!(entries[0]["entity"], format!("incident:{a}"));
    let table = env.ok(&["audit", "log"]);
    assert!(
        table.contains("incident.close") && table.contains("measures_taken"),
        "{table}"
    );
}

/// A forged closure, as someone with write access to the database would add it.
fn forge(env: &TestEnv, seq: i64, reference: &str) {
    env.sql(&format!(
        "INSERT INTO audit_event (seq, at, actor, action, entity, incident_ref, details, prev_hash, hash) \
         VALUES ({seq}, '2026-01-01T00:00:00.000000Z', 'mallory', 'incident.close', 'incident:{reference}', \
         '{reference}', '{{}}', 'x', 'y')"
    ));
}

/// Takes the schema's `seq >= 1` check away, so that the test shows what `verify` itself sees.
fn drop_seq_check(env: &TestEnv) {
    match env.backend {
        Backend::Postgres => env.sql("ALTER TABLE audit_event DROP CONSTRAINT ck_audit_event_seq"),
        Backend::Sqlite => env.sql(
            "CREATE TABLE audit_event_loose (seq integer NOT NULL PRIMARY KEY, at varchar NOT NULL, \
             actor varchar NOT NULL, action varchar NOT NULL, entity varchar NOT NULL, \
             incident_ref varchar NULL, details text NOT NULL, prev_hash varchar NOT NULL, hash varchar NOT NULL);
             INSERT INTO audit_event_loose SELECT * FROM audit_event;
             DROP TABLE audit_event;
             ALTER TABLE audit_event_loose RENAME TO audit_event;",
        ),
    }
}

pub fn the_schema_refuses_entries_below_one(env: &TestEnv) {
    let a = five_entries(env);
    for seq in [0, -5] {
        let sql = format!(
            "INSERT INTO audit_event (seq, at, actor, action, entity, incident_ref, details, prev_hash, hash) \
             VALUES ({seq}, 't', 'mallory', 'incident.close', 'incident:{a}', '{a}', '{{}}', 'x', 'y')"
        );
        let err = env.try_sql(&sql).expect_err("seq below 1 must be refused");
        assert!(err.to_lowercase().contains("check"), "{err}");
    }
    assert!(env.ok(&["audit", "verify"]).contains("intact: 5 entries"));
}

pub fn verify_names_rows_outside_the_chain(env: &TestEnv) {
    let a = five_entries(env);
    let before = env.json(&["audit", "verify", "--json"]);
    drop_seq_check(env);
    for seq in [0, -5] {
        forge(env, seq, &a);
        let err = env.fails(&["audit", "verify"], 1);
        assert_one_line(&err);
        assert!(
            err.contains(&format!("entry #{seq} lies outside the chain")),
            "{err}"
        );
        let v = env.json_failing(&["audit", "verify", "--json"]);
        assert_eq!(v["broken_at"], seq);
        // Neither the log nor the timeline shows the forgery as a real entry.
        let log = env.json(&["audit", "log", "--json"]);
        assert_eq!(log.as_array().unwrap().len(), 5);
        assert!(!log.to_string().contains("mallory"));
        let table = env.cmd().args(["audit", "log"]).output().unwrap();
        assert!(!String::from_utf8_lossy(&table.stdout).contains("mallory"));
        assert!(String::from_utf8_lossy(&table.stderr).contains("outside the chain"));
        let timeline = env.json(&["incident", "timeline", &a, "--json"]);
        assert!(!timeline.to_string().contains("mallory"), "{timeline}");
        env.sql(&format!("DELETE FROM audit_event WHERE seq = {seq}"));
    }
    // A row past the recorded end is outside the chain too.
    forge(env, 6, &a);
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.contains("entry #6 lies outside the chain"), "{err}");
    env.sql("DELETE FROM audit_event WHERE seq = 6");
    let after = env.json(&["audit", "verify", "--json"]);
    assert_eq!(after["head_hash"], before["head_hash"]);
}
