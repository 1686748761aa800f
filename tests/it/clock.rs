//! The authority clock per regime and after submission: a recorded submission settles it
//! (met, late with or without reasons), and each jurisdiction is judged by its own rule.

use serde_json::Value;

use crate::common::TestEnv;
use crate::report::at;

const AWARE: &str = "2026-03-02T09:00:00Z";

fn at_json(env: &TestEnv, now: &str, args: &[&str]) -> Value {
    serde_json::from_str(&at(env, now, args)).unwrap()
}

fn declare(env: &TestEnv, now: &str) -> String {
    env.init();
    at(
        env,
        now,
        &[
            "incident",
            "declare",
            "-q",
            "--title",
            "Leak",
            "--aware-at",
            AWARE,
        ],
    )
    .trim()
    .to_string()
}

fn submit(env: &TestEnv, r: &str, authority: &str, when: &str) -> String {
    at(
        env,
        when,
        &[
            "report",
            "submitted",
            r,
            "--authority",
            authority,
            "--reference",
            "CASE-1",
        ],
    )
}

/// The state shown by `list`, `show` and `--json` at `now`.
fn clock_everywhere(env: &TestEnv, r: &str, now: &str) -> (String, String, Value) {
    let list = at(env, now, &["incident", "list"]);
    let show = at(env, now, &["incident", "show", r]);
    let json = at_json(env, now, &["incident", "show", r, "--json"]);
    let listed = at_json(env, now, &["incident", "list", "--json"]);
    assert_eq!(listed[0]["authority_deadline"], json["authority_deadline"]);
    (list, show, json)
}

pub fn a_timely_submission_meets_the_deadline(env: &TestEnv) {
    let r = declare(env, "2026-03-02T10:00:00Z");
    submit(env, &r, "DE", "2026-03-03T15:00:00Z");
    // Days after the 72 hours, the clock still reads met.
    let (list, show, json) = clock_everywhere(env, &r, "2026-03-09T12:00:00Z");
    let d = &json["authority_deadline"];
    assert_eq!(d["state"], "met", "{json:#}");
    assert_eq!(d["delay_reasons_required"], false);
    assert_eq!(d["regime"], "EU");
    assert_eq!(d["submission"]["authority"], "DE");
    assert_eq!(json["deadline_basis"]["from"], "assumed");
    assert!(list.contains("met") && !list.contains("overdue"), "{list}");
    assert!(show.contains("met") && !show.contains("overdue"), "{show}");
    assert!(!show.contains("reasons for the delay are required"), "{show}");
    assert!(
        show.contains("submitted 2026-03-03 15:00 UTC to DE (reference CASE-1)"),
        "{show}"
    );
    let report = at_json(
        env,
        "2026-03-09T12:00:00Z",
        &[
            "report",
            "authority",
            &r,
            "--format",
            "json",
            "--authority",
            "DE",
            "--phase",
            "follow-up",
        ],
    );
    assert_eq!(report["timeline"]["late"], false);
}

pub fn a_late_submission_with_reasons_is_late_reasons_given(env: &TestEnv) {
    let r = declare(env, "2026-03-02T10:00:00Z");
    env.ok(&[
        "incident",
        "update",
        &r,
        "--delay-reasons",
        "Found only during an audit.",
    ]);
    submit(env, &r, "DE", "2026-03-07T09:00:00Z");
    let (list, show, json) = clock_everywhere(env, &r, "2026-03-09T12:00:00Z");
    let d = &json["authority_deadline"];
    assert_eq!(d["state"], "late_reasons_given", "{json:#}");
    assert_eq!(d["delay_reasons_required"], true);
    assert!(list.contains("late (reasons given)"), "{list}");
    assert!(show.contains("late (reasons given)"), "{show}");
    assert!(show.contains("reasons for the delay recorded"), "{show}");
    // Without the reasons on record any more, it is plain late.
    env.ok(&["incident", "update", &r, "--delay-reasons", ""]);
    let json = at_json(env, "2026-03-09T12:00:00Z", &["incident", "show", &r, "--json"]);
    assert_eq!(json["authority_deadline"]["state"], "late");
}

