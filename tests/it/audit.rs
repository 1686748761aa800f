//! The hash-chained audit log: intact chains verify; edits, deletions, reorders and a cut
//! end are named.

use crate::common::{TestEnv, assert_one_line};

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
    assert_eq!(log[4]["hash"], v["head_hash"]);
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
