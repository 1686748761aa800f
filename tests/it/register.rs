//! What the reports are for: submissions meeting the obligations, and the breach register of
//! every incident, notified or not.

use serde_json::Value;

use crate::common::TestEnv;
use crate::report::{IN_TIME, at, incident};

pub fn submission_meets_the_obligation(env: &TestEnv) {
    let r = incident(env);
    env.ok(&[
        "incident",
        "decide",
        &r,
        "--authority",
        "--no-subjects",
        "--rationale",
        "no high risk",
    ]);
    let find = |v: &Value, code: &str, key: &str| -> Value {
        v["obligations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["jurisdiction"] == code && o["key"] == key)
            .unwrap_or_else(|| panic!("no {code}/{key} in {v}"))
            .clone()
    };
    let v = env.json(&["incident", "obligations", &r, "--json"]);
    assert_eq!(v["counted_from"], "affected_subjects");
    assert_eq!(find(&v, "DE", "authority")["residents"], 2);
    assert_eq!(find(&v, "FR", "authority")["residents"], 1);
    assert_eq!(find(&v, "US-CA", "individuals")["residents"], 1);
    assert!(
        v["obligations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["jurisdiction"] != "US-HIPAA")
    );
    assert_eq!(find(&v, "DE", "authority")["done"], false);

    at(
        env,
        IN_TIME,
        &[
            "report",
            "submitted",
            &r,
            "--authority",
            "DE",
            "--reference",
            "LDA-7",
        ],
    );
    let v = env.json(&["incident", "obligations", &r, "--json"]);
    let de = find(&v, "DE", "authority");
    assert_eq!(de["done"], true);
    assert_eq!(de["submission"]["reference"], "LDA-7");
    assert_eq!(
        find(&v, "FR", "authority")["done"],
        false,
        "no lead authority configured"
    );
    let text = env.ok(&["incident", "obligations", &r]);
    assert!(text.contains("LDA-7"), "{text}");
    let timeline = env.ok(&["incident", "timeline", &r]);
    assert!(
        timeline.contains("decision recorded: notify the authority yes, the people no"),
        "{timeline}"
    );

    // With DE as the lead authority, the one-stop shop covers FR and AT; HIPAA when covered.
    std::fs::write(
        env.dir().join("breachdesk.toml"),
        "[organisation]\nlead_authority = \"DE\"\nhipaa_covered_entity = true\n",
    )
    .unwrap();
    let v = env.json(&["incident", "obligations", &r, "--json"]);
    assert_eq!(find(&v, "FR", "authority")["done"], true);
    assert_eq!(find(&v, "AT", "authority")["done"], true);
    assert_eq!(
        find(&v, "US-HIPAA", "hhs-annual-log")["residents"],
        1,
        "H in New York had health data exposed; C in California did not"
    );
    // The override still works.
    let v = env.json(&["incident", "obligations", &r, "--residents", "DE=1200", "--json"]);
    assert_eq!(v["counted_from"], "given");
    assert_eq!(find(&v, "DE", "authority")["residents"], 1200);
}

pub fn register_lists_every_incident(env: &TestEnv) {
    let r = incident(env);
    env.ok(&[
        "incident",
        "decide",
        &r,
        "--authority",
        "--no-subjects",
        "--rationale",
        "encrypted backups",
    ]);
    at(
        env,
        IN_TIME,
        &[
            "report",
            "submitted",
            &r,
            "--authority",
            "DE",
            "--reference",
            "LDA-9",
        ],
    );
    let quiet = at(
        env,
        "2026-04-01T10:00:00Z",
        &[
            "incident",
            "declare",
            "-q",
            "--title",
            "=HYPERLINK(\"http://x\")",
            "--aware-at",
            "2026-04-01T08:00:00Z",
        ],
    )
    .trim()
    .to_string();
    env.ok(&[
        "incident",
        "decide",
        &quiet,
        "--no-authority",
        "--no-subjects",
        "--rationale=-misdirected email to one trusted recipient, deleted unread",
    ]);
    let j = env.json(&["report", "register", "--format", "json"]);
    let list = j.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["reference"], r.as_str());
    assert_eq!(list[0]["subjects"], 6);
    assert_eq!(list[0]["submissions"][0]["reference"], "LDA-9");
    assert_eq!(list[1]["assessment"]["notify_authority"], false);
    assert_eq!(
        list[1]["assessment"]["rationale"],
        "-misdirected email to one trusted recipient, deleted unread"
    );
    assert!(list[1]["submissions"].as_array().unwrap().is_empty());

    let csv = env.ok(&["report", "register", "--format", "csv"]);
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(csv.contains("'-misdirected"), "{csv}");
    assert!(
        !csv.contains(",=HYPERLINK") && !csv.contains("\"=HYPERLINK"),
        "{csv}"
    );

    let only_april = env.json(&["report", "register", "--from", "2026-04-01", "--format", "json"]);
    assert_eq!(only_april.as_array().unwrap().len(), 1);
    let only_march = env.json(&["report", "register", "--to", "2026-03-31", "--format", "json"]);
    assert_eq!(only_march[0]["reference"], r.as_str());
    assert_eq!(only_march.as_array().unwrap().len(), 1);
    let md = env.ok(&["report", "register", "--format", "md"]);
    assert!(
        md.contains("encrypted backups") && md.contains("2 incident(s)"),
        "{md}"
    );
}
