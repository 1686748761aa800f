//! The US state and territory rules: every state, DC, Puerto Rico, Guam and the Virgin
//! Islands has notice rules; a breach across many states lists each state's obligations; the
//! thresholds are exact at their limits.

use serde_json::Value;

use crate::common::TestEnv;

/// The 50 states, DC and the three territories the rules cover, by USPS code.
const CODES: [&str; 54] = [
    "AK", "AL", "AR", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "GU", "HI", "IA", "ID", "IL", "IN",
    "KS", "KY", "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM",
    "NV", "NY", "OH", "OK", "OR", "PA", "PR", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VI", "VT", "WA",
    "WI", "WV", "WY",
];

fn find<'a>(v: &'a Value, code: &str, key: &str) -> &'a Value {
    v["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["jurisdiction"] == code && o["key"] == key)
        .unwrap_or_else(|| panic!("no {code}/{key} in {v}"))
}

pub fn every_state_and_territory_has_rules(env: &TestEnv) {
    assert!(
        env.ok(&["jurisdiction", "validate"]).contains("valid"),
        "the built-in rules load"
    );
    let list = env.json(&["jurisdiction", "list", "--json"]);
    let list = list.as_array().unwrap();
    for code in CODES {
        let code = format!("US-{code}");
        let entry = list
            .iter()
            .find(|j| j["code"] == code.as_str())
            .unwrap_or_else(|| panic!("{code} missing from the list"));
        assert!(entry["obligations"].as_u64().unwrap() >= 1, "{code}");
        let j = env.json(&["jurisdiction", "show", &code, "--json"]);
        let obligations = j["obligations"].as_array().unwrap();
        assert!(
            obligations.iter().any(|o| o["to"] == "individuals"),
            "{code} has no notice to residents"
        );
        for o in obligations {
            assert!(
                ["V", "S", "U"].contains(&o["confidence"].as_str().unwrap()),
                "{code}/{}",
                o["key"]
            );
        }
        assert!(
            !j["sources"].as_array().unwrap().is_empty(),
            "{code} names no source"
        );
    }
    // The territories under their ISO country codes carry the territory's rules.
    for code in ["PR", "GU", "VI"] {
        let j = env.json(&["jurisdiction", "show", code, "--json"]);
        assert_eq!(j["inherits"], format!("US-{code}"));
        assert!(!j["obligations"].as_array().unwrap().is_empty(), "{code}");
    }
    let pr = env.json(&["jurisdiction", "show", "us-pr", "--json"]);
    assert_eq!(pr["zone"], "America/Puerto_Rico");
    let daco = &pr["obligations"][1];
    assert_eq!(daco["key"], "daco");
    assert_eq!(daco["deadline"]["rule"], "calendar-days");
    assert_eq!(daco["deadline"]["days"], 10);
}

/// People in eleven states and territories (one as country PR without a region), imported
/// from a CSV whose region column is called `state`; the breach is declared, scoped and
/// resolved, and every state's rules are listed.
pub fn multi_state_breach_lists_each_state_s_obligations(env: &TestEnv) {
    env.init();
    env.ok(&[
        "inventory",
        "system",
        "add",
        "crm",
        "--name",
        "CRM",
        "--categories",
        "name,email",
    ]);
    let states = ["CA", "TX", "co", "NY", "IL", "GA", "NM", "LA", "PR", "DC", "WA"];
    let mut csv = String::from("id,email,name,country,state\n");
    for (i, state) in states.iter().enumerate() {
        csv.push_str(&format!("{i},p{i}@example.org,P{i},US,{state}\n"));
    }
    csv.push_str("99,pr@example.org,Q,PR,\n");
    std::fs::write(env.dir().join("crm.csv"), csv).unwrap();
    env.ok(&["inventory", "import", "--system", "crm", "crm.csv"]);
    let r = env.declare(&["--title", "CRM export", "--aware-at", "2026-03-02T09:00:00Z"]);
    env.ok(&["incident", "scope", &r, "--system", "crm"]);
    env.ok(&["affected", "resolve", &r]);

    let v = env.json(&[
        "incident",
        "obligations",
        &r,
        "--json",
        "--anchor",
        "determination=2026-03-04T15:00:00Z",
        "--anchor",
        "notice-to-individuals=2026-03-20T15:00:00Z",
    ]);
    assert_eq!(v["counted_from"], "affected_subjects");
    let all = v["obligations"].as_array().unwrap();
    for o in all {
        assert_ne!(o["status"], "no_rules", "{o}");
        assert!(
            !o["reason"]
                .as_str()
                .unwrap()
                .contains("not in jurisdictions.toml"),
            "{o}"
        );
    }
    for state in states {
        let code = format!("US-{}", state.to_ascii_uppercase());
        let individuals = find(&v, &code, "individuals");
        assert_eq!(individuals["residents"], 1, "{code}");
    }
    assert_eq!(find(&v, "PR", "individuals")["residents"], 1);

    // No risk-of-harm test: owed; a harm test: a person must apply it.
    assert_eq!(find(&v, "US-GA", "individuals")["status"], "owed");
    assert_eq!(find(&v, "US-IL", "individuals")["status"], "owed");
    assert_eq!(find(&v, "US-CO", "individuals")["status"], "needs_determination");
    // One resident is below every attorney-general threshold.
    assert_eq!(find(&v, "US-IL", "attorney-general")["status"], "not_owed");
    assert_eq!(find(&v, "US-TX", "attorney-general")["status"], "not_owed");
    // Deadlines run from each state's anchor, in its zone.
    let due = |code: &str, key: &str| find(&v, code, key)["due"]["at"].clone();
    // New Mexico: 45 days from discovery, end of the day in Denver (MDT).
    assert_eq!(due("US-NM", "individuals"), "2026-04-17T05:59:59Z");
    // Colorado: 30 days from the determination (4 March), end of 3 April in Denver (MDT).
    assert_eq!(due("US-CO", "individuals"), "2026-04-04T05:59:59Z");
    // Texas: 60 days from the determination, end of 3 May in Chicago (CDT).
    assert_eq!(due("US-TX", "individuals"), "2026-05-04T04:59:59Z");
    // Puerto Rico: DACO within 10 days of detection, in Atlantic time.
    assert_eq!(due("US-PR", "daco"), "2026-03-13T03:59:59Z");
    assert_eq!(due("PR", "daco"), "2026-03-13T03:59:59Z");
    // Louisiana: the AG must receive it within 10 days of the notice to residents.
    assert_eq!(due("US-LA", "attorney-general"), "2026-03-31T04:59:59Z");
    // Without undue delay and no outer limit: no instant, flagged as such.
    let ga = &find(&v, "US-GA", "individuals")["due"];
    assert_eq!(ga["at"], Value::Null);
    assert_eq!(ga["without_undue_delay"], true);
}

