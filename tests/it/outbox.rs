//! `letters render`, `preview` and `show`: the outbox filled from the inventory, end to end.

use std::collections::HashSet;

use crate::common::{SHOP_CSV, TestEnv};

pub const CONFIG: &str = r#"
[organisation]
name = "Example Shop GmbH"
website = "https://www.example.com"
verify_url = "https://www.example.com/verify"
postal_address = ["Example Shop GmbH", "Musterstraße 1", "10115 Berlin"]
"#;

/// A shop with four customers: two with email (German, French), one with only a postal
/// address, one with neither; an incident with everything a letter must say, resolved.
pub fn incident(env: &TestEnv) -> String {
    let r = env.shop_incident(CONFIG, SHOP_CSV, &[]);
    translate(env, &r);
    r
}

/// The narrative in German and French, for the customers who read those.
pub fn translate(env: &TestEnv, r: &str) {
    env.ok(&[
        "incident",
        "translate",
        r,
        "--locale",
        "de",
        "--nature",
        "Jemand hat die Kundendatenbank kopiert.",
        "--likely-consequences",
        "Phishing in unserem Namen.",
        "--measures-taken",
        "Zugang gesperrt, Passwörter zurückgesetzt.",
        "--measures-proposed",
        "Ändern Sie Ihr Passwort.",
    ]);
    env.ok(&[
        "incident",
        "translate",
        r,
        "--locale",
        "fr",
        "--nature",
        "Quelqu'un a copié la base de données clients.",
        "--likely-consequences",
        "De l'hameçonnage en notre nom.",
        "--measures-taken",
        "Accès fermé, mots de passe réinitialisés.",
        "--measures-proposed",
        "Changez votre mot de passe.",
    ]);
}

pub fn subject_id(env: &TestEnv, r: &str, name: &str) -> String {
    let people = env.json(&["affected", "list", r, "--json"]);
    people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .map(|p| p["subject_id"].to_string())
        .unwrap_or_else(|| panic!("{name} is not affected"))
}

pub fn render_fills_email_and_postal_and_is_idempotent(env: &TestEnv) {
    let r = incident(env);
    let first = env.json(&["letters", "render", &r, "--json"]);
    assert_eq!(first["subjects"], 4);
    assert_eq!(first["added_email"], 2);
    assert_eq!(first["added_postal"], 1, "Paul has no email: a postal letter");
    assert_eq!(first["unreachable"], 1, "Nora has no address at all");
    let again = env.json(&["letters", "render", &r, "--json"]);
    assert_eq!(again["added_email"], 0);
    assert_eq!(again["added_postal"], 0);
    assert_eq!(again["already"], 3);

    let paul = env.json(&[
        "letters",
        "show",
        &r,
        "--subject",
        &subject_id(env, &r, "Paul Post"),
        "--json",
    ]);
    assert_eq!(paul["channel"], "postal");
    let text = paul["text"].as_str().unwrap();
    for line in ["Paul Post", "221 Baker Street", "NW1 6XE London"] {
        assert!(text.contains(line), "{line} missing:\n{text}");
    }
    let erika = env.json(&["letters", "show", &r, "--subject", "ERIKA@example.org", "--json"]);
    assert_eq!(erika["channel"], "email");
    assert_eq!(erika["locale"], "de", "de-AT falls back to de");
    assert_eq!(erika["status"], "pending");
    assert!(
        erika["message_id"]
            .as_str()
            .unwrap()
            .ends_with("-email-initial@example.com>")
    );

    // Postal for everyone: refused while people have an email letter, unless asked for.
    let err = env.fails(&["letters", "render", &r, "--channel", "postal"], 2);
    assert!(err.contains("--include-reached"), "{err}");
    // Erika has an address too, and gets a postal letter beside her email.
    let postal = env.json(&[
        "letters",
        "render",
        &r,
        "--channel",
        "postal",
        "--include-reached",
        "--json",
    ]);
    assert_eq!(postal["added_postal"], 1);
    assert_eq!(postal["already"], 1);
    assert_eq!(postal["unreachable"], 2);

    let log = env.ok(&["audit", "log", &r]);
    assert_eq!(log.matches("letters.render").count(), 3, "{log}");
}

