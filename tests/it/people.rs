//! Every letter to the right person: what a person is told was exposed is what their records
//! hold, people without email are one person across systems, a bad email address sends the
//! person to the postal channel, and an import says what it did with every column.

use crate::common::{TestEnv, run_ok};
use crate::outbox::{CONFIG, subject_id};

fn person<'a>(people: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not affected: {people}"))
}

fn strings(v: &serde_json::Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect()
}

/// Imports `csv` into `system` and returns stdout and stderr.
fn import(env: &TestEnv, system: &str, name: &str, csv: &str, extra: &[&str]) -> (String, String) {
    std::fs::write(env.dir().join(name), csv).unwrap();
    let mut args = vec!["inventory", "import", "--system", system, name];
    args.extend_from_slice(extra);
    let output = env.cmd().args(&args).output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout).to_string(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    );
    assert!(output.status.success(), "{args:?} failed:\n{stderr}\n{stdout}");
    (stdout, stderr)
}

fn system(env: &TestEnv, key: &str, categories: &str) {
    env.ok(&[
        "inventory",
        "system",
        "add",
        key,
        "--name",
        key,
        "--categories",
        categories,
    ]);
}

pub fn a_person_without_email_is_not_told_about_email(env: &TestEnv) {
    // The shop holds name, email, postal address and credentials; Paul has no email on record.
    let r = crate::outbox::incident(env);
    let people = env.json(&["affected", "list", &r, "--json"]);
    let paul = strings(&person(&people, "Paul Post")["categories"]);
    assert_eq!(paul, ["name", "postal_address", "credentials"]);
    let erika = strings(&person(&people, "Erika Mustermann")["categories"]);
    assert_eq!(erika, ["name", "email", "postal_address", "credentials"]);
    let marie = strings(&person(&people, "Marie Dupont")["categories"]);
    assert_eq!(
        marie,
        ["name", "email", "credentials"],
        "Marie has no postal address"
    );
    let stats = env.json(&["affected", "stats", &r, "--json"]);
    let email = stats["by_category"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "email")
        .unwrap();
    assert_eq!(email["subjects"], 2, "{stats}");

    env.ok(&["letters", "render", &r]);
    let letter = env.json(&[
        "letters",
        "show",
        &r,
        "--subject",
        &subject_id(env, &r, "Paul Post"),
        "--json",
    ]);
    assert_eq!(letter["channel"], "postal");
    let text = letter["text"].as_str().unwrap();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let involved = flat
        .split("data about you were involved: ")
        .nth(1)
        .and_then(|rest| rest.split('.').next())
        .unwrap_or_else(|| panic!("no list of data:\n{text}"));
    assert_eq!(involved, "name, postal address and user name and password");
    assert!(
        !text.contains("phishing attempts"),
        "email advice given to Paul:\n{text}"
    );
}

pub fn people_without_email_in_two_systems_are_one_person(env: &TestEnv) {
    env.init();
    std::fs::write(env.dir().join("breachdesk.toml"), CONFIG).unwrap();
    system(env, "shop", "name,postal_address,purchase_history");
    system(env, "club", "name,postal_address,phone");
    import(
        env,
        "shop",
        "shop.csv",
        "id,name,street,zip,city,country\n\
         s1,Paul Post,221 Baker Street,NW1 6XE,London,GB\n\
         s2,Ann Lee,Main Street 1,10115,Berlin,DE\n",
        &[],
    );
    let (_, stderr) = import(
        env,
        "club",
        "club.csv",
        "Member,Surname,Given name,Address,Postcode,Town,Nation,Telephone\n\
         m1,POST,paul,221 baker street,NW1 6XE,London,United Kingdom,\n\
         m2,Lee,Ann,Main Str. 1,10115,Berlin,Germany,+49 30 1234567\n",
        &["--map", "Member=external_id", "--map", "Given name+Surname=name"],
    );
    // Ann's street is written differently: the same name and postal code, not merged, shown.
    assert!(
        stderr.contains("may be one person, not merged") && stderr.contains("shop/s2 and club/m2"),
        "{stderr}"
    );
    let r = env.declare(&["--title", "both", "--nature", "Someone copied the member lists."]);
    env.ok(&[
        "incident",
        "update",
        &r,
        "--dpo-name",
        "Dana Schmidt",
        "--dpo-email",
        "dpo@example.com",
        "--likely-consequences",
        "Unwanted post.",
        "--measures-taken",
        "Access closed.",
        "--measures-proposed",
        "Nothing to do.",
    ]);
    env.ok(&["incident", "scope", &r, "--system", "shop"]);
    env.ok(&["incident", "scope", &r, "--system", "club"]);
    let resolved = env.json(&["affected", "resolve", &r, "--json"]);
    assert_eq!(resolved["subjects"], 3, "Paul once, Ann twice: {resolved}");
    let people = env.json(&["affected", "list", &r, "--json"]);
    let paul = person(&people, "paul POST");
    let mut systems = strings(&paul["systems"]);
    systems.sort_unstable();
    assert_eq!(systems, ["club", "shop"]);
    assert_eq!(paul["records"], 2);
    let stats = env.json(&["affected", "stats", &r, "--json"]);
    assert_eq!(stats["subjects"], 3);
    // Ann lives in Germany and gets a German letter; the narrative is not translated here.
    let render = env.json(&["letters", "render", &r, "--allow-untranslated", "--json"]);
    assert_eq!(render["added_postal"], 3, "{render}");
    assert_eq!(
        env.scalar("SELECT COUNT(*) FROM notification WHERE channel = 'postal'"),
        3,
        "one letter for Paul"
    );
}

