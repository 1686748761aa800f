//! The authority report in every format with the numbers of `affected stats`, delay
//! reasons when late, phases and what changed, PDF.

use serde_json::Value;

use crate::common::{TestEnv, assert_one_line, run_ok};

const AWARE: &str = "2026-03-02T09:00:00Z";
/// Within the 72 hours.
pub const IN_TIME: &str = "2026-03-03T15:00:00Z";
/// Past them.
const LATE: &str = "2026-03-07T09:00:00Z";

/// Runs with the clock at `now`.
pub fn at(env: &TestEnv, now: &str, args: &[&str]) -> String {
    run_ok(env.cmd().env("BREACHDESK_NOW", now).args(args))
}

fn at_json(env: &TestEnv, now: &str, args: &[&str]) -> Value {
    serde_json::from_str(&at(env, now, args)).unwrap()
}

/// Two systems and six people in DE, FR, AT, California and New York; an incident over both systems.
pub fn incident(env: &TestEnv) -> String {
    env.init();
    std::fs::write(
        env.dir().join("breachdesk.toml"),
        "[organisation]\nname = \"Example GmbH\"\ndpo_name = \"Dana <DPO> & Co\"\ndpo_email = \"dpo@example.org\"\n",
    )
    .unwrap();
    for (key, cats) in [("crm", "name,email,postal_address"), ("hr", "name,email,health")] {
        env.ok(&[
            "inventory",
            "system",
            "add",
            key,
            "--name",
            key,
            "--categories",
            cats,
            "--location",
            "DE",
        ]);
    }
    std::fs::write(
        env.dir().join("crm.csv"),
        "id,email,name,country,region\n1,a@example.org,A,DE,\n2,b@example.org,B,FR,\n3,c@example.org,C,US,CA\n4,d@example.org,D,DE,\n",
    )
    .unwrap();
    std::fs::write(
        env.dir().join("hr.csv"),
        "id,email,name,country,region,categories\n1,a@example.org,A,DE,,name;health\n2,z@example.org,=Z,AT,,name;email\n3,h@example.org,H,US,NY,name;health\n",
    )
    .unwrap();
    env.ok(&["inventory", "import", "--system", "crm", "crm.csv"]);
    env.ok(&["inventory", "import", "--system", "hr", "hr.csv"]);
    let r = at(
        env,
        "2026-03-02T10:00:00Z",
        &[
            "incident",
            "declare",
            "-q",
            "--title",
            "Stolen laptop <b>",
            "--aware-at",
            AWARE,
            "--nature",
            "A laptop with <script>alert(1)</script> exports was stolen",
            "--cause",
            "malicious",
            "--breach-type",
            "confidentiality",
        ],
    )
    .trim()
    .to_string();
    env.ok(&["incident", "scope", &r, "--system", "crm"]);
    env.ok(&["incident", "scope", &r, "--system", "hr"]);
    env.ok(&["affected", "resolve", &r]);
    env.ok(&[
        "incident",
        "update",
        &r,
        "--likely-consequences",
        "Phishing",
        "--measures-taken",
        "Device wiped remotely",
        "--measures-proposed",
        "Full-disk encryption",
    ]);
    r
}

fn redact(text: &str, r: &str) -> String {
    text.replace(r, "BD-YYYY-NNNN")
}

pub fn authority_report_in_every_format(env: &TestEnv) {
    let r = incident(env);
    let stats = env.json(&["affected", "stats", &r, "--json"]);
    let j = at_json(
        env,
        IN_TIME,
        &["report", "authority", &r, "--format", "json", "--authority", "de"],
    );
    assert_eq!(j["nature"]["subjects"], stats["subjects"]);
    assert_eq!(j["nature"]["records"], stats["records"]);
    assert_eq!(
        j["nature"]["special_category_subjects"],
        stats["special_category_subjects"]
    );
    assert_eq!(j["nature"]["categories"], stats["by_category"]);
    assert_eq!(j["cross_border"]["countries"], stats["by_country"]);
    assert_eq!(j["nature"]["subjects"], 6);
    assert_eq!(j["authority"]["code"], "DE");
    assert_eq!(j["cross_border"]["several_eea_states"], true);
    assert_eq!(j["timeline"]["late"], false);
    assert_eq!(j["dpo"]["name"], "Dana <DPO> & Co");
    assert_eq!(j["organisation"], "Example GmbH");

    let md = at(
        env,
        IN_TIME,
        &["report", "authority", &r, "--format", "md", "--authority", "DE"],
    );
    let html = at(
        env,
        IN_TIME,
        &["report", "authority", &r, "--format", "html", "--authority", "DE"],
    );
    assert!(
        !html.contains("<script>") && html.contains("&lt;script&gt;"),
        "{html}"
    );
    assert!(html.contains("Dana &lt;DPO&gt; &amp; Co"), "{html}");
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("authority_report_md", redact(&md, &r));
        insta::assert_snapshot!("authority_report_html", redact(&html, &r));
        insta::assert_snapshot!(
            "authority_report_json",
            redact(&serde_json::to_string_pretty(&j).unwrap(), &r)
        );
    });

    // Written to a file readable by its owner only, even when the file was there before.
    let file = env.dir().join("report.md");
    std::fs::write(&file, "old").unwrap();
    at(
        env,
        IN_TIME,
        &[
            "report",
            "authority",
            &r,
            "--format",
            "md",
            "--authority",
            "DE",
            "--output",
            "report.md",
        ],
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), md);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let err = env.fails(
        &["report", "authority", &r, "--format", "md", "--authority", "XX"],
        2,
    );
    assert!(err.contains("unknown authority 'XX'"), "{err}");
}

