//! The inventory: systems, messy CSV imports, idempotence, recovery, SQL sources, and the
//! resolution of an incident's affected subjects.

use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Backend, TestEnv, assert_one_line};

fn systems(env: &TestEnv) {
    env.init();
    env.ok(&[
        "inventory",
        "system",
        "add",
        "crm",
        "--name",
        "Customer CRM",
        "--categories",
        "name,email,postal_address,purchase_history",
        "--subject-kinds",
        "customer",
        "--location",
        "Deutschland",
    ]);
    env.ok(&[
        "inventory",
        "system",
        "add",
        "hr",
        "--name",
        "HR files",
        "--categories",
        "name,email,employment,health,national_id",
        "--subject-kinds",
        "employee,applicant",
    ]);
}

fn write(env: &TestEnv, name: &str, bytes: &[u8]) -> String {
    std::fs::write(env.dir().join(name), bytes).unwrap();
    name.to_string()
}

pub fn systems_register(env: &TestEnv) {
    systems(env);
    let list = env.json(&["inventory", "system", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 2);
    let crm = env.json(&["inventory", "system", "show", "crm", "--json"]);
    assert_eq!(crm["name"], "Customer CRM");
    assert_eq!(crm["location"], "DE");
    assert_eq!(
        crm["categories"],
        serde_json::json!(["name", "email", "postal_address", "purchase_history"])
    );
    assert_eq!(crm["special_categories"], false);
    let hr = env.json(&["inventory", "system", "show", "hr", "--json"]);
    assert_eq!(hr["special_categories"], true, "health is an Art. 9 category");
    let err = env.fails(
        &[
            "inventory",
            "system",
            "add",
            "x",
            "--name",
            "X",
            "--categories",
            "email,shoe_size",
        ],
        2,
    );
    assert_one_line(&err);
    assert!(
        err.contains("unknown data category 'shoe_size'") && err.contains("payment_card"),
        "{err}"
    );
    let err = env.fails(
        &[
            "inventory",
            "system",
            "add",
            "crm",
            "--name",
            "again",
            "--categories",
            "email",
        ],
        2,
    );
    assert!(err.contains("already registered"), "{err}");
    env.ok(&[
        "inventory",
        "system",
        "update",
        "crm",
        "--owner",
        "Sales",
        "--encrypted-at-rest",
    ]);
    let crm = env.json(&["inventory", "system", "show", "crm", "--json"]);
    assert_eq!(crm["owner"], "Sales");
    assert_eq!(crm["encrypted_at_rest"], true);
}

/// BOM, CRLF, `;`, a quoted line break, a bad email, an empty line, a duplicate id, an
/// unknown country, a missing id, a formula-looking name and an extra column.
const MESSY: &[u8] = b"\xef\xbb\xbfKundennummer;Vorname;Nachname;E-Mail;Land;PLZ;Notiz\r\n\
1;Ann;Lee;Ann.Lee@Example.ORG;Deutschland;1067;vip\r\n\
2;Bob;\"Multi\r\nLine\";bob@@example.org;DE;;\r\n\
\r\n\
3;C\xc3\xa9line;Dubois;celine@example.fr;France;75001;\r\n\
1;Dup;Licate;dup@example.org;DE;;\r\n\
4;No;Where;nowhere@example.org;Atlantis;;\r\n\
;Missing;Id;missing@example.org;DE;;\r\n\
5;=HYPERLINK(\"http://evil.example\");X;eve@example.org;GB;;\r\n";

pub fn messy_csv_with_exact_counts_and_rejects(env: &TestEnv) {
    systems(env);
    let file = write(env, "crm export.csv", MESSY);
    let out = env
        .cmd()
        .args([
            "inventory",
            "import",
            "--system",
            "crm",
            &file,
            "--map",
            "Vorname+Nachname=name",
            "--rejects",
            "rejects.csv",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["read"], 7);
    assert_eq!(
        report["inserted"], 4,
        "Bob is imported without his invalid email address"
    );
    assert_eq!(report["rejected"], 3);
    assert_eq!(report["flagged"], 1);
    assert_eq!(report["flags"][0]["line"], 3);
    assert_eq!(
        report["flags"][0]["reason"],
        "invalid email address: bad local part: imported without the email address; no postal \
         address either, so no letter can reach the person until one is added"
    );
    let rejects: Vec<(u64, String)> = report["rejects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        rejects,
        vec![
            (7, "duplicate record id (first on line 2)".to_string()),
            (
                8,
                "unknown country: use an ISO code such as DE, or a country name".to_string()
            ),
            (9, "missing record id (external_id)".to_string()),
        ]
    );
    let rejects_csv = std::fs::read_to_string(env.dir().join("rejects.csv")).unwrap();
    assert!(
        rejects_csv.starts_with("line,reason,Kundennummer,Vorname,Nachname,E-Mail,Land,PLZ,Notiz"),
        "{rejects_csv}"
    );
    assert_eq!(rejects_csv.matches("duplicate record id").count(), 1);
    assert_eq!(
        rejects_csv.matches("invalid email address").count(),
        0,
        "Bob was imported"
    );
    // The text form names file and line on stderr.
    let out = env
        .cmd()
        .args([
            "inventory",
            "import",
            "--system",
            "crm",
            &file,
            "--map",
            "Vorname+Nachname=name",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("crm export.csv:3: invalid email address"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("bob@@example.org"),
        "reasons must not repeat personal data: {stderr}"
    );
}

pub fn reimport_is_idempotent_and_newer_files_update(env: &TestEnv) {
    systems(env);
    let v1 = write(
        env,
        "v1.csv",
        b"id,email,name,country\n1,a@example.org,Ann,DE\n2,b@example.org,Bob,FR\n",
    );
    let first = env.json(&["inventory", "import", "--system", "crm", &v1, "--json"]);
    assert_eq!(
        (first["inserted"].as_u64(), first["updated"].as_u64()),
        (Some(2), Some(0))
    );
    let audit_before = env.json(&["audit", "log", "--json"]).as_array().unwrap().len();
    let again = env.json(&["inventory", "import", "--system", "crm", &v1, "--json"]);
    assert_eq!(
        (
            again["inserted"].as_u64(),
            again["updated"].as_u64(),
            again["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(2))
    );
    assert_eq!(
        env.json(&["audit", "log", "--json"]).as_array().unwrap().len(),
        audit_before + 1,
        "only the batch is recorded"
    );
    let v2 = write(
        env,
        "v2.csv",
        b"id,email,name,country\n1,a@example.org,Ann Lee,DE\n2,b@example.org,Bob,FR\n3,c@example.org,Cy,IT\n",
    );
    let newer = env.json(&["inventory", "import", "--system", "crm", &v2, "--json"]);
    assert_eq!(
        (
            newer["inserted"].as_u64(),
            newer["updated"].as_u64(),
            newer["unchanged"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(
        env.json(&["inventory", "system", "show", "crm", "--json"])["records"],
        3
    );
}

/// A person on several lines of one file takes each value from the last line that has it,
/// and the address from the last line that has one, whole: a street never sits beside the
/// postal code of another address (PostgreSQL groups a chunk's lines first, SQLite applies
/// them in turn; both must agree).
pub fn a_person_on_several_lines_takes_the_newest_values(env: &TestEnv) {
    systems(env);
    let file = write(
        env,
        "people.csv",
        "id,email,name,phone,country,address_line1,postal_code,city\n\
         1,ann@example.org,Ann,,DE,Alte Straße 1,10115,Berlin\n\
         2,ann@example.org,Ann Lee,,DE,Neue Straße 2,,Hamburg\n\
         3,ann@example.org,,+49 30 1234567,,,,\n"
            .as_bytes(),
    );
    let report = env.json(&["inventory", "import", "--system", "crm", &file, "--json"]);
    assert_eq!(report["inserted"], 3);
    let ann = env.json(&["subject", "export", "ann@example.org"]);
    assert_eq!(ann["name"], "Ann Lee");
    assert_eq!(ann["phone"], "+49 30 1234567");
    assert_eq!(ann["address_line1"], "Neue Straße 2");
    assert_eq!(ann["city"], "Hamburg");
    assert!(ann["postal_code"].is_null(), "{ann}");
    assert_eq!(ann["records"].as_array().unwrap().len(), 3);
}

pub fn encodings_and_delimiters(env: &TestEnv) {
    systems(env);
    // Windows-1252 is refused unless named.
    let latin = write(
        env,
        "latin.csv",
        b"id;email;name;country\r\n1;m@example.de;M\xfcller;DE\r\n",
    );
    let err = env.fails(&["inventory", "import", "--system", "crm", &latin], 2);
    assert_one_line(&err);
    assert!(
        err.contains("latin.csv:2") && err.contains("not UTF-8") && err.contains("--encoding windows-1252"),
        "{err}"
    );
    assert_eq!(
        env.json(&["inventory", "system", "show", "crm", "--json"])["records"],
        0,
        "nothing imported"
    );
    env.ok(&[
        "inventory",
        "import",
        "--system",
        "crm",
        &latin,
        "--encoding",
        "windows-1252",
    ]);
    // UTF-16LE with tabs, as Excel's "Unicode Text" writes it.
    let text = "id\temail\tname\tcountry\r\n2\tz@example.de\tZoë\tAT\r\n";
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let u16 = write(env, "unicode.txt", &utf16);
    let report = env.json(&["inventory", "import", "--system", "crm", &u16, "--json"]);
    assert_eq!(report["inserted"], 1);
    // A given delimiter wins over detection.
    let pipes = write(env, "pipes.csv", b"id|email|name\n3|p@example.org|P, Q\n");
    assert_eq!(
        env.json(&[
            "inventory",
            "import",
            "--system",
            "crm",
            &pipes,
            "--delimiter",
            "|",
            "--json"
        ])["inserted"],
        1
    );
    env.ok(&["incident", "declare", "-q", "--title", "t"]);
    let r = env.json(&["incident", "list", "--json"])[0]["reference"]
        .as_str()
        .unwrap()
        .to_string();
    env.ok(&["incident", "scope", &r, "--system", "crm"]);
    env.ok(&["affected", "resolve", &r]);
    let names: Vec<String> = env
        .json(&["affected", "list", &r, "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["Müller", "Zoë", "P, Q"]);
}

pub fn strict_imports_nothing_when_a_row_is_bad(env: &TestEnv) {
    systems(env);
    let file = write(
        env,
        "s.csv",
        b"id,email\n1,a@example.org\n2,not-an-email\n3,c@example.org\n",
    );
    let err = env.fails(&["inventory", "import", "--system", "crm", &file, "--strict"], 2);
    assert!(
        err.contains("--strict: 1 bad row(s)") && err.contains("nothing was imported"),
        "{err}"
    );
    assert_eq!(
        env.json(&["inventory", "system", "show", "crm", "--json"])["records"],
        0
    );
    let err = env.fails(&["inventory", "import", "--system", "nope", &file], 2);
    assert!(err.contains("no system 'nope'"), "{err}");
    let err = env.fails(
        &[
            "inventory",
            "import",
            "--system",
            "crm",
            "s.csv",
            "--map",
            "mail=email",
        ],
        2,
    );
    assert!(err.contains("'mail'") && err.contains("id, email"), "{err}");
}

pub fn identity_resolution_across_systems(env: &TestEnv) {
    systems(env);
    // The same people written differently in two systems; an explicit key joins two records
    // without email; different local parts stay different people.
    let crm = write(
        env,
        "crm.csv",
        b"id,email,name,country,subject_key\n\
          c1,  Ann.Lee@EXAMPLE.org ,Ann Lee,DE,\n\
          c2,bob@example.org,Bob,FR,\n\
          c3,,Cleo,IT,person-77\n\
          c4,bob.other@example.org,Bob Other,FR,\n",
    );
    let hr = write(
        env,
        "hr.csv",
        b"id,email,name,country,subject_key,categories\n\
          h1,ann.lee@example.org,Ann Lee,DE,,name;health\n\
          h2,BOB@Example.Org,Robert,FR,,employment\n\
          h3,,Cleo P.,IT,person-77,national_id;bank_account\n",
    );
    env.ok(&["inventory", "import", "--system", "crm", &crm]);
    env.ok(&["inventory", "import", "--system", "hr", &hr]);
    let r = env.declare(&["--title", "both"]);
    env.ok(&["incident", "scope", &r, "--system", "crm"]);
    env.ok(&["incident", "scope", &r, "--system", "hr"]);
    let res = env.json(&["affected", "resolve", &r, "--json"]);
    assert_eq!(res["subjects"], 4);
    assert_eq!(res["added"], 4);
    let people = env.json(&["affected", "list", &r, "--json"]);
    let by_email = |e: &str| {
        people
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["email"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(e)))
            .cloned()
            .unwrap()
    };
    let ann = by_email("ann.lee@example.org");
    assert_eq!(
        ann["categories"],
        serde_json::json!(["name", "email", "postal_address", "purchase_history", "health"])
    );
    assert_eq!(ann["systems"], serde_json::json!(["crm", "hr"]));
    assert_eq!(ann["records"], 2);
    assert_eq!(ann["special"], true);
    let bob = by_email("bob@example.org");
    assert_eq!(bob["systems"], serde_json::json!(["crm", "hr"]));
    assert_eq!(
        bob["categories"],
        serde_json::json!([
            "name",
            "email",
            "postal_address",
            "employment",
            "purchase_history"
        ])
    );
    let cleo = people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"].as_str().unwrap().starts_with("Cleo"))
        .unwrap();
    assert_eq!(cleo["systems"], serde_json::json!(["crm", "hr"]));
    // A record's own categories count even where its system's list lacks them; Cleo has no
    // email address in either file, so she is not told one was exposed.
    assert_eq!(
        cleo["categories"],
        serde_json::json!([
            "name",
            "postal_address",
            "bank_account",
            "national_id",
            "purchase_history"
        ])
    );
    assert_eq!(
        by_email("bob.other@example.org")["systems"],
        serde_json::json!(["crm"])
    );
}

pub fn scope_windows_categories_and_changes(env: &TestEnv) {
    systems(env);
    let hr = write(
        env,
        "hr.csv",
        b"id,email,name,country,region,first_seen,last_seen\n\
          1,old@example.org,Old,DE,,2015-01-01,2018-12-31\n\
          2,mid@example.org,Mid,US,CA,2019-06-01,2024-05-01\n\
          3,new@example.org,New,US,ny,2025-01-01,2025-06-01\n\
          4,undated@example.org,Undated,FR,,,\n",
    );
    env.ok(&["inventory", "import", "--system", "hr", &hr]);
    let r = env.declare(&["--title", "hr"]);
    env.ok(&[
        "incident",
        "scope",
        &r,
        "--system",
        "hr",
        "--categories",
        "name,health",
        "--records-from",
        "2020-01-01",
        "--records-to",
        "2024-12-31",
    ]);
    let scope = env.json(&["incident", "scope", &r, "--json"]);
    assert_eq!(scope[0]["records_from"], "2020-01-01T00:00:00Z");
    let res = env.json(&["affected", "resolve", &r, "--json"]);
    assert_eq!(
        res["subjects"], 2,
        "Mid overlaps the window, Undated cannot be excluded"
    );
    let people = env.json(&["affected", "list", &r, "--json"]);
    let names: Vec<&str> = people
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Mid", "Undated"]);
    assert_eq!(people[0]["categories"], serde_json::json!(["name", "health"]));
    assert_eq!(people[0]["jurisdiction"], "US-CA");
    // Widen the window: New joins; narrow categories: nobody changes membership.
    env.ok(&[
        "incident",
        "scope",
        &r,
        "--system",
        "hr",
        "--categories",
        "name",
        "--records-from",
        "2020-01-01",
    ]);
    let res = env.json(&["affected", "resolve", &r, "--json"]);
    assert_eq!(
        (
            res["subjects"].as_i64(),
            res["added"].as_i64(),
            res["removed"].as_i64(),
            res["changed"].as_i64()
        ),
        (Some(3), Some(1), Some(0), Some(2))
    );
    let again = env.json(&["affected", "resolve", &r, "--json"]);
    assert_eq!(
        (
            again["added"].as_i64(),
            again["removed"].as_i64(),
            again["changed"].as_i64()
        ),
        (Some(0), Some(0), Some(0))
    );
    let err = env.fails(
        &[
            "incident",
            "scope",
            &r,
            "--system",
            "hr",
            "--categories",
            "payment_card",
        ],
        2,
    );
    assert!(err.contains("does not hold payment_card"), "{err}");
    env.ok(&["incident", "scope", &r, "--system", "hr", "--remove"]);
    let err = env.fails(&["affected", "resolve", &r], 2);
    assert!(err.contains("has no scope yet"), "{err}");
}

pub fn stats_numbers(env: &TestEnv) {
    systems(env);
    let crm = write(
        env,
        "crm.csv",
        b"id,email,name,country\n1,a@example.org,A,DE\n2,b@example.org,B,DE\n3,c@example.org,C,FR\n4,,D,\n",
    );
    let hr = write(env, "hr.csv", b"id,email,name,country,categories\n1,a@example.org,A,DE,name;health\n2,z@example.org,Z,AT,name;employment\n");
    env.ok(&["inventory", "import", "--system", "crm", &crm]);
    env.ok(&["inventory", "import", "--system", "hr", &hr]);
    let r = env.declare(&["--title", "stats"]);
    env.ok(&[
        "incident",
        "scope",
        &r,
        "--system",
        "crm",
        "--categories",
        "name,email",
    ]);
    env.ok(&["incident", "scope", &r, "--system", "hr"]);
    env.ok(&["affected", "resolve", &r]);
    let s = env.json(&["affected", "stats", &r, "--json"]);
    assert_eq!(s["subjects"], 5, "A, B, C, D and Z");
    assert_eq!(s["records"], 6);
    assert_eq!(s["special_category_subjects"], 1);
    let cat = |k: &str| {
        s["by_category"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["category"] == k)
            .map(|c| c["subjects"].as_i64().unwrap())
    };
    assert_eq!(cat("name"), Some(5));
    assert_eq!(
        cat("email"),
        Some(4),
        "crm holds email for A, B, C and D; Z's hr row lists no email"
    );
    assert_eq!(cat("health"), Some(1));
    assert_eq!(cat("employment"), Some(1));
    assert_eq!(cat("postal_address"), None);
    let key = |list: &str, k: Option<&str>| {
        s[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"].as_str() == k)
            .map(|c| c["subjects"].as_i64().unwrap())
    };
    assert_eq!(key("by_country", Some("DE")), Some(2));
    assert_eq!(key("by_country", Some("FR")), Some(1));
    assert_eq!(key("by_country", Some("AT")), Some(1));
    assert_eq!(key("by_country", None), Some(1));
    assert_eq!(key("by_system", Some("crm")), Some(4));
    assert_eq!(key("by_system", Some("hr")), Some(2));
    let text = env.ok(&["affected", "stats", &r]);
    assert!(text.contains("Subjects") && text.contains("health"), "{text}");
}

pub fn exports_are_safe_in_spreadsheets(env: &TestEnv) {
    systems(env);
    let crm = write(env, "crm.csv", "id,email,name,phone,city\n1,a@example.org,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",+49 30 1234,@home\n2,b@example.org,-Bob,\t1,Berlin\n".as_bytes());
    env.ok(&["inventory", "import", "--system", "crm", &crm]);
    let r = env.declare(&["--title", "export"]);
    env.ok(&["incident", "scope", &r, "--system", "crm"]);
    env.ok(&["affected", "resolve", &r]);
    env.ok(&["affected", "export", &r, "--format", "csv", "--output", "out.csv"]);
    let csv = std::fs::read_to_string(env.dir().join("out.csv")).unwrap();
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\""),
        "{csv}"
    );
    assert!(csv.contains(",'@home,'+49 30 1234,"), "{csv}");
    assert!(csv.contains(",'-Bob,"), "{csv}");
    assert!(
        !csv.lines()
            .skip(1)
            .any(|l| l.split(',').any(|cell| cell.starts_with('='))),
        "{csv}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.dir().join("out.csv"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    let json = env.ok(&["affected", "export", &r, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let first = v
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == "a@example.org")
        .unwrap();
    assert_eq!(
        first["name"], "=HYPERLINK(\"http://evil.example\",\"x\")",
        "JSON keeps the data as it is"
    );
}

pub fn killed_import_recovers(env: &TestEnv) {
    systems(env);
    let rows = 120_000;
    let mut csv = String::with_capacity(rows * 40);
    csv.push_str("id,email,name,country\n");
    for i in 0..rows {
        csv.push_str(&format!("{i},p{i}@example.org,Person {i},DE\n"));
    }
    let file = write(env, "big.csv", csv.as_bytes());
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_breachdesk"));
    for (key, _) in std::env::vars() {
        if key.starts_with("BREACHDESK_") {
            child.env_remove(key);
        }
    }
    let mut child = child
        .current_dir(env.dir())
        .env("BREACHDESK_DATABASE_URL", env.url())
        .env("BREACHDESK_ACTOR", "tester")
        .args(["inventory", "import", "--system", "crm", &file])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once some chunks are in, before the end.
    let start = Instant::now();
    let mut seen = 0;
    while start.elapsed() < Duration::from_secs(60) {
        seen = env.json(&["inventory", "system", "show", "crm", "--json"])["records"]
            .as_i64()
            .unwrap();
        if seen > 0 || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let after_kill = env.json(&["inventory", "system", "show", "crm", "--json"])["records"]
        .as_i64()
        .unwrap();
    assert!(
        after_kill >= seen && after_kill % breachdesk::inventory::chunk::CHUNK_ROWS as i64 == 0,
        "whole chunks only: {after_kill}"
    );
    env.ok(&["audit", "verify"]);
    let report = env.json(&["inventory", "import", "--system", "crm", &file, "--json"]);
    assert_eq!(
        report["inserted"].as_i64().unwrap() + report["unchanged"].as_i64().unwrap(),
        rows as i64
    );
    assert_eq!(report["unchanged"].as_i64().unwrap(), after_kill);
    assert_eq!(
        env.json(&["inventory", "system", "show", "crm", "--json"])["records"],
        rows as i64
    );
    env.ok(&["audit", "verify"]);
}

pub fn sql_source_sync(env: &TestEnv) {
    systems(env);
    let source_url = match env.backend {
        Backend::Sqlite => {
            let path = env.dir().join("hr-source.db");
            let url = format!("sqlite://{}?mode=rwc", path.display());
            env.sql_at(&url, "CREATE TABLE staff (staff_no INTEGER, mail TEXT, full_name TEXT, cc TEXT); \
                INSERT INTO staff VALUES (1, 'ann@example.org', 'Ann', 'DE'), (2, 'bo@example.org', 'Bo', 'SE'), (3, 'bad', 'Cy', 'DE');");
            format!("sqlite://{}", path.display())
        }
        Backend::Postgres => {
            env.sql("CREATE TABLE staff (staff_no INTEGER, mail TEXT, full_name TEXT, cc TEXT); \
                INSERT INTO staff VALUES (1, 'ann@example.org', 'Ann', 'DE'), (2, 'bo@example.org', 'Bo', 'SE'), (3, 'bad', 'Cy', 'DE');");
            env.url().to_string()
        }
    };
    write(
        env,
        "staff.sql",
        b"SELECT staff_no, mail, full_name, cc FROM staff ORDER BY staff_no;\n",
    );
    env.ok(&[
        "inventory",
        "source",
        "add",
        "--system",
        "hr",
        "--url-env",
        "HR_DB_URL",
        "--query-file",
        "staff.sql",
        "--map",
        "staff_no=external_id",
        "--map",
        "mail=email",
        "--map",
        "full_name=name",
        "--map",
        "cc=country",
    ]);
    let err = env.fails(&["inventory", "sync", "hr"], 2);
    assert!(err.contains("HR_DB_URL is not set"), "{err}");
    let out = env
        .cmd()
        .env("HR_DB_URL", &source_url)
        .args(["inventory", "sync", "hr", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            report["read"].as_i64(),
            report["inserted"].as_i64(),
            report["rejected"].as_i64()
        ),
        (Some(3), Some(3), Some(0)),
        "Cy's invalid email address is left out, Cy is imported"
    );
    assert_eq!(report["flagged"], 1);
    let cc = report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "cc");
    assert_eq!(cc.unwrap()["field"], "country", "{report}");
    assert_eq!(report["source"], "sql:HR_DB_URL");
    let again = env
        .cmd()
        .env("HR_DB_URL", &source_url)
        .args(["inventory", "sync", "hr", "--json"])
        .output()
        .unwrap();
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again["unchanged"], 3);
    write(env, "evil.sql", b"DELETE FROM staff");
    let err = env.fails(
        &[
            "inventory",
            "source",
            "add",
            "--system",
            "hr",
            "--url-env",
            "HR_DB_URL",
            "--query-file",
            "evil.sql",
        ],
        2,
    );
    assert!(err.contains("single SELECT"), "{err}");
    let err = env.fails(
        &[
            "inventory",
            "source",
            "add",
            "--system",
            "hr",
            "--url-env",
            "postgres://x",
            "--query-file",
            "staff.sql",
        ],
        2,
    );
    assert!(err.contains("not an environment variable name"), "{err}");
}
