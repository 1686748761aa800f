//! Tasks that follow the record: the recorded assessment and submission close the playbook's
//! tasks with the audit entry as evidence; `tasks reopen` opens one again, audited.

use serde_json::Value;

use crate::common::TestEnv;
use crate::report::at;

const ANSWERS: &str = r#"
ei = "maximum"
individuals = 1200

[dpc]
categories = ["name", "email"]

[cb]
confidentiality = "unknown-recipients"
malicious = true
"#;

fn tasks(env: &TestEnv, now: &str, r: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(&at(env, now, &["tasks", r, "--json"])).unwrap();
    v.as_array().unwrap().clone()
}

fn task<'a>(list: &'a [Value], key: &str) -> &'a Value {
    list.iter()
        .find(|t| t["key"] == key)
        .unwrap_or_else(|| panic!("no task {key}"))
}

/// The sequence number of the last audit entry of `action`.
fn last_seq(env: &TestEnv, r: &str, action: &str) -> Value {
    let log = env.json(&["audit", "log", r, "--json"]);
    log.as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["action"] == action)
        .unwrap_or_else(|| panic!("no {action} in {log:#}"))["seq"]
        .clone()
}

pub fn tasks_close_themselves_on_the_record(env: &TestEnv) {
    env.init();
    let r = at(
        env,
        "2026-03-02T10:00:00Z",
        &[
            "incident",
            "declare",
            "-q",
            "--title",
            "Leak",
            "--aware-at",
            "2026-03-02T09:00:00Z",
            "--playbook",
            "ransomware",
        ],
    )
    .trim()
    .to_string();
    let list = tasks(env, "2026-03-02T10:00:00Z", &r);
    assert_eq!(task(&list, "assess-risk")["completed_by"], "assessment-recorded");
    assert_eq!(
        task(&list, "notify-authority")["completed_by"],
        "submission-recorded"
    );
    assert_eq!(task(&list, "contain")["completed_by"], Value::Null);

    // The assessment closes the assessment task, with its entry as evidence.
    std::fs::write(env.dir().join("answers.toml"), ANSWERS).unwrap();
    at(
        env,
        "2026-03-03T09:00:00Z",
        &["incident", "assess", &r, "--answers", "answers.toml", "--accept"],
    );
    let list = tasks(env, "2026-03-03T10:00:00Z", &r);
    let assess = task(&list, "assess-risk");
    assert_eq!(assess["state"], "done", "{assess:#}");
    assert_eq!(assess["done_at"], "2026-03-03T09:00:00Z");
    assert_eq!(assess["done_by"], "tester");
    assert_eq!(assess["evidence_seq"], last_seq(env, &r, "assessment.record"));
    assert_eq!(task(&list, "notify-authority")["state"], "open");

    // The submission closes the authority task.
    at(
        env,
        "2026-03-04T09:00:00Z",
        &[
            "report",
            "submitted",
            &r,
            "--authority",
            "DE",
            "--reference",
            "LDA-1",
        ],
    );
    let list = tasks(env, "2026-03-04T10:00:00Z", &r);
    let notify = task(&list, "notify-authority");
    assert_eq!(notify["state"], "done", "{notify:#}");
    assert_eq!(notify["evidence_seq"], last_seq(env, &r, "report.submitted"));
    let text = at(env, "2026-03-04T10:00:00Z", &["tasks", &r]);
    assert!(text.contains("submission-recorded (audit #"), "{text}");
    let closed = env.json(&["audit", "log", &r, "--json"]);
    let closing = closed
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "task.done" && e["details"]["task"] == "notify-authority")
        .expect("the closing is audited");
    assert_eq!(closing["details"]["evidence"], "report.submitted");

    // Reopened, it stays open: the old submission no longer counts.
    let out = at(
        env,
        "2026-03-04T11:00:00Z",
        &["tasks", "reopen", &r, "notify-authority"],
    );
    assert!(out.contains("reopened"), "{out}");
    let reopened = last_seq(env, &r, "task.reopen");
    assert!(reopened.as_i64().unwrap() > notify["evidence_seq"].as_i64().unwrap());
    let list = tasks(env, "2026-03-04T12:00:00Z", &r);
    let notify = task(&list, "notify-authority");
    assert_eq!(notify["state"], "open", "{notify:#}");
    assert_eq!(notify["evidence_seq"], Value::Null);
    let err = env.fails(&["tasks", "reopen", &r, "notify-authority"], 2);
    assert!(err.contains("open already"), "{err}");
    // A later submission closes it again.
    at(
        env,
        "2026-03-05T08:00:00Z",
        &[
            "report",
            "submitted",
            &r,
            "--authority",
            "DE",
            "--reference",
            "LDA-1",
            "--phase",
            "follow-up",
        ],
    );
    let list = tasks(env, "2026-03-05T09:00:00Z", &r);
    let notify = task(&list, "notify-authority");
    assert_eq!(notify["state"], "done");
    assert_eq!(notify["done_at"], "2026-03-05T08:00:00Z");
}