pub fn late_report_needs_delay_reasons(env: &TestEnv) {
    let r = incident(env);
    let out = env
        .cmd()
        .env("BREACHDESK_NOW", LATE)
        .args(["report", "authority", &r, "--format", "md", "--authority", "DE"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert_one_line(&err);
    assert!(
        err.contains("incident update") && err.contains("--delay-reasons"),
        "{err}"
    );
    // A submission made in time and recorded later is not late.
    let args = [
        "report",
        "submitted",
        &r,
        "--authority",
        "DE",
        "--reference",
        "X",
        "--at",
        IN_TIME,
    ];
    at(env, LATE, &args);
    let j = at_json(
        env,
        LATE,
        &["report", "authority", &r, "--format", "json", "--authority", "DE"],
    );
    assert_eq!(j["timeline"]["late"], false);
    env.sql("DELETE FROM authority_report");
    env.ok(&[
        "incident",
        "update",
        &r,
        "--delay-reasons",
        "The theft was reported by the police a week later",
    ]);
    let md = at(
        env,
        LATE,
        &["report", "authority", &r, "--format", "md", "--authority", "DE"],
    );
    assert!(
        md.contains("Reasons for the delay") && md.contains("reported by the police"),
        "{md}"
    );
    let j = at_json(
        env,
        LATE,
        &["report", "authority", &r, "--format", "json", "--authority", "DE"],
    );
    assert_eq!(j["timeline"]["late"], true);
}

pub fn follow_up_shows_what_changed(env: &TestEnv) {
    let r = incident(env);
    let s = at_json(
        env,
        IN_TIME,
        &[
            "report",
            "submitted",
            &r,
            "--authority",
            "DE",
            "--reference",
            "LDA-1",
            "--json",
        ],
    );
    assert_eq!(s["phase"], "initial");
    assert_eq!(s["authority"], "DE");
    // More people turn up; the measures move on.
    std::fs::write(
        env.dir().join("crm2.csv"),
        "id,email,name,country\n9,n@example.org,N,FR\n",
    )
    .unwrap();
    env.ok(&["inventory", "import", "--system", "crm", "crm2.csv"]);
    env.ok(&["affected", "resolve", &r]);
    env.ok(&[
        "incident",
        "update",
        &r,
        "--measures-taken",
        "Device wiped; passwords reset",
    ]);
    let later = "2026-03-10T09:00:00Z";
    let j = at_json(
        env,
        later,
        &[
            "report",
            "authority",
            &r,
            "--phase",
            "follow-up",
            "--format",
            "json",
            "--authority",
            "DE",
        ],
    );
    assert_eq!(j["timeline"]["late"], false, "first notified in time");
    assert_eq!(j["previous"]["reference"], "LDA-1");
    let change = |fact: &str| {
        j["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["fact"] == fact)
            .unwrap_or_else(|| panic!("no change {fact} in {}", j["changes"]))
            .clone()
    };
    assert_eq!(change("nature.subjects")["before"], "6");
    assert_eq!(change("nature.subjects")["after"], "7");
    assert_eq!(change("cross_border.countries.FR")["after"], "2");
    assert_eq!(change("measures_taken")["after"], "Device wiped; passwords reset");
    let md = at(
        env,
        later,
        &[
            "report",
            "authority",
            &r,
            "--phase",
            "follow-up",
            "--format",
            "md",
            "--authority",
            "DE",
        ],
    );
    assert!(
        md.contains("Changes since the previous submission") && md.contains("| nature.subjects | 6 → 7 |"),
        "{md}"
    );
    let timeline = env.ok(&["incident", "timeline", &r]);
    assert!(
        timeline.contains("initial report submitted to DE (reference LDA-1)"),
        "{timeline}"
    );
}

pub fn authority_report_as_pdf(env: &TestEnv) {
    let r = incident(env);
    let err = env.fails(
        &["report", "authority", &r, "--format", "pdf", "--authority", "DE"],
        2,
    );
    assert!(err.contains("--output"), "{err}");
    at(
        env,
        IN_TIME,
        &[
            "report",
            "authority",
            &r,
            "--format",
            "pdf",
            "--authority",
            "DE",
            "--output",
            "r.pdf",
        ],
    );
    let path = env.dir().join("r.pdf");
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // The text, where poppler's pdftotext is installed: the numbers and the data, as text.
    let Ok(out) = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
    else {
        eprintln!("pdftotext not installed: PDF text not checked");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Data subjects concerned (approx.)"), "{text}");
    assert!(text.contains("Dana <DPO> & Co"), "{text}");
    assert!(
        text.contains("<script>alert(1)</script>"),
        "data stays text: {text}"
    );
}
