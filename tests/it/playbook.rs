//! Playbooks: validation with file and line, tasks from `declare --playbook`, overdue, done.

use crate::common::{TestEnv, assert_one_line, run_ok};

pub fn validate_names_file_and_line(env: &TestEnv) {
    let out = env.ok(&["playbook", "validate"]);
    assert!(out.contains("7 playbook(s) valid"), "{out}");
    let good = "name = \"drill\"\ntitle = \"Drill\"\n\n[[task]]\nkey = \"a\"\ntitle = \"A\"\ndue = \"4h\"\nowner = \"dpo\"\n";
    let dir = env.dir().join("books");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("drill.toml"), good).unwrap();
    assert!(
        env.ok(&["playbook", "validate", "books"])
            .contains("1 playbook(s) valid")
    );

    std::fs::write(
        dir.join("drill.toml"),
        good.replace("due = \"4h\"", "due = \"soon\""),
    )
    .unwrap();
    let err = env.fails(&["playbook", "validate", "books/drill.toml"], 2);
    assert_one_line(&err);
    assert!(err.contains("books/drill.toml:7: task 'a': due 'soon'"), "{err}");
    std::fs::write(
        dir.join("drill.toml"),
        good.replace("owner = \"dpo\"", "owner = \"dpo\"\ncolour = 1"),
    )
    .unwrap();
    let err = env.fails(&["playbook", "validate", "books"], 2);
    assert!(
        err.contains("books/drill.toml:9: unknown field `colour`"),
        "{err}"
    );
    std::fs::write(dir.join("drill.toml"), good.replace("title = \"A\"", "title = A")).unwrap();
    let err = env.fails(&["playbook", "validate", "books/drill.toml"], 2);
    assert!(err.contains("books/drill.toml:6:"), "{err}");
}

pub fn list_show_and_configured_directory(env: &TestEnv) {
    let list = env.json(&["playbook", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 7);
    assert_eq!(list[6]["name"], "ransomware");
    let book = env.json(&["playbook", "show", "ransomware", "--json"]);
    assert_eq!(book["tasks"][0]["key"], "contain");
    assert!(book["tasks"][0]["due"].is_string());
    let err = env.fails(&["playbook", "show", "nope"], 2);
    assert!(err.contains("valid ones are credential-stuffing"), "{err}");

    // A configured directory adds playbooks.
    let dir = env.dir().join("books");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("drill.toml"),
        "name = \"drill\"\ntitle = \"Drill\"\n[[task]]\nkey = \"a\"\ntitle = \"A\"\ndue = \"PT1H\"\nowner = \"dpo\"\n",
    )
    .unwrap();
    std::fs::write(
        env.dir().join("breachdesk.toml"),
        "[playbooks]\ndir = \"books\"\n",
    )
    .unwrap();
    let list = env.json(&["playbook", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 8);
    let drill = list
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "drill")
        .unwrap();
    assert_eq!(drill["origin"]["kind"], "file");
    assert_eq!(drill["origin"]["path"], "books/drill.toml");
}

pub fn declare_with_playbook_and_tasks(env: &TestEnv) {
    env.init();
    let at = |now: &str, args: &[&str]| -> String { run_ok(env.cmd().env("BREACHDESK_NOW", now).args(args)) };
    let reference = at(
        "2026-03-28T10:00:00Z",
        &[
            "incident",
            "declare",
            "-q",
            "--title",
            "Ransomware",
            "--aware-at",
            "2026-03-28T08:00:00Z",
            "--playbook",
            "Ransomware",
        ],
    )
    .trim()
    .to_string();
    assert_eq!(
        env.json(&["incident", "show", &reference, "--json"])["playbook"],
        "ransomware"
    );

    let tasks: serde_json::Value =
        serde_json::from_str(&at("2026-03-28T10:00:00Z", &["tasks", &reference, "--json"])).unwrap();
    let tasks = tasks.as_array().unwrap();
    assert_eq!(tasks.len(), 9);
    assert_eq!(tasks[0]["key"], "contain");
    assert_eq!(tasks[0]["due_after"], "2h");
    assert_eq!(tasks[0]["due_at"], "2026-03-28T10:00:00Z");
    assert_eq!(tasks[0]["state"], "open", "due exactly now is not yet overdue");
    assert_eq!(tasks[5]["key"], "notify-authority");
    assert_eq!(tasks[5]["due_at"], "2026-03-31T08:00:00Z");

    // A day later the first three are overdue.
    let overdue: serde_json::Value = serde_json::from_str(&at(
        "2026-03-29T10:00:00Z",
        &["tasks", &reference, "--overdue", "--json"],
    ))
    .unwrap();
    let keys: Vec<&str> = overdue
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["contain", "preserve-evidence", "scope-data"]);

    at("2026-03-29T10:00:00Z", &["tasks", "done", &reference, "contain"]);
    let overdue: serde_json::Value = serde_json::from_str(&at(
        "2026-03-29T10:00:00Z",
        &["tasks", &reference, "--overdue", "--json"],
    ))
    .unwrap();
    assert_eq!(overdue.as_array().unwrap().len(), 2);
    let all: serde_json::Value =
        serde_json::from_str(&at("2026-03-29T10:00:00Z", &["tasks", &reference, "--json"])).unwrap();
    assert_eq!(all[0]["state"], "done");
    assert_eq!(all[0]["done_at"], "2026-03-29T10:00:00Z");
    assert_eq!(all[0]["done_by"], "tester");

    let err = env.fails(&["tasks", "done", &reference, "contain"], 2);
    assert!(err.contains("already done"), "{err}");
    let err = env.fails(&["tasks", "done", &reference, "dance"], 2);
    assert_one_line(&err);
    assert!(
        err.contains("no task 'dance'") && err.contains("preserve-evidence"),
        "{err}"
    );

    let log = env.json(&["audit", "log", &reference, "--json"]);
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["incident.declare", "tasks.instantiate", "task.done"]);
    assert!(env.ok(&["audit", "verify"]).contains("intact"));

    // An unknown playbook is bad input and declares nothing.
    let err = env.fails(
        &[
            "incident",
            "declare",
            "--title",
            "x",
            "--playbook",
            "alien-invasion",
        ],
        2,
    );
    assert_one_line(&err);
    assert!(
        err.contains("unknown playbook 'alien-invasion'") && err.contains("ransomware"),
        "{err}"
    );
    assert_eq!(
        env.json(&["incident", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Without a playbook, no tasks.
    let plain = env.declare(&["--title", "plain"]);
    assert_eq!(
        env.json(&["tasks", &plain, "--json"]).as_array().unwrap().len(),
        0
    );
}
