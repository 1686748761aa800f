//! `letters lint` and `letters sample`: the template engine from the command line, no database.

use std::fs;

use crate::common::{TestEnv, assert_one_line};

pub fn lint_passes_on_the_default_set(env: &TestEnv) {
    let out = env.ok(&["letters", "lint"]);
    assert!(
        out.contains("locales de, en, es, fr, it, nl, pl, pt, sv: no problems"),
        "{out}"
    );
    let report = env.json(&["letters", "lint", "--json"]);
    assert_eq!(report["problems"].as_array().unwrap().len(), 0);
    assert_eq!(report["version"].as_str().unwrap().len(), 64);
}

pub fn lint_names_a_template_without_the_dpo_contact(env: &TestEnv) {
    let dir = env.dir().join("tpl");
    fs::create_dir_all(dir.join("en/partials")).unwrap();
    fs::write(
        dir.join("en/partials/contact.html"),
        "<h2>Questions?</h2>\n<p>Write to us at our usual address.</p>\n",
    )
    .unwrap();
    let output = env
        .cmd()
        .args(["letters", "lint", "--templates", "tpl"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_one_line(&stderr);
    assert!(stderr.contains("the template set has 2 problem(s)"), "{stderr}");
    for file in ["builtin:en/initial/email.html", "builtin:en/update/email.html"] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(file))
            .unwrap_or_else(|| panic!("{file} not named:\n{stdout}"));
        assert!(
            line.contains("lacks the contact point (dpo.name with dpo.email or dpo.phone)"),
            "{line}"
        );
        assert!(
            line.contains("Art. 34(2)") && line.contains("contact (line"),
            "{line}"
        );
    }
}

pub fn lint_reports_file_and_line_of_a_broken_template(env: &TestEnv) {
    let dir = env.dir().join("tpl");
    fs::create_dir_all(dir.join("de/initial")).unwrap();
    fs::write(
        dir.join("de/initial/subject.txt"),
        "Hinweis\n{{#if incident.nature}}\n",
    )
    .unwrap();
    fs::create_dir_all(dir.join("fr/partials")).unwrap();
    fs::write(
        dir.join("fr/partials/what_we_did.txt"),
        "Mesures\n\n{{incident.measures_takn}}\n",
    )
    .unwrap();
    let output = env
        .cmd()
        .args(["letters", "lint", "--templates", "tpl"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("tpl/de/initial/subject.txt:3: does not compile: invalid handlebars syntax"),
        "{stdout}"
    );
    assert!(
        stdout.contains("tpl/fr/partials/what_we_did.txt:3: unknown field 'incident.measures_takn'"),
        "{stdout}"
    );
    assert!(
        stdout.contains("builtin:fr/initial/email.txt: the letter lacks the measures taken"),
        "{stdout}"
    );
}

pub fn sample_prints_the_letter_in_the_person_s_language(env: &TestEnv) {
    let out = env.ok(&["letters", "sample", "--locale", "de-AT"]);
    assert!(
        out.starts_with("Subject: Example Shop GmbH: Information über einen Sicherheitsvorfall"),
        "{out}"
    );
    assert!(
        out.contains("Guten Tag Frau Mustermann,") && out.contains("----- HTML part -----"),
        "{out}"
    );
    let subject = env.ok(&[
        "letters", "sample", "--locale", "fr", "--kind", "update", "--part", "subject",
    ]);
    assert_eq!(subject.lines().count(), 1, "{subject}");
    assert!(subject.contains("point sur l'incident"), "{subject}");
    let html = env.ok(&["letters", "sample", "--part", "html"]);
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("lang=\"en\""),
        "{html}"
    );
    let ctx = env.json(&["letters", "sample", "--locale", "fr-CH", "--context"]);
    assert_eq!(ctx["locale"], "fr");
    assert_eq!(ctx["person"]["locale"], "fr-ch");
    assert_eq!(ctx["categories"][0]["label"], "nom");
    let postal = env.ok(&["letters", "sample", "--channel", "postal", "--locale", "tr"]);
    assert!(postal.contains("Jane Doe\n221 Baker Street"), "{postal}");
    let postal = env.ok(&["letters", "sample", "--channel", "postal", "--locale", "es"]);
    assert!(postal.contains("Lucía García López\nCalle Mayor 12"), "{postal}");
    assert!(postal.lines().all(|l| l.chars().count() <= 72), "{postal}");
}

pub fn sample_refuses_bad_input(env: &TestEnv) {
    for (args, needle) in [
        (
            vec!["--channel", "postal", "--part", "html"],
            "a postal letter has no html part",
        ),
        (vec!["--locale", "klingon!"], "is not a language tag"),
        (vec!["--templates", "nowhere"], "no such directory"),
    ] {
        let mut all = vec!["letters", "sample"];
        all.extend(args);
        let err = env.fails(&all, 2);
        assert_one_line(&err);
        assert!(err.contains(needle), "{all:?}: {err}");
    }
    let dir = env.dir().join("tpl/en/initial");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("email.txt"), "Dear {{person.nmae}}\n").unwrap();
    let err = env.fails(&["letters", "sample", "--templates", "tpl"], 2);
    assert_one_line(&err);
    assert!(
        err.contains("en/initial/email.txt:1") && err.contains("person.nmae"),
        "{err}"
    );
}

/// A template linked to a file outside the template directory (here a stand-in for a system
/// file) is refused by lint, and its text never reaches a letter.
pub fn lint_refuses_templates_linked_out_of_the_directory(env: &TestEnv) {
    #[cfg(unix)]
    {
        fs::write(env.dir().join("hostname"), "build-host-17\n").unwrap();
        let dir = env.dir().join("tpl");
        fs::create_dir_all(dir.join("en/initial")).unwrap();
        std::os::unix::fs::symlink(env.dir().join("hostname"), dir.join("en/initial/subject.txt")).unwrap();
        let err = env.fails(&["letters", "lint", "--templates", "tpl"], 2);
        assert!(
            err.contains("en/initial/subject.txt") && err.contains("outside the template directory"),
            "{err}"
        );
        let err = env.fails(&["letters", "sample", "--templates", "tpl"], 2);
        assert!(err.contains("outside the template directory"), "{err}");
        assert!(!err.contains("build-host-17"), "{err}");
    }
}
