//! Tests of the letter engine as a whole: snapshots of the default letters, data that tries to
//! be markup or template syntax, locale fallback, strictness, hashes, and lint findings.

use proptest::prelude::*;

use super::context::LetterInput;
use super::lint::lint;
use super::templates::{Origin, TemplateFile, TemplateFiles};
use super::*;

fn set() -> TemplateSet {
    TemplateSet::builtin().expect("the default set compiles")
}

fn render(set: &TemplateSet, ctx: &LetterContext) -> RenderedLetter {
    let mut letter = RenderedLetter::default();
    Renderer::new(set).render(ctx, &mut letter).expect("renders");
    letter
}

#[test]
fn default_letters_snapshot() {
    let set = set();
    for locale in ["en", "de", "fr", "es", "it", "nl", "pl", "pt", "sv"] {
        for kind in LetterKind::ALL {
            for channel in Channel::ALL {
                let ctx = sample::context(&set, locale, kind, channel).unwrap();
                let letter = render(&set, &ctx);
                for part in channel.parts() {
                    let name = format!("{locale}_{kind}_{channel}_{part}");
                    insta::assert_snapshot!(name, letter.part(*part));
                }
            }
        }
    }
}

#[test]
fn text_lines_fit_and_subjects_are_one_line() {
    let set = set();
    for locale in set.locales() {
        for kind in LetterKind::ALL {
            let ctx = sample::context(&set, locale, kind, Channel::Email).unwrap();
            let letter = render(&set, &ctx);
            assert!(!letter.subject.contains('\n'));
            for line in letter.text.lines() {
                assert!(
                    line.chars().count() <= 72 || !line.trim().contains(' '),
                    "{locale}: {line}"
                );
            }
        }
    }
}

/// Builds a sample letter with the person's name replaced.
fn with_name(set: &TemplateSet, name: &str, channel: Channel) -> RenderedLetter {
    let (org, incident) = (sample::organisation(), sample::incident());
    let mut person = sample::recipient("en");
    person.name = name.to_string();
    person.salutation = None;
    person.postal_address = vec![name.to_string(), "1 Main Street".into()];
    let (categories, systems) = (sample::categories(), vec![name.to_string()]);
    let ctx = LetterContext::build(
        set,
        LetterInput {
            organisation: &org,
            incident: &incident,
            recipient: &person,
            categories: &categories,
            systems: &systems,
            kind: LetterKind::Initial,
            update: None,
            channel,
            code: VerificationCode::from_bytes(sample::SAMPLE_CODE),
            date: incident.aware_at,
        },
    )
    .unwrap();
    render(set, &ctx)
}

/// Text with line breaks and runs of spaces made single spaces (undoes wrapping).
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

const TRICKY: &[(&str, &str)] = &[
    ("{{name}}", "{{name}}"),
    ("{{> contact}}", "{{&gt; contact}}"),
    (
        "<script>alert(1)</script>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
    ),
    ("مرحبا", "مرحبا"),
    ("👩‍🔬", "👩‍🔬"),
    ("O'Brien & Sons", "O&#x27;Brien &amp; Sons"),
    (
        "\"><img src=x onerror=alert(1)>",
        "&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;",
    ),
];

#[test]
fn data_is_never_markup_or_template_syntax() {
    let set = set();
    for (name, escaped) in TRICKY {
        let email = with_name(&set, name, Channel::Email);
        // Plain text and subject carry the name as written; HTML carries it escaped.
        assert!(
            flat(&email.text).contains(&format!("They were stored in: {name}.")),
            "{name}\n{}",
            email.text
        );
        assert!(email.html.contains(escaped), "{name} not escaped as {escaped}");
        if name.contains('<') {
            assert!(!email.html.contains(name), "raw {name} in HTML");
        }
        let postal = with_name(&set, name, Channel::Postal);
        assert!(
            postal.text.lines().any(|l| l == *name),
            "{name} in the address block"
        );
    }
    // A name that tries to add a mail header stays on the one subject line, as text.
    let set_ = set;
    let letter = with_name(&set_, "Eve\r\nBcc: all@example.org", Channel::Email);
    assert!(flat(&letter.text).contains("stored in: Eve Bcc: all@example.org."));
    assert!(letter.text.starts_with("Dear Eve Bcc: all@example.org,\n"));
    assert!(!letter.subject.contains('\n'));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn any_name_renders_as_plain_text(name in "\\PC{1,40}") {
        let set = set();
        let cleaned = super::clean::line(&name);
        prop_assume!(!cleaned.is_empty());
        let email = with_name(&set, &name, Channel::Email);
        let wanted = format!("They were stored in: {cleaned}.");
        prop_assert!(flat(&email.text).contains(&flat(&wanted)));
        prop_assert!(email.html.contains(&handlebars::html_escape(&cleaned)));
        prop_assert!(!email.subject.contains('\n'));
    }
}