pub fn an_invalid_email_with_an_address_becomes_a_postal_letter(env: &TestEnv) {
    let csv = "id,email,name,locale,country,address_line1,postal_code,city\n\
         1,erika@example.org,Erika Mustermann,de-AT,AT,Heidestraße 17,1010,Wien\n\
         2,not-an-email,Paul Post,en,GB,221 Baker Street,NW1 6XE,London\n\
         3,a(b)@example.org,Ann Lee,en,GB,1 Main Street,SW1A 1AA,London\n\
         4,nobody@,,,,,,\n";
    let r = env.shop_incident(CONFIG, csv, &[]);
    crate::outbox::translate(env, &r);
    let report = env.json(&["inventory", "import", "--system", "shop", "shop.csv", "--json"]);
    assert_eq!(report["rejected"], 1, "{report}");
    assert_eq!(report["rejects"][0]["line"], 5);
    assert_eq!(report["flagged"], 2);
    assert_eq!(report["flags"][0]["line"], 3);
    let flag = report["flags"][1]["reason"].as_str().unwrap();
    assert!(
        flag.starts_with("invalid email address") && flag.contains("postal letter"),
        "{flag}"
    );
    assert!(
        !report.to_string().contains("a(b)"),
        "the bad value is never shown"
    );
    let output = env
        .cmd()
        .args(["inventory", "import", "--system", "shop", "shop.csv"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("shop.csv:3: invalid email address"), "{stderr}");
    assert!(stderr.contains("shop.csv:4: invalid email address"), "{stderr}");

    let render = env.json(&["letters", "render", &r, "--json"]);
    assert_eq!(render["added_email"], 1, "{render}");
    assert_eq!(render["added_postal"], 2, "{render}");
    for name in ["Paul Post", "Ann Lee"] {
        let letter = env.json(&[
            "letters",
            "show",
            &r,
            "--subject",
            &subject_id(env, &r, name),
            "--json",
        ]);
        assert_eq!(letter["channel"], "postal", "{name}");
    }
    assert_eq!(
        env.scalar("SELECT COUNT(*) FROM subject WHERE email IS NOT NULL"),
        1
    );
}

pub fn import_names_every_column_and_hints_at_look_alikes(env: &TestEnv) {
    env.init();
    system(env, "crm", "name,email");
    let (stdout, _) = import(
        env,
        "crm",
        "crm.csv",
        "Kundennummer,E-Mail-Adresse,Nation,Nationality,Notes\n\
         1,a@example.org,Deutschland,German,vip\n",
        &[],
    );
    assert!(stdout.contains("Columns of crm.csv:"), "{stdout}");
    let line = |column: &str| {
        stdout
            .lines()
            .find(|l| l.trim_start().starts_with(column))
            .unwrap_or_else(|| panic!("{column} not listed:\n{stdout}"))
            .to_string()
    };
    assert!(line("E-Mail-Adresse").ends_with("-> email"), "{stdout}");
    assert!(line("Nation ").ends_with("-> country"), "{stdout}");
    assert!(
        line("Nationality").contains("ignored (looks like country") && line("Nationality").contains("--map"),
        "{stdout}"
    );
    assert!(line("Notes").ends_with("-> ignored"), "{stdout}");
    assert!(line("Kundennummer").ends_with("-> external_id"), "{stdout}");
    assert_eq!(env.scalar("SELECT COUNT(*) FROM subject WHERE country = 'DE'"), 1);
}

pub fn dry_run_imports_nothing(env: &TestEnv) {
    env.init();
    system(env, "crm", "name,email");
    std::fs::write(
        env.dir().join("crm.csv"),
        "id,email,name,Land\n1,a@example.org,Ann,DE\n2,not-an-email,,\n3,b@example.org,Bob,FR\n3,c@example.org,Cy,FR\n",
    )
    .unwrap();
    let output = env
        .cmd()
        .args(["inventory", "import", "--system", "crm", "crm.csv", "--dry-run"])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(output.status.success(), "{stderr}");
    assert!(
        stdout.contains("Land") && stdout.contains("-> country"),
        "{stdout}"
    );
    assert!(
        stdout.contains("crm.csv (dry run): read 4, would import 2, rejected 2; nothing was imported."),
        "{stdout}"
    );
    assert!(stderr.contains("crm.csv:3: invalid email address"), "{stderr}");
    assert!(
        stderr.contains("crm.csv:5: duplicate record id (first on line 4)"),
        "{stderr}"
    );
    for table in ["subject", "subject_record", "import_batch"] {
        assert_eq!(env.scalar(&format!("SELECT COUNT(*) FROM {table}")), 0, "{table}");
    }
    let json = env.json(&[
        "inventory",
        "import",
        "--system",
        "crm",
        "crm.csv",
        "--dry-run",
        "--json",
    ]);
    assert_eq!(json["dry_run"], true);
    assert_eq!(json["accepted"], 2);
    assert_eq!(json["columns"][3]["field"], "country");
    let run = run_ok(
        env.cmd()
            .args(["inventory", "import", "--system", "crm", "crm.csv"]),
    );
    assert!(run.contains("imported 2"), "{run}");
}
