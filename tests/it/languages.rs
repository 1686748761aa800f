//! A person's letter language: one fallback chain (their locale, its language, an official
//! language of their country, the organisation's default), the same in `letters render`,
//! `preview` and `sample`; render's summary and `letters lint --incident` name who reads
//! another language than their own.

use serde_json::{Value, json};

use crate::common::TestEnv;

/// Spanish, Italian and Polish speakers (templates exist), a Turkish speaker in Turkey and a
/// Ukrainian speaker in Ukraine (no templates for their language or country: the default), a
/// Ukrainian speaker in the Netherlands (Dutch, their country's language).
const PEOPLE: &str = "id,email,name,locale,country,address_line1,postal_code,city\n\
     1,lucia@example.es,Lucía García,es-ES,ES,,,\n\
     2,giulia@example.it,Giulia Rossi,it,IT,,,\n\
     3,anna@example.pl,Anna Kowalska,pl-PL,PL,,,\n\
     4,ayse@example.org,Ayşe Yılmaz,tr,TR,,,\n\
     5,olena@example.org,Olena Shevchenko,uk,UA,,,\n\
     6,taras@example.nl,Taras Bondarenko,uk,NL,,,\n";

/// (email, locale on record, country, the letter's locale, words of its subject)
const EXPECTED: &[(&str, &str, &str, &str, &str)] = &[
    ("lucia@example.es", "es-ES", "ES", "es", "incidente de seguridad"),
    ("giulia@example.it", "it", "IT", "it", "incidente di sicurezza"),
    (
        "anna@example.pl",
        "pl-PL",
        "PL",
        "pl",
        "incydencie bezpieczeństwa",
    ),
    ("ayse@example.org", "tr", "TR", "de", "Sicherheitsvorfall"),
    ("olena@example.org", "uk", "UA", "de", "Sicherheitsvorfall"),
    ("taras@example.nl", "uk", "NL", "nl", "beveiligingsincident"),
];

/// The shop's incident with `PEOPLE` affected, German the organisation's default language,
/// and the narrative translated into every letter language.
fn incident(env: &TestEnv) -> String {
    let config = format!(
        "{}\n[letters]\ndefault_language = \"de\"\n",
        crate::outbox::CONFIG
    );
    let r = env.shop_incident(&config, PEOPLE, &[]);
    for locale in ["es", "it", "pl", "nl"] {
        env.ok(&[
            "incident",
            "translate",
            &r,
            "--locale",
            locale,
            "--nature",
            &format!("({locale}) nature"),
            "--likely-consequences",
            &format!("({locale}) consequences"),
            "--measures-taken",
            &format!("({locale}) taken"),
            "--measures-proposed",
            &format!("({locale}) proposed"),
        ]);
    }
    r
}

pub fn letters_follow_the_fallback_chain_and_render_names_who_reads_another_language(env: &TestEnv) {
    let r = incident(env);
    let summary = env.json(&["letters", "render", &r, "--json"]);
    assert_eq!(summary["added_email"], 6, "{summary}");
    assert_eq!(
        summary["added_by_locale"],
        json!({"de": 2, "es": 1, "it": 1, "nl": 1, "pl": 1}),
        "{summary}"
    );
    assert_eq!(
        summary["fallbacks"],
        json!([
            {"wanted": "tr", "locale": "de", "step": "default", "people": 1},
            {"wanted": "uk", "locale": "de", "step": "default", "people": 1},
            {"wanted": "uk", "locale": "nl", "step": "country", "people": 1},
        ]),
        "{summary}"
    );
    let text = env.ok(&["letters", "render", &r]);
    assert!(
        text.contains(
            "2 people get letters in 'de' instead of their own language, which has no templates: \
             tr 1 (the default language), uk 1 (the default language)"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "1 person gets letters in 'nl' instead of their own language, which has no templates: \
             uk 1 (an official language of their country)"
        ),
        "{text}"
    );

    for (email, locale, country, letter_locale, words) in EXPECTED {
        let shown: Value = env.json(&["letters", "show", &r, "--subject", email, "--json"]);
        assert_eq!(shown["locale"], *letter_locale, "{email}: {shown}");
        let preview: Value = env.json(&["letters", "preview", &r, "--subject", email, "--json"]);
        assert_eq!(preview["locale"], *letter_locale, "{email}: preview");
        let subject = env.ok(&["letters", "show", &r, "--subject", email, "--part", "subject"]);
        assert!(subject.contains(words), "{email}: {subject}");
        // The sample letter for the same person picks the same language.
        let ctx = env.json(&[
            "letters",
            "sample",
            "--locale",
            locale,
            "--country",
            country,
            "--context",
        ]);
        assert_eq!(ctx["locale"], *letter_locale, "{email}: sample");
    }
    // Without a country, a Turkish speaker's sample is in the organisation's default language,
    // as their letter would be: not in English.
    let ctx = env.json(&["letters", "sample", "--locale", "tr", "--context"]);
    assert_eq!(ctx["locale"], "de");
    let err = env.fails(&["letters", "sample", "--country", "XY"], 2);
    assert!(err.contains("--country 'XY'"), "{err}");
}

pub fn lint_lists_the_locales_of_people_affected_without_templates(env: &TestEnv) {
    let r = incident(env);
    let out = env.ok(&["letters", "lint", "--incident", &r]);
    for line in [
        "tr: no templates; 1 person affected with this locale gets letters in 'de' (the default language)",
        "uk: no templates; 1 person affected with this locale gets letters in 'de' (the default language)",
        "uk: no templates; 1 person affected with this locale gets letters in 'nl' (an official language of their country)",
    ] {
        assert!(out.contains(line), "{line}\n{out}");
    }
    assert!(out.contains("no problems"), "{out}");
    let report = env.json(&["letters", "lint", "--incident", &r, "--json"]);
    let wanted: Vec<&str> = report["without_templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["wanted"].as_str().unwrap())
        .collect();
    assert_eq!(wanted, ["tr", "uk", "uk"]);
    // Without --incident there is no one to speak of.
    let plain = env.json(&["letters", "lint", "--json"]);
    assert!(plain.get("without_templates").is_none(), "{plain}");
}