#[test]
fn locales_fall_back_from_region_to_language_to_country_to_default() {
    let set = set();
    let resolve = |tag: &str, country: Option<&str>| {
        set.resolve_locale(Some(&tag.parse().unwrap()), country)
            .locale
            .to_string()
    };
    assert_eq!(resolve("de-AT", None), "de");
    assert_eq!(resolve("fr_CH.UTF-8", None), "fr");
    assert_eq!(resolve("es-MX", None), "es");
    assert_eq!(resolve("tr", None), "en");
    assert_eq!(resolve("tr", Some("AT")), "de");
    assert_eq!(resolve("uk", Some("PL")), "pl");
    assert_eq!(set.resolve_locale(None, None).locale, "en");
    assert_eq!(set.resolve_locale(None, Some("se")).locale, "sv");
    let ctx = sample::context(&set, "de-at", LetterKind::Initial, Channel::Email).unwrap();
    assert_eq!((ctx.locale.as_str(), ctx.lang.as_str()), ("de", "de"));
    assert_eq!(ctx.person.locale.as_ref().map(|l| l.as_str()), Some("de-at"));
    assert!(render(&set, &ctx).subject.contains("Sicherheitsvorfall"));
    let ctx = sample::context(&set, "tr", LetterKind::Initial, Channel::Email).unwrap();
    assert_eq!(ctx.locale, "en");
    assert!(render(&set, &ctx).text.contains("What happened"));
    // The organisation's default language comes last, in the sample as in the outbox.
    let mut german = self::set();
    german.set_default_locale("de").unwrap();
    let ctx = sample::context_in(&german, "tr", None, LetterKind::Initial, Channel::Email).unwrap();
    assert_eq!(ctx.locale, "de");
    let ctx = sample::context_in(&german, "tr", Some("NL"), LetterKind::Initial, Channel::Email).unwrap();
    assert_eq!(ctx.locale, "nl");
}

#[test]
fn every_category_has_advice_and_a_label_in_every_locale() {
    let set = set();
    for locale in set.locales() {
        for c in crate::category::DataCategory::all() {
            assert!(set.advice(locale, c).len() > 40, "{locale}: {c}");
            assert!(!set.label(locale, c).is_empty(), "{locale}: {c}");
        }
    }
}

fn override_file(files: &mut TemplateFiles, path: &str, text: &str) {
    files.insert(TemplateFile {
        path: path.into(),
        text: text.into(),
        origin: Origin::File(format!("tpl/{path}").into()),
    });
}

#[test]
fn strict_mode_refuses_a_missing_field_naming_the_file() {
    let mut files = TemplateFiles::builtin();
    override_file(&mut files, "en/initial/subject.txt", "Hello\n{{incident.titel}}");
    let set = TemplateSet::compile(&files).unwrap();
    let ctx = sample::context(&set, "en", LetterKind::Initial, Channel::Email).unwrap();
    let err = Renderer::new(&set)
        .render(&ctx, &mut RenderedLetter::default())
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("en/initial/subject.txt:2:"), "{err}");
    assert!(err.contains("incident.titel"), "{err}");
}

#[test]
fn hashes_identify_the_letter_and_the_set() {
    let set = set();
    let ctx = sample::context(&set, "en", LetterKind::Initial, Channel::Email).unwrap();
    let a = render(&set, &ctx);
    assert_eq!(
        a.content_hash(Channel::Email),
        render(&set, &ctx).content_hash(Channel::Email)
    );
    let mut other = ctx.clone();
    other.verification.code = VerificationCode::from_bytes([7; 10]);
    assert_ne!(
        a.content_hash(Channel::Email),
        render(&set, &other).content_hash(Channel::Email)
    );
    assert_eq!(set.version(), TemplateFiles::builtin().version());
    // A reused renderer and letter give the same bytes as fresh ones.
    let mut renderer = Renderer::new(&set);
    let mut reused = RenderedLetter::default();
    renderer.render(&other, &mut reused).unwrap();
    renderer.render(&ctx, &mut reused).unwrap();
    assert_eq!(reused, a);
}

#[test]
fn the_default_set_passes_lint() {
    let report = lint(&TemplateFiles::builtin());
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert_eq!(
        report.locales,
        ["de", "en", "es", "fr", "it", "nl", "pl", "pt", "sv"]
    );
}

fn problems(files: &TemplateFiles) -> Vec<String> {
    lint(files).problems.iter().map(|p| p.to_string()).collect()
}

#[test]
fn lint_names_a_missing_dpo_contact() {
    let mut files = TemplateFiles::builtin();
    override_file(
        &mut files,
        "de/partials/contact.txt",
        "Fragen? Schreiben Sie uns.\n",
    );
    let found = problems(&files);
    for file in [
        "de/initial/email.txt",
        "de/initial/postal.txt",
        "de/update/email.txt",
        "de/update/postal.txt",
    ] {
        assert!(
            found.iter().any(|p| p
                .starts_with(&format!("builtin:{file}: the letter lacks the contact point"))
                && p.contains("contact (line")),
            "{file}: {found:#?}"
        );
    }
    assert!(!found.iter().any(|p| p.contains("email.html")), "{found:#?}");
}

