//! init, db migrate, db status, schema checks, demo.

use crate::common::{Backend, TestEnv, assert_one_line, run_ok};

pub fn init_creates_private_sqlite_file(env: &TestEnv) {
    let out = env.ok(&["init"]);
    assert!(out.contains("Created the database breachdesk.db"), "{out}");
    assert!(out.contains("Wrote breachdesk.toml"), "{out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Write something so that the WAL and shared-memory files exist too.
        env.declare(&["--title", "t"]);
        for name in ["breachdesk.db", "breachdesk.db-wal", "breachdesk.db-shm"] {
            let path = env.dir().join(name);
            if name == "breachdesk.db" || path.exists() {
                let mode = std::fs::metadata(&path).expect("file").permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{name} has mode {mode:o}");
            }
        }
    }
    let config = std::fs::read_to_string(env.dir().join("breachdesk.toml")).unwrap();
    assert!(config.contains("url = \"sqlite://breachdesk.db\""), "{config}");
}

pub fn init_is_idempotent_and_status_reports(env: &TestEnv) {
    env.init();
    let again = env.ok(&["init"]);
    assert!(again.contains("up to date"), "{again}");
    let status = env.json(&["db", "status", "--json"]);
    assert_eq!(status["current"], true);
    assert_eq!(status["pending"].as_array().unwrap().len(), 0);
    assert!(!status["applied"].as_array().unwrap().is_empty());
    assert_eq!(
        status["backend"],
        if env.backend == Backend::Sqlite {
            "sqlite"
        } else {
            "postgres"
        }
    );
    assert!(env.ok(&["db", "migrate"]).contains("Nothing to migrate"));
    // The URL given on the command line wins over the environment.
    if env.backend == Backend::Sqlite {
        let other = env.ok(&["--database", "sqlite://other.db", "init"]);
        assert!(other.contains("other.db"), "{other}");
        assert!(env.dir().join("other.db").exists());
    }
}

pub fn commands_need_an_initialised_database(env: &TestEnv) {
    let err = env.fails(&["incident", "list"], 2);
    assert_one_line(&err);
    match env.backend {
        Backend::Sqlite => {
            assert!(err.contains("no breachdesk database at breachdesk.db"), "{err}");
            assert!(
                !env.sqlite_file().exists(),
                "a read command must not create the database"
            );
        }
        Backend::Postgres => assert!(err.contains("not initialised: run `breachdesk init`"), "{err}"),
    }
    match env.backend {
        Backend::Sqlite => {
            env.fails(&["db", "status"], 2);
        }
        Backend::Postgres => {
            let status = env.json(&["db", "status", "--json"]);
            assert_eq!(status["current"], false);
            assert!(!status["pending"].as_array().unwrap().is_empty());
        }
    }
}

pub fn newer_schema_is_refused(env: &TestEnv) {
    env.init();
    env.sql(
        "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m29990101_000001_from_the_future', 0)",
    );
    let err = env.fails(&["incident", "list"], 1);
    assert_one_line(&err);
    assert!(
        err.contains("newer schema") && err.contains("m29990101_000001_from_the_future"),
        "{err}"
    );
    assert!(err.contains("upgrade breachdesk"), "{err}");
    let err = env.fails(&["db", "migrate"], 1);
    assert!(err.contains("newer schema"), "{err}");
}

pub fn demo_runs_on_a_fresh_directory(env: &TestEnv) {
    let mut cmd = env.cmd();
    cmd.env_remove("BREACHDESK_DATABASE_URL").arg("demo");
    let out = run_ok(&mut cmd);
    assert!(env.sqlite_file().exists());
    assert!(out.contains("Declared BD-"), "{out}");
    assert!(out.contains("72 hours after awareness"), "{out}");
    assert!(out.contains("intact"), "{out}");
    // The demo leaves a database the other commands can use.
    let list = env.json(&["incident", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["dpo"]["email"], "dpo@example.org");
    env.ok(&["audit", "verify"]);
    // The sample inventory is resolved: people across systems and countries, some with
    // special-category data.
    assert!(out.contains("people affected"), "{out}");
    let reference = list[0]["reference"].as_str().unwrap();
    let stats = env.json(&["affected", "stats", reference, "--json"]);
    assert!(stats["subjects"].as_i64().unwrap() > 50, "{stats}");
    assert!(stats["by_country"].as_array().unwrap().len() >= 5, "{stats}");
    assert!(
        stats["special_category_subjects"].as_i64().unwrap() > 0,
        "{stats}"
    );
    assert_eq!(
        env.json(&["inventory", "system", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        4
    );
    // The postal letters printed, in the people's languages (translated narrative).
    let postal = env.dir().join("breachdesk-demo/postal");
    assert!(
        postal.join(format!("{reference}-initial-001.pdf")).exists(),
        "{out}"
    );
    let manifest = std::fs::read_to_string(postal.join(format!("{reference}-initial-manifest.csv"))).unwrap();
    assert!(manifest.lines().count() > 1, "{manifest}");
    assert!(
        out.contains("translated into German, French and Spanish"),
        "{out}"
    );
    // The scope narrows after the letters were written: the outbox follows, and nobody taken
    // out of scope is sent a letter.
    assert!(
        out.contains("people are no longer affected and their")
            && out.contains("letters are withdrawn before anything is sent"),
        "{out}"
    );
    assert!(!out.contains("could not be rendered again"), "{out}");
    assert!(env.scalar("SELECT COUNT(*) FROM notification WHERE status = 'withdrawn'") > 0);
    assert_eq!(
        env.scalar(
            "SELECT COUNT(*) FROM notification n WHERE n.status <> 'withdrawn' AND NOT EXISTS \
             (SELECT 1 FROM affected_subject a WHERE a.incident_id = n.incident_id AND a.subject_id = n.subject_id)"
        ),
        0,
        "letters of people no longer affected"
    );
    let people = env.json(&["affected", "list", reference, "--json"]);
    let german = people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["locale"].as_str().is_some_and(|l| l.starts_with("de")))
        .expect("a German reader");
    let subject = german["subject_id"].to_string();
    let letter = env.ok(&[
        "letters",
        "show",
        reference,
        "--subject",
        &subject,
        "--part",
        "text",
    ]);
    assert!(letter.contains("Ein Angreifer hat den Dateiserver"), "{letter}");
    // ... and taken to the end: assessed, decided, a checklist, the report written and sent.
    let report =
        std::fs::read_to_string(env.dir().join("breachdesk-demo/authority-report-initial.md")).unwrap();
    assert!(
        report.contains(&format!(
            "| Data subjects concerned (approx.) | {} |",
            stats["subjects"]
        )),
        "{report}"
    );
    let a = env.json(&["incident", "assessments", reference, "--json"]);
    assert_eq!(a[0]["decided"]["notify_authority"], true);
    assert!(
        !env.json(&["tasks", reference, "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    let o = env.json(&["incident", "obligations", reference, "--json"]);
    let de = o["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["jurisdiction"] == "DE" && o["key"] == "authority")
        .unwrap()
        .clone();
    assert_eq!(de["done"], true, "{de}");
    // Running it again in the same directory works and changes no inventory rows.
    let mut again = env.cmd();
    again.env_remove("BREACHDESK_DATABASE_URL").arg("demo");
    let second = run_ok(&mut again);
    assert!(second.contains("new   0, updated   0"), "{second}");
}
