//! The jurisdiction rules: list, show, validate.

use crate::common::{TestEnv, assert_one_line};

pub fn list_show_and_validate(env: &TestEnv) {
    let list = env.json(&["jurisdiction", "list", "--json"]);
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["code"].as_str().unwrap())
        .collect();
    for code in [
        "EU", "DE", "FR", "GB", "CH", "US-CA", "US-HIPAA", "BR", "SG", "JP", "IN",
    ] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    let br = env.json(&["jurisdiction", "show", "br", "--json"]);
    assert_eq!(br["zone"], "America/Sao_Paulo");
    assert_eq!(br["obligations"][0]["deadline"]["rule"], "business-days");
    assert_eq!(br["obligations"][0]["deadline"]["days"], 3);
    let ca = env.json(&["jurisdiction", "show", "US-CA", "--json"]);
    assert_eq!(ca["obligations"][1]["threshold"]["more_than"], 500);
    let err = env.fails(&["jurisdiction", "show", "XX"], 2);
    assert!(err.contains("unknown jurisdiction 'XX'"), "{err}");

    assert!(env.ok(&["jurisdiction", "validate"]).contains("valid"));
    let bad =
        "[[jurisdiction]]\ncode = \"ZZ\"\nname = \"Z\"\nzone = \"Mars/Base\"\nauthority = { name = \"Z\" }\n";
    std::fs::write(env.dir().join("j.toml"), bad).unwrap();
    let err = env.fails(&["jurisdiction", "validate", "j.toml"], 2);
    assert_one_line(&err);
    assert!(
        err.contains("j.toml:1: ZZ: no [[jurisdiction.obligation]]"),
        "{err}"
    );
    assert!(
        err.contains("j.toml:4: ZZ: unknown time zone 'Mars/Base'"),
        "{err}"
    );
}

pub fn configured_directory_replaces_the_rules(env: &TestEnv) {
    let dir = env.dir().join("rules");
    std::fs::create_dir(&dir).unwrap();
    let rules = "[[jurisdiction]]\ncode = \"ZZ\"\nname = \"Zedland\"\nzone = \"UTC\"\nauthority = { name = \"Z\" }\n\n[[jurisdiction.obligation]]\nkey = \"authority\"\nto = \"authority\"\nwhat = \"Tell Z\"\ntest = \"none\"\nanchor = \"awareness\"\ndeadline = { rule = \"elapsed-hours\", hours = 24 }\nconfidence = \"U\"\n";
    std::fs::write(dir.join("jurisdictions.toml"), rules).unwrap();
    std::fs::write(
        env.dir().join("breachdesk.toml"),
        "[playbooks]\ndir = \"rules\"\n",
    )
    .unwrap();
    let list = env.json(&["jurisdiction", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["code"], "ZZ");
    std::fs::write(
        dir.join("jurisdictions.toml"),
        rules.replace("hours = 24", "hours = -1"),
    )
    .unwrap();
    let err = env.fails(&["jurisdiction", "list"], 2);
    assert_one_line(&err);
    assert!(err.contains("rules/jurisdictions.toml:13:"), "{err}");
}

pub fn incident_obligations_follow_counts_decisions_and_anchors(env: &TestEnv) {
    env.init();
    let r = env.declare(&["--title", "Exfiltration", "--aware-at", "2026-03-28T09:00:00Z"]);
    let owed = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["incident", "obligations", r.as_str(), "--json"];
        all.extend_from_slice(args);
        env.json(&all)
    };
    let find = |v: &serde_json::Value, code: &str, key: &str| -> serde_json::Value {
        v["obligations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["jurisdiction"] == code && o["key"] == key)
            .unwrap_or_else(|| panic!("no {code}/{key} in {v}"))
            .clone()
    };
    let v = owed(&["--residents", "DE=1200,US-CA=500"]);
    assert_eq!(v["decisions"]["notify_authority"], serde_json::Value::Null);
    let de = find(&v, "DE", "authority");
    assert_eq!(de["status"], "awaiting_decision");
    assert_eq!(de["due"]["at"], "2026-03-31T09:00:00Z");
    assert_eq!(
        find(&v, "US-CA", "attorney-general")["status"],
        "not_owed",
        "500 is not more than 500"
    );
    assert_eq!(
        find(&v, "US-CA", "individuals")["due"]["at"],
        "2026-04-28T06:59:59Z"
    );

    env.ok(&[
        "incident",
        "decide",
        &r,
        "--authority",
        "--no-subjects",
        "--rationale",
        "names and emails only",
    ]);
    let v = owed(&[
        "--residents",
        "DE=1200,US-CA=501",
        "--anchor",
        "notice-to-individuals=2026-04-10T12:00:00Z",
    ]);
    assert_eq!(v["decisions"]["notify_authority"], true);
    assert_eq!(find(&v, "DE", "authority")["status"], "owed");
    assert_eq!(find(&v, "DE", "individuals")["status"], "not_owed");
    let ag = find(&v, "US-CA", "attorney-general");
    assert_eq!(ag["status"], "owed");
    assert_eq!(ag["due"]["at"], "2026-04-26T06:59:59Z");

    let err = env.fails(&["incident", "obligations", &r, "--residents", "DE"], 2);
    assert_one_line(&err);
    assert!(err.contains("CODE=COUNT"), "{err}");
    let err = env.fails(
        &[
            "incident",
            "obligations",
            &r,
            "--residents",
            "DE=1",
            "--anchor",
            "sunrise=2026-01-01T00:00:00Z",
        ],
        2,
    );
    assert!(err.contains("unknown anchor 'sunrise'"), "{err}");
}
