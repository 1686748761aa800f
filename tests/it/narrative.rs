//! Update letters from stored update summaries, narrative translations per language, and
//! letters dated in the person's own zone.

use crate::common::{TestEnv, run_ok};
use crate::outbox::incident;

pub fn update_letters_tell_each_stored_update(env: &TestEnv) {
    let r = incident(env);
    env.ok(&["letters", "render", &r]);
    let err = env.fails(&["letters", "render", &r, "--kind", "update"], 2);
    assert!(err.contains("incident update-note"), "{err}");

    let out = env.ok(&[
        "incident",
        "update-note",
        &r,
        "--summary",
        "We found that order histories were copied too.",
    ]);
    assert!(out.contains("update 1 recorded"), "{out}");
    // German and French readers need the summary in their language.
    let err = env.fails(&["letters", "render", &r, "--kind", "update"], 2);
    assert!(
        err.contains("de (1 people: --update-summary)") && err.contains("fr (1 people: --update-summary)"),
        "{err}"
    );
    env.ok(&[
        "incident",
        "translate",
        &r,
        "--locale",
        "de",
        "--update-summary",
        "Auch Bestellhistorien wurden kopiert.",
    ]);
    let s = env.json(&[
        "letters",
        "render",
        &r,
        "--kind",
        "update",
        "--allow-untranslated",
        "--json",
    ]);
    assert_eq!(s["update"], 1);
    assert_eq!(s["added_email"], 2);
    assert_eq!(s["untranslated"][0]["locale"], "fr");
    let de = env.json(&[
        "letters",
        "show",
        &r,
        "--subject",
        "erika@example.org",
        "--kind",
        "update",
        "--json",
    ]);
    assert_eq!(de["update"], 1);
    let text = de["text"].as_str().unwrap();
    assert!(text.contains("Auch Bestellhistorien wurden kopiert."), "{text}");
    assert!(text.contains("Jemand hat die Kundendatenbank kopiert."), "{text}");
    assert!(
        de["message_id"]
            .as_str()
            .unwrap()
            .ends_with("-email-update-1@example.com>"),
        "{de}"
    );
    let fr = env.json(&[
        "letters",
        "show",
        &r,
        "--subject",
        "marie@example.fr",
        "--kind",
        "update",
        "--json",
    ]);
    assert!(
        fr["text"]
            .as_str()
            .unwrap()
            .contains("We found that order histories were copied too."),
        "allowed: the untranslated summary"
    );

    // A second update: its own letters, the first ones stay as they were.
    env.ok(&[
        "incident",
        "update-note",
        &r,
        "--summary",
        "The attacker was identified.",
    ]);
    env.ok(&[
        "incident",
        "translate",
        &r,
        "--locale",
        "de",
        "--update-summary",
        "Der Täter ist ermittelt.",
    ]);
    env.ok(&[
        "incident",
        "translate",
        &r,
        "--locale",
        "fr",
        "--update-summary",
        "L'attaquant est identifié.",
    ]);
    let s2 = env.json(&["letters", "render", &r, "--kind", "update", "--json"]);
    assert_eq!(s2["update"], 2);
    assert_eq!(s2["added_email"], 2);
    let again = env.json(&["letters", "render", &r, "--kind", "update", "--json"]);
    assert_eq!(again["already"], 3, "idempotent per update");
    let first = env.json(&[
        "letters",
        "show",
        &r,
        "--subject",
        "erika@example.org",
        "--kind",
        "update",
        "--update",
        "1",
        "--json",
    ]);
    assert_eq!(first["content_hash"], de["content_hash"]);
    let second = env.json(&[
        "letters",
        "show",
        &r,
        "--subject",
        "marie@example.fr",
        "--kind",
        "update",
        "--json",
    ]);
    assert!(
        second["text"]
            .as_str()
            .unwrap()
            .contains("L'attaquant est identifié.")
    );

    // Correcting update 1 is recorded; a summary for an update that does not exist is refused.
    env.ok(&[
        "incident",
        "update-note",
        &r,
        "--number",
        "1",
        "--summary",
        "Order histories too.",
    ]);
    let err = env.fails(
        &["incident", "update-note", &r, "--number", "7", "--summary", "x"],
        2,
    );
    assert!(err.contains("no update 7"), "{err}");
    let t = env.json(&["incident", "translations", &r, "--json"]);
    assert_eq!(t["updates"][0]["summary"], "Order histories too.");
    assert_eq!(t["updates"].as_array().unwrap().len(), 2);
    assert_eq!(t["gaps"].as_array().unwrap().len(), 0, "{t}");
    let log = env.ok(&["audit", "log", &r]);
    assert_eq!(log.matches("incident.update_note").count(), 3, "{log}");
    assert!(log.contains("incident.translate"), "{log}");
}