#[test]
fn lint_finds_typos_unescaped_html_helpers_and_gaps() {
    let mut files = TemplateFiles::builtin();
    override_file(
        &mut files,
        "fr/partials/what_we_did.txt",
        "Mesures\n\n{{incident.mesures_taken}}\n",
    );
    override_file(
        &mut files,
        "en/partials/contact.html",
        "<p>{{{dpo.name}}} {{dpo.email}}</p>\n{{log person.name}}",
    );
    override_file(&mut files, "en/update/subject.txt", "{{#if}}");
    override_file(&mut files, "tr/initial/subject.txt", "Merhaba");
    override_file(&mut files, "en/notes.md", "x");
    let found = problems(&files);
    let has = |needle: &str| found.iter().any(|p| p.contains(needle));
    assert!(
        has("tpl/fr/partials/what_we_did.txt:3: unknown field 'incident.mesures_taken'"),
        "{found:#?}"
    );
    assert!(
        has("tpl/en/partials/contact.html:1: {{{ }}} writes data unescaped"),
        "{found:#?}"
    );
    assert!(
        has("tpl/en/partials/contact.html:2: unknown or forbidden helper 'log'"),
        "{found:#?}"
    );
    assert!(has("tpl/en/update/subject.txt:1: does not compile"), "{found:#?}");
    assert!(has("tr/initial/email.txt: missing"), "{found:#?}");
    assert!(has("tr/advice.toml: missing"), "{found:#?}");
    assert!(has("tpl/en/notes.md: not part of a template set"), "{found:#?}");
    assert!(
        has("builtin:fr/initial/email.txt: the letter lacks the measures taken"),
        "{found:#?}"
    );
}

#[test]
fn lint_checks_advice_for_every_category() {
    let mut files = TemplateFiles::builtin();
    override_file(
        &mut files,
        "de/advice.toml",
        "[advice]\nname = \"x\"\nshoe_size = \"y\"\n",
    );
    let found = problems(&files);
    assert!(
        found
            .iter()
            .any(|p| p.contains("de/advice.toml: no advice for the data category 'health'"))
    );
    assert!(
        found
            .iter()
            .any(|p| p.contains("unknown data category 'shoe_size'"))
    );
}

#[test]
fn the_context_templates_see_is_stable() {
    // Template authors rely on these field names (docs/templates.md): a change shows here.
    let set = set();
    let ctx = sample::context(&set, "en", LetterKind::Update, Channel::Postal).unwrap();
    insta::assert_json_snapshot!("sample_context_en_update_postal", ctx);
}

#[test]
fn a_template_set_can_be_shared_by_render_workers() {
    fn shareable<T: Send + Sync>() {}
    shareable::<TemplateSet>();
    shareable::<LetterContext>();
}

/// One renderer writes letter after letter with the parts every letter shares rendered once
/// (see `fold`): each letter is still exactly what a fresh renderer writes for it alone, in
/// every language, kind and channel, with names, salutations, categories, systems and codes
/// that change from letter to letter.
#[test]
fn a_reused_renderer_writes_each_letter_as_a_fresh_one_would() {
    let set = set();
    let (org, incident, update) = (sample::organisation(), sample::incident(), sample::update_note());
    let all: Vec<crate::category::DataCategory> = crate::category::DataCategory::all().collect();
    let mut reused = Renderer::new(&set);
    for i in 0..120usize {
        let mut person = sample::recipient(["en", "de", "fr"][i / 40]);
        person.name = format!("Person {i} <b>{{{{x}}}}</b>");
        person.salutation = (i % 3 != 0).then(|| format!("Dear {i}"));
        let categories: Vec<crate::category::DataCategory> =
            (0..1 + i % 4).map(|k| all[(i * 7 + k * 3) % all.len()]).collect();
        let systems: Vec<String> = (0..i % 3).map(|k| format!("System {k}-{i}")).collect();
        let ctx = LetterContext::build(
            &set,
            LetterInput {
                organisation: &org,
                incident: &incident,
                recipient: &person,
                categories: &categories,
                systems: &systems,
                kind: LetterKind::ALL[i / 20 % 2],
                update: Some(&update),
                channel: Channel::ALL[i / 10 % 2],
                code: VerificationCode::from_bytes([i as u8; 10]),
                date: incident.aware_at,
            },
        )
        .unwrap();
        let mut got = RenderedLetter::default();
        reused.render(&ctx, &mut got).unwrap();
        let fresh = render(&set, &ctx);
        assert_eq!(got, fresh, "letter {i}");
        assert!(
            got.text.contains(&ctx.verification.code.to_string()),
            "letter {i}"
        );
    }
}
