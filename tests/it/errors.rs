//! Bad input exits 2 and failures exit 1, each with one clear line: no panic, no SQL.

use crate::common::{TestEnv, assert_one_line, run_fails};

pub fn bad_times_are_bad_input(env: &TestEnv) {
    env.init();
    for (args, needle) in [
        (
            vec!["--aware-at", "yesterday"],
            "cannot read the time 'yesterday'",
        ),
        (vec!["--aware-at", "2026-02-30T10:00:00Z"], "cannot read the time"),
        (
            vec!["--tz", "Europe/Berlin", "--aware-at", "2026-03-29 02:30"],
            "does not exist in Europe/Berlin",
        ),
        (
            vec!["--tz", "Europe/Berlin", "--aware-at", "2026-10-25 02:30"],
            "happens twice",
        ),
        (vec!["--aware-at", "2999-01-01T00:00:00Z"], "is in the future"),
        (
            vec![
                "--occurred-from",
                "2026-03-02T00:00:00Z",
                "--occurred-to",
                "2026-03-01T00:00:00Z",
            ],
            "is after --occurred-to",
        ),
        (
            vec!["--tz", "Mars/Olympus_Mons"],
            "unknown time zone 'Mars/Olympus_Mons'",
        ),
    ] {
        let mut all = vec!["incident", "declare", "--title", "t"];
        all.extend(args);
        let err = env.fails(&all, 2);
        assert_one_line(&err);
        assert!(err.contains(needle), "{all:?}: {err}");
    }
    assert_eq!(
        env.json(&["incident", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        0,
        "nothing was declared"
    );
}

pub fn unknown_and_malformed_references(env: &TestEnv) {
    env.init();
    let err = env.fails(&["incident", "show", "BD-2026-0042"], 2);
    assert_one_line(&err);
    assert!(err.contains("no incident BD-2026-0042"), "{err}");
    let err = env.fails(&["incident", "update", "BD-2026-0042", "--title", "x"], 2);
    assert!(err.contains("no incident BD-2026-0042"), "{err}");
    let err = env.fails(&["incident", "close", "INC-7"], 2);
    assert_one_line(&err);
    assert!(err.contains("'INC-7' is not an incident reference"), "{err}");
    let err = env.fails(&["audit", "log", "nonsense"], 2);
    assert!(err.contains("not an incident reference"), "{err}");
}

pub fn bad_flags_and_values(env: &TestEnv) {
    env.init();
    // clap's own usage errors exit 2 as well.
    let err = env.fails(&["incident", "declare", "--title", "t", "--cause", "aliens"], 2);
    assert!(err.contains("aliens"), "{err}");
    env.fails(&["incident", "declare"], 2);
    let err = env.fails(
        &["incident", "declare", "--title", "t", "--breach-type", "secrecy"],
        2,
    );
    assert!(err.contains("unknown breach type 'secrecy'"), "{err}");
    let err = env.fails(&["--database", "mysql://db/x", "incident", "list"], 2);
    assert!(err.contains("unsupported database URL"), "{err}");
    std::fs::write(env.dir().join("broken.toml"), "[database\nurl = 1").unwrap();
    let err = env.fails(&["--config", "broken.toml", "incident", "list"], 2);
    assert_one_line(&err);
    assert!(err.contains("broken.toml:1"), "{err}");
    std::fs::write(env.dir().join("typo.toml"), "timezon = \"UTC\"\n").unwrap();
    let err = env.fails(&["--config", "typo.toml", "incident", "list"], 2);
    assert!(err.contains("typo.toml") && err.contains("timezon"), "{err}");
}

pub fn unreadable_databases_are_failures(env: &TestEnv) {
    std::fs::write(
        env.sqlite_file(),
        b"this is not a database, it is a shopping list\n".repeat(100),
    )
    .unwrap();
    let err = env.fails(&["incident", "list"], 1);
    assert_one_line(&err);
    assert!(
        err.contains("breachdesk.db") && err.contains("not a database"),
        "{err}"
    );
    let err = env.fails(&["--database", "sqlite://no/such/dir/x.db", "init"], 1);
    assert_one_line(&err);
    assert!(
        err.contains("cannot create the database file no/such/dir/x.db"),
        "{err}"
    );
}

pub fn unreachable_postgres_is_a_failure(env: &TestEnv) {
    let mut cmd = env.cmd();
    cmd.env(
        "BREACHDESK_DATABASE_URL",
        "postgres://nobody:secret@127.0.0.1:1/none",
    )
    .args(["incident", "list"]);
    let err = run_fails(&mut cmd, 1);
    assert_one_line(&err);
    assert!(
        err.contains("cannot connect to postgres://nobody:***@127.0.0.1:1/none"),
        "{err}"
    );
    assert!(!err.contains("secret"), "the password leaked: {err}");
}

pub fn passwords_stay_off_the_command_line(env: &TestEnv) {
    let err = env.fails(&["--database", "postgres://bd:hunter2@127.0.0.1/x", "init"], 2);
    assert_one_line(&err);
    assert!(err.contains("BREACHDESK_DATABASE_URL"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}
