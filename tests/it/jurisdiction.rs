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