pub fn translations_are_used_per_language_and_removable(env: &TestEnv) {
    let r = incident(env);
    let preview = |who: &str| {
        run_ok(
            env.cmd()
                .args(["letters", "preview", &r, "--subject", who, "--part", "text"]),
        )
    };
    assert!(preview("marie@example.fr").contains("Quelqu'un a copié la base de données clients."));
    assert!(preview("erika@example.org").contains("Jemand hat die Kundendatenbank kopiert."));
    // Removing one field: letters in French fall back to the original for it, and render
    // refuses until it is given again or allowed.
    let out = env.ok(&["incident", "translate", &r, "--locale", "fr", "--nature", ""]);
    assert!(out.contains("nature"), "{out}");
    assert!(preview("marie@example.fr").contains("Someone copied the customer database."));
    let err = env.fails(&["letters", "render", &r], 2);
    assert!(err.contains("fr (1 people: --nature)"), "{err}");
    let lint = env
        .cmd()
        .args(["letters", "lint", "--incident", &r])
        .output()
        .unwrap();
    assert_eq!(lint.status.code(), Some(2));
    let found = String::from_utf8_lossy(&lint.stdout);
    assert!(
        found.contains(&format!(
            "{r}: 1 people get letters in 'fr', which has no translation of --nature"
        )),
        "{found}"
    );
    let unchanged = env.ok(&["incident", "translate", &r, "--locale", "fr", "--nature", ""]);
    assert!(unchanged.contains("unchanged"), "{unchanged}");
    let err = env.fails(&["incident", "translate", &r, "--locale", "fr"], 2);
    assert!(err.contains("nothing to translate"), "{err}");
    let err = env.fails(
        &[
            "incident",
            "translate",
            &r,
            "--locale",
            "français",
            "--nature",
            "x",
        ],
        2,
    );
    assert!(err.contains("not a language tag"), "{err}");
}

pub fn letters_are_dated_in_the_person_s_zone(env: &TestEnv) {
    let r = incident(env);
    // 23:30 UTC on 6 March is already 7 March in Vienna (UTC+1) and still 6 March in London.
    let at = |who: &str| {
        run_ok(
            env.cmd()
                .env("BREACHDESK_NOW", "2026-03-06T23:30:00Z")
                .env("BREACHDESK_TZ", "America/Los_Angeles")
                .args([
                    "letters",
                    "preview",
                    &r,
                    "--subject",
                    who,
                    "--channel",
                    "postal",
                    "--part",
                    "text",
                ]),
        )
    };
    assert!(at("erika@example.org").contains("\n7. März 2026\n"));
    let paul = crate::outbox::subject_id(env, &r, "Paul Post");
    let text = at(&paul);
    assert!(text.contains("\n6 March 2026\n"), "{text}");
    assert!(text.contains("NW1 6XE London\nUNITED KINGDOM\n"), "{text}");
}

/// The stored update letters on paper, in English (Paul, in London) and German (Erika, in
/// Vienna), as the people get them.
pub fn update_letters_snapshot(env: &TestEnv) {
    let r = incident(env);
    let now = "2026-03-09T08:00:00Z";
    let at = |args: &[&str]| run_ok(env.cmd().env("BREACHDESK_NOW", now).args(args));
    at(&[
        "incident",
        "update-note",
        &r,
        "--summary",
        "We found that order histories were copied too.",
    ]);
    at(&[
        "incident",
        "translate",
        &r,
        "--locale",
        "de",
        "--update-summary",
        "Auch Bestellhistorien wurden kopiert.",
    ]);
    at(&[
        "incident",
        "translate",
        &r,
        "--locale",
        "fr",
        "--update-summary",
        "Les historiques de commande aussi.",
    ]);
    at(&["letters", "render", &r, "--kind", "update", "--channel", "postal"]);
    let paul = crate::outbox::subject_id(env, &r, "Paul Post");
    let code = regex_lite_code();
    for (name, who) in [
        ("update_postal_en", paul.as_str()),
        ("update_postal_de", "erika@example.org"),
    ] {
        let text = at(&[
            "letters",
            "show",
            &r,
            "--subject",
            who,
            "--kind",
            "update",
            "--part",
            "text",
        ]);
        let text = code(&text.replace(&r, "BD-XXXX-XXXX"));
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(name, text);
        });
    }
}

/// Replaces verification codes (XXXX-XXXX-XXXX-XXXX) with a placeholder.
fn regex_lite_code() -> impl Fn(&str) -> String {
    |text: &str| {
        text.lines()
            .map(|l| {
                let t = l.trim();
                let is_code = t.len() == 19
                    && t.split('-').count() == 4
                    && t.split('-')
                        .all(|p| p.len() == 4 && p.bytes().all(|b| b.is_ascii_alphanumeric()));
                if is_code {
                    l.replace(t, "[code]")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
