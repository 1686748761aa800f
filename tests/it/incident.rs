//! Declaring, listing, showing, updating, closing incidents; the 72-hour clock.

use std::process::{Command as StdCommand, Stdio};

use crate::common::{TestEnv, run_ok};

pub fn declare_list_show(env: &TestEnv) {
    env.init();
    let reference = env.declare(&[
        "--title",
        "Ransomware on the HR file server",
        "--aware-at",
        "2026-03-28T10:00:00Z",
        "--occurred-from",
        "2026-03-27T22:00:00Z",
        "--occurred-to",
        "2026-03-28T06:00:00Z",
        "--detected-at",
        "2026-03-28T07:30:00Z",
        "--nature",
        "Files encrypted, some copied out",
        "--cause",
        "malicious",
        "--breach-type",
        "confidentiality,availability",
        "--playbook",
        "ransomware",
    ]);
    assert!(
        reference.starts_with("BD-") && reference.ends_with("-0001"),
        "{reference}"
    );

    let v = env.json(&["incident", "show", &reference, "--json"]);
    assert_eq!(v["reference"], reference.as_str());
    assert_eq!(v["title"], "Ransomware on the HR file server");
    assert_eq!(v["status"], "open");
    assert_eq!(v["cause"], "malicious");
    assert_eq!(
        v["breach_types"],
        serde_json::json!(["confidentiality", "availability"])
    );
    assert_eq!(v["aware_at"], "2026-03-28T10:00:00Z");
    assert_eq!(v["occurred_from"], "2026-03-27T22:00:00Z");
    assert_eq!(v["occurred_to"], "2026-03-28T06:00:00Z");
    assert_eq!(v["detected_at"], "2026-03-28T07:30:00Z");
    assert_eq!(v["nature"], "Files encrypted, some copied out");
    assert_eq!(v["playbook"], "ransomware");
    assert_eq!(v["declared_by"], "tester");
    assert_eq!(
        v["dpo"],
        serde_json::json!({"name": null, "email": null, "phone": null})
    );
    assert_eq!(v["authority_deadline"]["hours"], 72);
    assert_eq!(v["authority_deadline"]["due_utc"], "2026-03-31T10:00:00Z");
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    for key in [
        "likely_consequences",
        "measures_taken",
        "measures_proposed",
        "delay_reasons",
        "closed_at",
        "closed_by",
        "declared_at",
        "updated_at",
    ] {
        assert!(keys.iter().any(|k| *k == key), "missing {key} in {keys:?}");
    }

    // A lower-case reference finds it too.
    let lower = reference.to_lowercase();
    assert_eq!(
        env.json(&["incident", "show", &lower, "--json"])["reference"],
        reference.as_str()
    );

    let second = env.declare(&["--title", "Misdirected email"]);
    let list = env.json(&["incident", "list", "--json"]);
    let refs: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["reference"].as_str().unwrap())
        .collect();
    assert_eq!(refs, vec![second.as_str(), reference.as_str()], "newest first");
    let table = env.ok(&["incident", "list"]);
    assert!(
        table.contains("Misdirected email") && table.contains(&reference),
        "{table}"
    );
}

pub fn references_are_numbered_per_year(env: &TestEnv) {
    env.init();
    let at = |now: &str, title: &str| {
        let mut cmd = env.cmd();
        cmd.env("BREACHDESK_NOW", now)
            .args(["incident", "declare", "-q", "--title", title]);
        run_ok(&mut cmd).trim().to_string()
    };
    assert_eq!(at("2025-12-31T23:00:00Z", "a"), "BD-2025-0001");
    assert_eq!(at("2025-12-31T23:30:00Z", "b"), "BD-2025-0002");
    assert_eq!(at("2026-01-01T00:10:00Z", "c"), "BD-2026-0001");
    assert_eq!(at("2026-02-01T00:00:00Z", "d"), "BD-2026-0002");
}

