//! Severity assessments with --answers, their proposals, overrides and direct decisions.

use crate::common::{TestEnv, assert_one_line};

const FORUM_LEAK: &str = r#"
ei = "maximum"
individuals = 1200

[dpc]
categories = ["name", "email"]

[cb]
confidentiality = "unknown-recipients"
malicious = true
"#;

const HOSPITAL_RANSOMWARE: &str = r#"
ei = "maximum"

[dpc]
categories = ["health", "name"]

[cb]
availability = "temporary"
malicious = true
"#;

fn answers(env: &TestEnv, name: &str, text: &str) -> String {
    let path = env.dir().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

pub fn assess_with_answers_file(env: &TestEnv) {
    env.init();
    let r = env.declare(&["--title", "Customer list posted on a forum"]);
    let file = answers(env, "forum.toml", FORUM_LEAK);

    // Without --accept or an override, nothing is recorded and the proposal is named.
    let err = env.fails(&["incident", "assess", &r, "--answers", &file], 2);
    assert!(
        err.contains("proposed: authority: notify; subjects: do not tell"),
        "{err}"
    );
    assert!(err.contains("--accept"), "{err}");

    let v = env.json(&["incident", "assess", &r, "--answers", &file, "--accept", "--json"]);
    assert_eq!(v["version"], 1);
    assert_eq!(v["method"], "enisa_2013");
    assert_eq!(v["severity"]["dpc"], 1);
    assert_eq!(v["severity"]["ei"], 1.0);
    assert_eq!(v["severity"]["cb"], 1.0);
    assert_eq!(v["severity"]["score"], 2.0);
    assert_eq!(v["severity"]["band"], "medium");
    assert_eq!(v["proposed"]["notify_authority"], true);
    assert_eq!(v["proposed"]["notify_subjects"], false);
    assert_eq!(v["decided"]["overridden"], false);
    assert!(
        v["reasoning"][1].as_str().unwrap().contains("not law"),
        "{}",
        v["reasoning"]
    );
    assert_eq!(
        v["inputs"]["dpc"]["categories"],
        serde_json::json!(["name", "email"])
    );

    // Overriding needs a rationale; with one it is recorded as a new version.
    let err = env.fails(
        &[
            "incident",
            "assess",
            &r,
            "--answers",
            &file,
            "--override-subjects",
            "yes",
        ],
        2,
    );
    assert_one_line(&err);
    assert!(err.contains("--rationale"), "{err}");
    env.ok(&[
        "incident",
        "assess",
        &r,
        "--answers",
        &file,
        "--override-subjects",
        "yes",
        "--rationale",
        "emails will be used for phishing",
    ]);

    let hospital = answers(env, "hospital.toml", HOSPITAL_RANSOMWARE);
    let v = env.json(&[
        "incident",
        "assess",
        &r,
        "--answers",
        &hospital,
        "--accept",
        "--json",
    ]);
    assert_eq!(v["severity"]["score"], 4.75);
    assert_eq!(v["severity"]["band"], "very_high");
    assert_eq!(v["decided"]["notify_subjects"], true);

    let list = env.json(&["incident", "assessments", &r, "--json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list[1]["decided"]["overridden"], true);
    assert_eq!(list[1]["decided"]["notify_subjects"], true);
    assert_eq!(
        list[1]["decided"]["rationale"],
        "emails will be used for phishing"
    );
    assert_eq!(
        list.iter()
            .map(|a| a["current"].as_bool().unwrap())
            .collect::<Vec<_>>(),
        [false, false, true]
    );

    let log = env.json(&["audit", "log", &r, "--json"]);
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "incident.declare",
            "assessment.record",
            "assessment.record",
            "assessment.record"
        ]
    );
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
}

pub fn answers_errors_name_file_and_line(env: &TestEnv) {
    env.init();
    let r = env.declare(&["--title", "t"]);
    let bad = answers(env, "bad.toml", &FORUM_LEAK.replace("\"maximum\"", "\"total\""));
    let err = env.fails(&["incident", "assess", &r, "--answers", &bad, "--accept"], 2);
    assert_one_line(&err);
    assert!(err.contains("bad.toml:2:"), "{err}");
    let bad = answers(
        env,
        "bad2.toml",
        &FORUM_LEAK.replace("\"email\"]", "\"shoe_size\"]"),
    );
    let err = env.fails(&["incident", "assess", &r, "--answers", &bad, "--accept"], 2);
    assert!(err.contains("bad2.toml:5:") && err.contains("shoe_size"), "{err}");
    let err = env.fails(
        &["incident", "assess", &r, "--answers", "missing.toml", "--accept"],
        2,
    );
    assert!(err.contains("missing.toml"), "{err}");
    // No answers and no terminal: refused, not hung.
    let err = env.fails(&["incident", "assess", &r], 2);
    assert!(
        err.contains("not a terminal") && err.contains("--answers"),
        "{err}"
    );
    assert_eq!(
        env.json(&["incident", "assessments", &r, "--json"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

pub fn decide_records_a_decision_directly(env: &TestEnv) {
    env.init();
    let r = env.declare(&["--title", "Misdirected email to one recipient"]);
    env.ok(&[
        "incident",
        "decide",
        &r,
        "--no-authority",
        "--no-subjects",
        "--rationale",
        "one trusted recipient confirmed deletion in writing",
    ]);
    let err = env.fails(
        &[
            "incident",
            "decide",
            &r,
            "--authority",
            "--subjects",
            "--exemption",
            "art34-3-a",
            "--rationale",
            "x",
        ],
        2,
    );
    assert!(err.contains("exemption"), "{err}");
    let err = env.fails(
        &[
            "incident",
            "decide",
            &r,
            "--authority",
            "--no-subjects",
            "--rationale",
            "  ",
        ],
        2,
    );
    assert!(err.contains("rationale"), "{err}");
    // Both or neither of a pair: clap refuses with exit 2.
    env.fails(
        &[
            "incident",
            "decide",
            &r,
            "--authority",
            "--no-authority",
            "--subjects",
            "--rationale",
            "x",
        ],
        2,
    );
    env.fails(&["incident", "decide", &r, "--subjects", "--rationale", "x"], 2);
    env.ok(&[
        "incident",
        "decide",
        &r,
        "--authority",
        "--no-subjects",
        "--exemption",
        "art34-3-c",
        "--rationale",
        "addresses unknown: public notice instead",
    ]);
    let list = env.json(&["incident", "assessments", &r, "--json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["method"], "decision");
    assert_eq!(list[0]["severity"], serde_json::Value::Null);
    assert_eq!(list[0]["decided"]["notify_authority"], false);
    assert_eq!(list[1]["decided"]["exemption"], "art34-3-c");
    assert_eq!(list[1]["current"], true);
    let err = env.fails(
        &[
            "incident",
            "decide",
            "BD-2026-0099",
            "--authority",
            "--subjects",
            "--rationale",
            "x",
        ],
        2,
    );
    assert!(err.contains("no incident BD-2026-0099"), "{err}");
}

pub fn policy_comes_from_the_configuration(env: &TestEnv) {
    env.init();
    let r = env.declare(&["--title", "Customer list posted on a forum"]);
    let file = answers(env, "forum.toml", FORUM_LEAK);
    let config = env.dir().join("breachdesk.toml");
    let original = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        original.replace(
            "# notify_subjects_from = \"high\"",
            "notify_subjects_from = \"medium\"",
        ),
    )
    .unwrap();
    let v = env.json(&["incident", "assess", &r, "--answers", &file, "--accept", "--json"]);
    assert_eq!(v["severity"]["band"], "medium");
    assert_eq!(
        v["proposed"]["notify_subjects"], true,
        "the policy says: from medium"
    );
    std::fs::write(&config, "[assessment]\nnotify_authority_from = \"severe\"\n").unwrap();
    let err = env.fails(&["incident", "assessments", &r], 2);
    assert!(err.contains("'severe'"), "{err}");
}