/// Thresholds at their limit and one over: "more than N" is not met at N, "N or more" is.
pub fn thresholds_are_exact_at_each_limit(env: &TestEnv) {
    env.init();
    let r = env.declare(&["--title", "Many states", "--aware-at", "2026-03-02T09:00:00Z"]);
    // (code, key, at the limit, status there, one over, status there)
    let cases: [(&str, &str, u64, &str, u64, &str); 12] = [
        // more than N, no harm test
        ("US-IL", "attorney-general", 500, "not_owed", 501, "owed"),
        ("US-ND", "attorney-general", 250, "not_owed", 251, "owed"),
        ("US-SD", "attorney-general", 250, "not_owed", 251, "owed"),
        ("US-GA", "credit-agencies", 10000, "not_owed", 10001, "owed"),
        ("US-MN", "credit-agencies", 500, "not_owed", 501, "owed"),
        // more than N, owed only if the state's harm test is met
        (
            "US-DE",
            "attorney-general",
            500,
            "not_owed",
            501,
            "needs_determination",
        ),
        (
            "US-OR",
            "attorney-general",
            250,
            "not_owed",
            251,
            "needs_determination",
        ),
        (
            "US-AZ",
            "attorney-general",
            1000,
            "not_owed",
            1001,
            "needs_determination",
        ),
        // N or more: one below is not enough, the limit itself is
        (
            "US-CO",
            "attorney-general",
            499,
            "not_owed",
            500,
            "needs_determination",
        ),
        (
            "US-OK",
            "attorney-general",
            499,
            "not_owed",
            500,
            "needs_determination",
        ),
        (
            "US-UT",
            "credit-agencies",
            999,
            "not_owed",
            1000,
            "needs_determination",
        ),
        (
            "US-DC",
            "attorney-general",
            49,
            "not_owed",
            50,
            "needs_determination",
        ),
    ];
    let run = |counts: Vec<String>| {
        env.json(&[
            "incident",
            "obligations",
            &r,
            "--json",
            "--residents",
            &counts.join(","),
        ])
    };
    let at = run(cases.iter().map(|c| format!("{}={}", c.0, c.2)).collect());
    let over = run(cases.iter().map(|c| format!("{}={}", c.0, c.4)).collect());
    assert_eq!(at["counted_from"], "given");
    for (code, key, n, status, m, status_over) in cases {
        assert_eq!(find(&at, code, key)["status"], status, "{code}/{key} at {n}");
        assert_eq!(
            find(&over, code, key)["status"],
            status_over,
            "{code}/{key} at {m}"
        );
    }
    // Every state and territory has rules: one resident in each lists no unknown code.
    let everywhere: Vec<String> = CODES.iter().map(|c| format!("US-{c}=1")).collect();
    let v = run(everywhere);
    for code in CODES {
        let code = format!("US-{code}");
        let mine: Vec<&Value> = v["obligations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["jurisdiction"] == code.as_str())
            .collect();
        assert!(!mine.is_empty(), "{code}");
        assert!(mine.iter().all(|o| o["status"] != "no_rules"), "{code}");
    }
}