pub fn verification_codes_are_unique_across_the_outbox(env: &TestEnv) {
    let r = incident(env);
    env.ok(&["letters", "render", &r]);
    env.ok(&[
        "letters",
        "render",
        &r,
        "--channel",
        "postal",
        "--include-reached",
    ]);
    let mut codes = HashSet::new();
    let mut ids = HashSet::new();
    for who in ["erika@example.org", "marie@example.fr"] {
        let l = env.json(&["letters", "show", &r, "--subject", who, "--json"]);
        let code = l["verification_code"].as_str().unwrap().to_string();
        assert_eq!(code.len(), 19, "{code}");
        assert!(codes.insert(code));
        assert!(ids.insert(l["message_id"].as_str().unwrap().to_string()));
    }
    let postal = env.json(&[
        "letters",
        "show",
        &r,
        "--subject",
        "erika@example.org",
        "--channel",
        "postal",
        "--json",
    ]);
    assert!(codes.insert(postal["verification_code"].as_str().unwrap().to_string()));
    assert!(ids.insert(postal["message_id"].as_str().unwrap().to_string()));
    // The database holds them unique too.
    let dup = env
        .cmd()
        .args(["letters", "show", &r, "--subject", "marie@example.fr"])
        .output()
        .unwrap();
    assert!(dup.status.success());
}

pub fn a_changed_template_set_is_reported_not_rerendered(env: &TestEnv) {
    let r = incident(env);
    env.ok(&["letters", "render", &r]);
    let before = env.json(&["letters", "show", &r, "--subject", "marie@example.fr", "--json"]);
    let dir = env.dir().join("tpl/fr/initial");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("subject.txt"),
        "{{organisation.name}} : incident de sécurité\n",
    )
    .unwrap();

    let output = env
        .cmd()
        .args(["letters", "render", &r, "--templates", "tpl"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("3 letter(s) were rendered with template version")
            && stderr.contains("use --rerender-pending to re-render the 3 not yet sent"),
        "{stderr}"
    );
    let after = env.json(&["letters", "show", &r, "--subject", "marie@example.fr", "--json"]);
    assert_eq!(
        before["content_hash"], after["content_hash"],
        "not silently re-rendered"
    );

    let again = env.json(&[
        "letters",
        "render",
        &r,
        "--templates",
        "tpl",
        "--rerender-pending",
        "--json",
    ]);
    assert_eq!(again["rerendered"], 3);
    assert_eq!(again["added_email"], 2);
    assert_eq!(again["other_versions"].as_array().unwrap().len(), 0);
    let new = env.json(&["letters", "show", &r, "--subject", "marie@example.fr", "--json"]);
    assert_eq!(new["subject"], "Example Shop GmbH : incident de sécurité");
    assert_ne!(new["template_version"], before["template_version"]);
}

pub fn show_reproduces_the_stored_letter_and_checks_its_hash(env: &TestEnv) {
    let r = incident(env);
    env.ok(&["letters", "render", &r]);
    let stored = env.json(&["letters", "show", &r, "--subject", "marie@example.fr", "--json"]);
    for part in ["subject", "text", "html"] {
        let raw = env
            .cmd()
            .args([
                "letters",
                "show",
                &r,
                "--subject",
                "marie@example.fr",
                "--part",
                part,
            ])
            .output()
            .unwrap();
        assert!(raw.status.success());
        assert_eq!(
            String::from_utf8(raw.stdout).unwrap(),
            stored[part].as_str().unwrap(),
            "{part} byte for byte"
        );
    }
    // The hash is SHA-256 over each part's name, length (u64 LE) and bytes.
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in ["subject", "text", "html"] {
        let t = stored[part].as_str().unwrap();
        h.update(part.as_bytes());
        h.update((t.len() as u64).to_le_bytes());
        h.update(t.as_bytes());
    }
    assert_eq!(stored["content_hash"], hex::encode(h.finalize()));
    // Stored compressed against a specimen letter, not in full: a small fraction of its size.
    let size = (stored["text"].as_str().unwrap().len() + stored["html"].as_str().unwrap().len()) as i64;
    let packed = env.scalar(
        "SELECT CAST(MAX(LENGTH(c.packed)) AS BIGINT) FROM notification_content c JOIN notification n \
         ON n.id = c.notification_id WHERE n.recipient = 'marie@example.fr'",
    );
    assert!(
        packed > 0 && packed * 4 < size,
        "{packed} bytes stored for {size}"
    );
    assert_eq!(
        env.scalar("SELECT COUNT(*) FROM notification_content WHERE packed IS NULL"),
        0,
        "every letter is packed"
    );

    env.sql(
        "UPDATE notification_content SET subject = subject || ' ' WHERE notification_id IN \
         (SELECT id FROM notification WHERE recipient = 'marie@example.fr')",
    );
    let err = env.fails(&["letters", "show", &r, "--subject", "marie@example.fr"], 1);
    assert!(err.contains("does not match its content hash"), "{err}");
}