pub fn deadline_counts_elapsed_hours_across_dst(env: &TestEnv) {
    env.init();
    let mut cmd = env.cmd();
    cmd.env("BREACHDESK_NOW", "2026-03-29T12:00:00Z").args([
        "--tz",
        "Europe/Berlin",
        "incident",
        "declare",
        "--title",
        "DST",
        "--aware-at",
        "2026-03-28T10:00+01:00",
    ]);
    let out = run_ok(&mut cmd);
    assert!(out.contains("due 2026-03-31 11:00 CEST (09:00 UTC)"), "{out}");
    let reference = out.lines().next().unwrap().to_string();

    let mut cmd = env.cmd();
    cmd.env("BREACHDESK_NOW", "2026-03-29T12:00:00Z")
        .env("BREACHDESK_TZ", "Europe/Berlin")
        .args(["incident", "show", &reference, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&run_ok(&mut cmd)).unwrap();
    let d = &v["authority_deadline"];
    assert_eq!(v["aware_at"], "2026-03-28T09:00:00Z");
    assert_eq!(d["due_utc"], "2026-03-31T09:00:00Z");
    assert_eq!(d["due_local"], "2026-03-31T11:00:00+02:00");
    assert_eq!(d["timezone"], "Europe/Berlin");
    assert_eq!(d["state"], "running");
    assert_eq!(d["seconds_remaining"], 45 * 3600);
    assert_eq!(d["late_declaration"], false);

    let mut cmd = env.cmd();
    cmd.env("BREACHDESK_NOW", "2026-03-29T12:00:00Z")
        .env("BREACHDESK_TZ", "Europe/Berlin")
        .args(["incident", "show", &reference]);
    let text = run_ok(&mut cmd);
    assert!(text.contains("2026-03-31 11:00 CEST (09:00 UTC)"), "{text}");
    assert!(text.contains("1d 21h 0m left"), "{text}");

    // An hour after the deadline the clock reads overdue.
    let mut cmd = env.cmd();
    cmd.env("BREACHDESK_NOW", "2026-03-31T10:00:00Z")
        .args(["incident", "show", &reference, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&run_ok(&mut cmd)).unwrap();
    assert_eq!(v["authority_deadline"]["state"], "overdue");
    assert_eq!(v["authority_deadline"]["seconds_remaining"], -3600);
    assert_eq!(v["authority_deadline"]["delay_reasons_required"], true);
}

pub fn local_times_are_read_in_the_zone(env: &TestEnv) {
    env.init();
    let in_berlin = env.declare(&[
        "--tz",
        "Europe/Berlin",
        "--title",
        "t",
        "--aware-at",
        "2026-07-01 09:30",
    ]);
    let v = env.json(&["incident", "show", &in_berlin, "--json"]);
    assert_eq!(v["aware_at"], "2026-07-01T07:30:00Z", "CEST is UTC+2");

    std::fs::write(
        env.dir().join("breachdesk.toml"),
        "timezone = \"America/New_York\"\n",
    )
    .unwrap();
    let mut cmd = env.cmd();
    cmd.env_remove("BREACHDESK_TZ").args([
        "incident",
        "declare",
        "-q",
        "--title",
        "t",
        "--aware-at",
        "2026-01-15T09:30",
    ]);
    let in_ny = run_ok(&mut cmd).trim().to_string();
    let v = env.json(&["incident", "show", &in_ny, "--json"]);
    assert_eq!(
        v["aware_at"], "2026-01-15T14:30:00Z",
        "EST is UTC-5, from the config file"
    );
}

pub fn late_declaration_is_flagged(env: &TestEnv) {
    env.init();
    let mut cmd = env.cmd();
    cmd.env("BREACHDESK_NOW", "2026-03-05T08:00:00Z").args([
        "incident",
        "declare",
        "--title",
        "Found during an audit",
        "--aware-at",
        "2026-03-01T08:00:00Z",
    ]);
    let out = run_ok(&mut cmd);
    assert!(out.contains("LATE"), "{out}");
    assert!(out.contains("--delay-reasons"), "{out}");
    let reference = out.lines().next().unwrap().to_string();
    let mut cmd = env.cmd();
    cmd.env("BREACHDESK_NOW", "2026-03-05T08:00:00Z")
        .args(["incident", "show", &reference, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&run_ok(&mut cmd)).unwrap();
    let d = &v["authority_deadline"];
    assert_eq!(d["late_declaration"], true);
    assert_eq!(d["delay_reasons_required"], true);
    assert_eq!(d["state"], "overdue");
    assert_eq!(d["seconds_remaining"], -24 * 3600);

    // Recorded in the audit log as late, too.
    let log = env.json(&["audit", "log", &reference, "--json"]);
    assert_eq!(log[0]["details"]["late_declaration"], true);
}

pub fn update_changes_and_clears_fields(env: &TestEnv) {
    env.init();
    let r = env.declare(&[
        "--title",
        "Stolen laptop",
        "--nature",
        "A laptop was stolen from a car",
    ]);
    let out = env.ok(&[
        "incident",
        "update",
        &r,
        "--dpo-name",
        "Dana Schmidt",
        "--dpo-email",
        "dpo@example.org",
        "--dpo-phone",
        "+49 30 1234567",
        "--likely-consequences",
        "Contact details may be misused",
        "--measures-taken",
        "Remote wipe sent",
        "--measures-proposed",
        "Encrypt all laptops",
        "--cause",
        "malicious",
        "--breach-type",
        "confidentiality",
        "--nature",
        "",
    ]);
    assert!(out.contains("updated"), "{out}");
    let v = env.json(&["incident", "show", &r, "--json"]);
    assert_eq!(v["dpo"]["name"], "Dana Schmidt");
    assert_eq!(v["dpo"]["email"], "dpo@example.org");
    assert_eq!(v["dpo"]["phone"], "+49 30 1234567");
    assert_eq!(v["likely_consequences"], "Contact details may be misused");
    assert_eq!(v["measures_taken"], "Remote wipe sent");
    assert_eq!(v["measures_proposed"], "Encrypt all laptops");
    assert_eq!(v["cause"], "malicious");
    assert_eq!(v["breach_types"], serde_json::json!(["confidentiality"]));
    assert!(v["nature"].is_null(), "an empty value clears the field");

    let log = env.json(&["audit", "log", &r, "--json"]);
    let update = &log.as_array().unwrap()[1];
    assert_eq!(update["action"], "incident.update");
    assert_eq!(update["actor"], "tester");
    assert_eq!(
        update["details"]["changed"]["nature"]["from"],
        "A laptop was stolen from a car"
    );
    assert!(update["details"]["changed"]["nature"]["to"].is_null());
    assert_eq!(
        update["details"]["changed"]["measures_taken"]["to"],
        "Remote wipe sent"
    );

    // The same values again change nothing and add no audit entry.
    let out = env.ok(&["incident", "update", &r, "--measures-taken", "Remote wipe sent"]);
    assert!(out.contains("nothing changed"), "{out}");
    assert_eq!(
        env.json(&["audit", "log", &r, "--json"])
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let err = env.fails(&["incident", "update", &r, "--dpo-email", "not-an-address"], 2);
    assert!(err.contains("not an email address"), "{err}");
    let err = env.fails(&["incident", "update", &r, "--title", "  "], 2);
    assert!(err.contains("title must not be empty"), "{err}");
}

pub fn close_and_reopen(env: &TestEnv) {
    env.init();
    let r = env.declare(&["--title", "t"]);
    assert!(env.ok(&["incident", "close", &r]).contains("closed"));
    let v = env.json(&["incident", "show", &r, "--json"]);
    assert_eq!(v["status"], "closed");
    assert_eq!(v["closed_by"], "tester");
    assert!(v["closed_at"].is_string());
    assert_eq!(v["authority_deadline"]["state"], "closed");
    assert_eq!(
        env.json(&["incident", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        0,
        "default lists open"
    );
    assert_eq!(
        env.json(&["incident", "list", "--status", "closed", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let err = env.fails(&["incident", "close", &r], 2);
    assert!(err.contains("already closed"), "{err}");
    env.ok(&["incident", "reopen", &r]);
    let v = env.json(&["incident", "show", &r, "--json"]);
    assert_eq!(v["status"], "open");
    assert!(v["closed_at"].is_null());
    let actions: Vec<String> = env
        .json(&["audit", "log", &r, "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, ["incident.declare", "incident.close", "incident.reopen"]);
}

pub fn timeline_in_order(env: &TestEnv) {
    env.init();
    let mut cmd = env.cmd();
    cmd.env("BREACHDESK_NOW", "2026-05-02T09:00:00Z").args([
        "incident",
        "declare",
        "-q",
        "--title",
        "t",
        "--occurred-from",
        "2026-04-30T22:00:00Z",
        "--detected-at",
        "2026-05-01T06:00:00Z",
        "--aware-at",
        "2026-05-01T08:00:00Z",
    ]);
    let r = run_ok(&mut cmd).trim().to_string();
    let mut cmd = env.cmd();
    cmd.env("BREACHDESK_NOW", "2026-05-02T10:00:00Z").args([
        "incident",
        "update",
        &r,
        "--measures-taken",
        "Contained",
    ]);
    run_ok(&mut cmd);
    let t = env.json(&["incident", "timeline", &r, "--json"]);
    let got: Vec<(String, String)> = t
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["at"].as_str().unwrap().to_string(),
                e["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("2026-04-30T22:00:00Z", "fact"),
        ("2026-05-01T06:00:00Z", "fact"),
        ("2026-05-01T08:00:00Z", "fact"),
        ("2026-05-02T09:00:00Z", "record"),
        ("2026-05-02T10:00:00Z", "record"),
        ("2026-05-04T08:00:00Z", "deadline"),
    ];
    let want: Vec<(String, String)> = want.iter().map(|(a, k)| (a.to_string(), k.to_string())).collect();
    assert_eq!(got, want);
    assert_eq!(t[4]["what"], "updated measures_taken");
    assert_eq!(t[4]["by"], "tester");
    let text = env.ok(&["incident", "timeline", &r]);
    assert!(text.contains("organisation aware"), "{text}");
    assert!(text.contains("72 hours after awareness"), "{text}");
}

pub fn show_text_snapshot(env: &TestEnv) {
    env.init();
    let mut cmd = env.cmd();
    cmd.env("BREACHDESK_NOW", "2026-03-29T12:00:00Z").args([
        "--tz",
        "Europe/Berlin",
        "incident",
        "declare",
        "-q",
        "--title",
        "Ransomware on the HR file server",
        "--aware-at",
        "2026-03-28T10:00+01:00",
        "--detected-at",
        "2026-03-28T08:15+01:00",
        "--nature",
        "Files on the HR server were encrypted; a copy was taken.\nApplications and payroll data were on it.",
        "--cause",
        "malicious",
        "--breach-type",
        "confidentiality,availability",
    ]);
    let r = run_ok(&mut cmd).trim().to_string();
    let mut cmd = env.cmd();
    cmd.env("BREACHDESK_NOW", "2026-03-29T12:00:00Z").args([
        "incident",
        "update",
        &r,
        "--dpo-name",
        "Dana Schmidt",
        "--dpo-email",
        "dpo@example.org",
        "--measures-taken",
        "Server isolated and restored from backup",
    ]);
    run_ok(&mut cmd);
    let mut cmd = env.cmd();
    cmd.env("BREACHDESK_NOW", "2026-03-29T12:00:00Z")
        .args(["--tz", "Europe/Berlin", "incident", "show", &r]);
    let text = run_ok(&mut cmd);
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("incident_show_text", text.replace(&r, "BD-YYYY-NNNN"));
    });
}

pub fn concurrent_declarations_get_distinct_references(env: &TestEnv) {
    env.init();
    let children: Vec<_> = (0..8)
        .map(|i| {
            let mut cmd = StdCommand::new(env!("CARGO_BIN_EXE_breachdesk"));
            for (key, _) in std::env::vars() {
                if key.starts_with("BREACHDESK_") {
                    cmd.env_remove(key);
                }
            }
            cmd.current_dir(env.dir())
                .env("BREACHDESK_DATABASE_URL", env.url())
                .env("BREACHDESK_ACTOR", format!("worker{i}"))
                .args(["incident", "declare", "-q", "--title", &format!("parallel {i}")])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let mut refs: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8(out.stdout).unwrap().trim().to_string()
        })
        .collect();
    refs.sort();
    refs.dedup();
    assert_eq!(refs.len(), 8, "{refs:?}");
    let seqs: Vec<u32> = refs
        .iter()
        .map(|r| r.rsplit('-').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(seqs, (1..=8).collect::<Vec<_>>());
    let verify = env.json(&["audit", "verify", "--json"]);
    assert_eq!(verify["intact"], true);
    assert_eq!(verify["entries"], 8);
}

pub fn actor_comes_from_flag_env_or_config(env: &TestEnv) {
    env.init();
    let from_env = env.declare(&["--title", "a"]);
    let from_flag = env.declare(&["--actor", "carol", "--title", "b"]);
    std::fs::write(env.dir().join("breachdesk.toml"), "actor = \"dora\"\n").unwrap();
    let mut cmd = env.cmd();
    cmd.env_remove("BREACHDESK_ACTOR")
        .args(["incident", "declare", "-q", "--title", "c"]);
    let from_config = run_ok(&mut cmd).trim().to_string();
    let by = |r: &str| {
        env.json(&["incident", "show", r, "--json"])["declared_by"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(by(&from_env), "tester");
    assert_eq!(by(&from_flag), "carol");
    assert_eq!(by(&from_config), "dora");
    let log = env.json(&["audit", "log", "--json"]);
    let actors: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert_eq!(actors, ["tester", "carol", "dora"]);
}
