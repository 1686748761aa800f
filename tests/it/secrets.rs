//! Database passwords stay off the command line and out of breachdesk.toml, and every URL
//! breachdesk prints has its password replaced by `***`.

use crate::common::{Backend, TestEnv, assert_one_line};

pub fn passwords_are_refused_on_argv_and_in_the_file_and_never_printed(env: &TestEnv) {
    // On the command line, in the user part or as a query parameter.
    for url in [
        "postgres://bd:hunter2@127.0.0.1/x",
        "postgres://bd@127.0.0.1/x?password=hunter2",
        "postgres://bd@127.0.0.1/x?sslmode=disable&password=hunter2",
    ] {
        let err = env.fails(&["--database", url, "db", "status"], 2);
        assert_one_line(&err);
        assert!(err.contains("BREACHDESK_DATABASE_URL"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }
    // In the configuration file, whatever else would win.
    for url in [
        "postgres://bd:hunter2@127.0.0.1/x",
        "postgres://bd@127.0.0.1/x?password=hunter2",
    ] {
        std::fs::write(
            env.dir().join("breachdesk.toml"),
            format!("[database]\nurl = \"{url}\"\n"),
        )
        .unwrap();
        let err = env.fails(&["db", "status"], 2);
        assert_one_line(&err);
        assert!(
            err.contains("breachdesk.toml") && err.contains("BREACHDESK_DATABASE_URL"),
            "{err}"
        );
        assert!(!err.contains("hunter2"), "{err}");
    }
    std::fs::remove_file(env.dir().join("breachdesk.toml")).unwrap();
    // From the environment it is used, and printed redacted, also when the connection fails.
    let err = env
        .cmd()
        .env(
            "BREACHDESK_DATABASE_URL",
            "postgres://bd@127.0.0.1:1/x?password=hunter2",
        )
        .args(["db", "status"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&err.stderr);
    assert_eq!(err.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("password=***"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    if env.backend == Backend::Postgres {
        let url = format!("{}?password=hunter2", env.url());
        let init = crate::common::run_ok(env.cmd().env("BREACHDESK_DATABASE_URL", &url).arg("init"));
        let status = crate::common::run_ok(
            env.cmd()
                .env("BREACHDESK_DATABASE_URL", &url)
                .args(["db", "status", "--json"]),
        );
        for shown in [&init, &status] {
            assert!(!shown.contains("hunter2"), "{shown}");
        }
        assert!(status.contains("password=***"), "{status}");
        let config = std::fs::read_to_string(env.dir().join("breachdesk.toml")).unwrap();
        assert!(!config.contains("hunter2"), "{config}");
    }
}