pub fn preview_by_email_and_by_subject_id(env: &TestEnv) {
    let r = incident(env);
    let by_email = env.json(&[
        "letters",
        "preview",
        &r,
        "--subject",
        "marie@example.fr",
        "--json",
    ]);
    let id = subject_id(env, &r, "Marie Dupont");
    let by_id = env.json(&["letters", "preview", &r, "--subject", &id, "--json"]);
    assert_eq!(by_email["subject_id"].to_string(), id);
    assert_eq!(by_email["locale"], "fr");
    assert_eq!(by_email["subject"], by_id["subject"]);
    assert!(
        by_email["text"]
            .as_str()
            .unwrap()
            .contains("Bonjour Marie Dupont")
    );
    let subject = env.ok(&["letters", "preview", &r, "--subject", &id, "--part", "subject"]);
    assert!(
        !subject.ends_with('\n') && subject.starts_with("Example Shop GmbH"),
        "{subject:?}"
    );
    let paul = subject_id(env, &r, "Paul Post");
    let postal = env.ok(&["letters", "preview", &r, "--subject", &paul, "--part", "text"]);
    assert!(postal.contains("221 Baker Street"), "{postal}");
    // Previews store nothing.
    let none = env.fails(&["letters", "show", &r, "--subject", &id], 2);
    assert!(none.contains("letters render"), "{none}");
    let err = env.fails(
        &["letters", "preview", &r, "--subject", &paul, "--channel", "email"],
        2,
    );
    assert!(err.contains("has no email address"), "{err}");
    let err = env.fails(&["letters", "preview", &r, "--subject", "nobody@example.org"], 2);
    assert!(err.contains("is not among the people affected"), "{err}");
}

pub fn render_refuses_without_a_way_to_verify(env: &TestEnv) {
    let r = incident(env);
    std::fs::write(
        env.dir().join("breachdesk.toml"),
        "[organisation]\nname = \"Example Shop GmbH\"\n",
    )
    .unwrap();
    let err = env.fails(&["letters", "render", &r], 2);
    assert!(
        err.contains("verify_url") && err.contains("verify_phone"),
        "{err}"
    );
    let log = env.ok(&["audit", "log", &r]);
    assert!(!log.contains("letters.render"), "{log}");
}

pub fn a_bounced_email_makes_a_postal_letter_due(env: &TestEnv) {
    let r = incident(env);
    env.ok(&["letters", "render", &r]);
    env.sql("UPDATE notification SET status = 'bounced' WHERE recipient IN ('erika@example.org', 'marie@example.fr')");
    let again = env.json(&["letters", "render", &r, "--json"]);
    assert_eq!(again["added_postal"], 1, "Erika has a postal address");
    assert_eq!(again["unreachable"], 1, "Nora has no address at all");
    assert_eq!(
        again["cannot_reach"], 1,
        "Marie's email bounced and she has no postal address"
    );
    let erika = env.json(&[
        "letters",
        "show",
        &r,
        "--subject",
        "erika@example.org",
        "--channel",
        "postal",
        "--json",
    ]);
    assert!(erika["text"].as_str().unwrap().contains("Heidestraße 17"));
}
