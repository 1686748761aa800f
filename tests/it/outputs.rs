//! Outputs never replace what breachdesk reads, and files with personal data are private:
//! `--output` and `--rejects` refuse the database, its companions, the configuration and the
//! command's inputs; rejects are 0600 with formulas neutralised; the configuration is 0600.

use crate::common::{Backend, SHOP_CSV, TestEnv};

/// Every file in the sandbox but the database's own (which checkpoints change, also through a
/// symbolic link to it) with the SHA-256 of its bytes, to show that a refused command changed
/// nothing.
fn snapshot(env: &TestEnv) -> Vec<(String, String)> {
    use sha2::{Digest, Sha256};
    let mut files: Vec<_> = std::fs::read_dir(env.dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_file())
                && !p
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("breachdesk.db")
        })
        .map(|p| {
            (
                p.display().to_string(),
                hex::encode(Sha256::digest(std::fs::read(&p).unwrap())),
            )
        })
        .collect();
    files.sort();
    files
}

pub fn outputs_refuse_the_database_configuration_and_inputs(env: &TestEnv) {
    let r = env.shop_incident("", SHOP_CSV, &[]);
    let mut targets = vec!["breachdesk.toml", "./breachdesk.toml"];
    if env.backend == Backend::Sqlite {
        targets.extend(["breachdesk.db", "breachdesk.db-wal", "breachdesk.db-shm"]);
        #[cfg(unix)]
        std::os::unix::fs::symlink("breachdesk.db", env.dir().join("innocent.csv")).unwrap();
        #[cfg(unix)]
        targets.push("innocent.csv");
    }
    let before = snapshot(env);
    for target in &targets {
        let commands: Vec<Vec<&str>> = vec![
            vec!["affected", "export", &r, "--format", "csv", "--output", target],
            vec!["affected", "export", &r, "--format", "json", "--output", target],
            vec!["report", "register", "--format", "csv", "--output", target],
            vec!["report", "authority", &r, "--format", "md", "--output", target],
            vec![
                "inventory",
                "import",
                "--system",
                "shop",
                "shop.csv",
                "--rejects",
                target,
            ],
            vec!["send", &r, "--transport", "file", "--output", target],
            vec!["letters", "pdf", &r, "--output", target],
        ];
        for args in commands {
            let err = env.fails(&args, 2);
            assert!(
                err.contains(&format!("{target} is ")) && err.contains("choose another file"),
                "{args:?}: {err}"
            );
        }
    }
    // The import's own input.
    let err = env.fails(
        &[
            "inventory",
            "import",
            "--system",
            "shop",
            "shop.csv",
            "--rejects",
            "shop.csv",
        ],
        2,
    );
    assert!(err.contains("is an input of this command"), "{err}");
    assert_eq!(snapshot(env), before, "a refused command changed a file");
    // The database is whole: its records and its audit chain are all there.
    assert_eq!(env.scalar("SELECT COUNT(*) FROM subject"), 4);
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
}

pub fn rejects_and_configuration_are_private(env: &TestEnv) {
    env.init();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |name: &str| {
            std::fs::metadata(env.dir().join(name))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode("breachdesk.toml"), 0o600);
        env.ok(&[
            "inventory",
            "system",
            "add",
            "shop",
            "--name",
            "Shop",
            "--categories",
            "name,email",
        ]);
        std::fs::write(
            env.dir().join("shop.csv"),
            // Rows with an invalid email and nothing else to reach the person by are rejected.
            "id,email,name\n1,=HYPERLINK(\"http://evil.example\"),\n2,@SUM(A1),\n3,ok@example.org,Ok\n",
        )
        .unwrap();
        // A rejects file left world-readable by an earlier tool is made private.
        std::fs::write(env.dir().join("rejects.csv"), "old").unwrap();
        std::fs::set_permissions(
            env.dir().join("rejects.csv"),
            std::fs::Permissions::from_mode(0o666),
        )
        .unwrap();
        env.ok(&[
            "inventory",
            "import",
            "--system",
            "shop",
            "shop.csv",
            "--rejects",
            "rejects.csv",
        ]);
        assert_eq!(mode("rejects.csv"), 0o600);
        let rejects = std::fs::read_to_string(env.dir().join("rejects.csv")).unwrap();
        let mut rows = csv::Reader::from_reader(rejects.as_bytes());
        let cells: Vec<String> = rows
            .records()
            .flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
            .collect();
        assert!(cells.iter().any(|c| c.starts_with("'=HYPERLINK")), "{rejects}");
        assert!(cells.iter().any(|c| c == "'@SUM(A1)"), "{rejects}");
        assert!(
            cells.iter().all(|c| !c.starts_with(['=', '@', '+', '-'])),
            "{rejects}"
        );
    }
}