/// A Californian organisation: 501 residents of California, the Attorney General told 18
/// days after discovery (California's rule runs 15 days from the notice to individuals).
pub fn california_is_judged_by_its_own_rule(env: &TestEnv) {
    env.init();
    std::fs::write(
        env.dir().join("breachdesk.toml"),
        "[organisation]\nname = \"Example Inc.\"\ncountry = \"US\"\n",
    )
    .unwrap();
    let now = "2026-03-20T09:00:00Z";
    let declared = at(
        env,
        now,
        &["incident", "declare", "--title", "Leak", "--aware-at", AWARE],
    );
    let r = declared.lines().next().unwrap().to_string();
    assert!(
        !declared.contains("LATE") && !declared.contains("72"),
        "{declared}"
    );
    assert!(declared.contains("No authority deadline known yet"), "{declared}");
    assert!(declared.contains("the organisation's country US"), "{declared}");

    env.ok(&[
        "inventory",
        "system",
        "add",
        "crm",
        "--name",
        "CRM",
        "--categories",
        "name,email",
        "--location",
        "US",
    ]);
    let mut csv = String::from("id,email,name,country,region\n");
    for i in 0..501 {
        csv.push_str(&format!("{i},p{i}@example.com,P {i},US,CA\n"));
    }
    std::fs::write(env.dir().join("crm.csv"), csv).unwrap();
    env.ok(&["inventory", "import", "--system", "crm", "crm.csv"]);
    env.ok(&["incident", "scope", &r, "--system", "crm"]);
    env.ok(&["affected", "resolve", &r]);

    let (list, show, json) = clock_everywhere(env, &r, now);
    let d = &json["authority_deadline"];
    assert_eq!(d["regime"], "US-CA", "{json:#}");
    assert_eq!(d["state"], "pending");
    assert_eq!(d["delay_reasons_required"], false);
    assert_eq!(
        json["authority_deadlines"].as_array().unwrap().len(),
        1,
        "{json:#}"
    );
    assert_eq!(json["deadline_basis"]["from"], "affected_subjects");
    assert!(
        !list.contains("overdue") && !show.contains("overdue"),
        "{list}\n{show}"
    );
    assert!(
        show.contains("California: 15 calendar days after the notice to individuals"),
        "{show}"
    );

    // Recorded 18 days after discovery: accepted, and on time by California's rule.
    let recorded = submit(env, &r, "US-CA", now);
    assert!(recorded.contains("Recorded the initial report"), "{recorded}");
    let json = at_json(env, now, &["incident", "show", &r, "--json"]);
    assert_eq!(json["authority_deadline"]["state"], "met", "{json:#}");
    let report = at_json(
        env,
        now,
        &[
            "report",
            "authority",
            &r,
            "--format",
            "json",
            "--authority",
            "US-CA",
            "--phase",
            "follow-up",
        ],
    );
    assert_eq!(report["timeline"]["late"], false);
    assert_eq!(
        report["timeline"]["deadline_rule"],
        "California: 15 calendar days after the notice to individuals"
    );
}

/// The late warning of `declare` names the regime and what it is based on.
pub fn the_late_warning_names_its_regime(env: &TestEnv) {
    env.init();
    let out = at(
        env,
        "2026-03-09T09:00:00Z",
        &["incident", "declare", "--title", "Leak", "--aware-at", AWARE],
    );
    assert!(
        out.contains(
            "LATE: the authority deadline passed at 2026-03-05 09:00 UTC \
             (European Union / EEA (GDPR): 72 hours after awareness)"
        ),
        "{out}"
    );
    assert!(out.contains("GDPR assumed"), "{out}");
    // With a lead authority configured, the basis says so.
    std::fs::write(
        env.dir().join("breachdesk.toml"),
        "[organisation]\nlead_authority = \"FR\"\n",
    )
    .unwrap();
    let out = at(
        env,
        "2026-03-09T09:00:00Z",
        &["incident", "declare", "--title", "Leak", "--aware-at", AWARE],
    );
    assert!(out.contains("the lead authority FR"), "{out}");
    assert!(out.contains("72 hours after awareness"), "{out}");
}
