//! `breachdesk demo`: the whole response so far, on built-in sample data, so that a new user
//! sees every step once. It uses the configured database (by default the embedded SQLite
//! file in the working directory) and creates it when it is missing.

use std::path::Path;

use chrono::Duration;

use super::output::Out;
use crate::assess;
use crate::audit;
use crate::category::DataCategory;
use crate::clock;
use crate::config::Settings;
use crate::db;
use crate::demo;
use crate::error::Result;
use crate::incident::view::{IncidentView, timeline};
use crate::incident::{self, BreachTypes, Cause, Changes, Declaration};
use crate::inventory::import::{ImportOptions, import_file};
use crate::inventory::system::{self as systems, SystemFields};
use crate::jurisdiction::Status;
use crate::jurisdiction::incident::for_incident;
use crate::outbox;
use crate::playbook::tasks;
use crate::report::{Phase, SubmittedReport, render};
use crate::resolve::{self, ScopeEntry};

/// The demo's assessment: the data processing context comes from the categories exposed.
const ANSWERS: &str = r#"
ei = "maximum"
[dpc]
[cb]
confidentiality = "unknown-recipients"
availability = "temporary"
malicious = true
"#;

/// Steps 6-10: assess and decide, the obligations, the checklist, the authority report.
/// Sends the demo's email letters as .eml files, as `send --transport file --yes` would.
async fn send_demo_letters(
    db: &db::Db,
    settings: &Settings,
    reference: &str,
) -> Result<crate::send::SendSummary> {
    let req = crate::send::SendRequest {
        reference: reference.to_string(),
        transport: crate::send::TransportChoice::File(Some(Path::new("breachdesk-demo").join("sent-mail"))),
        concurrency: Some(2),
        rate: None,
        limit: None,
        kind: None,
    };
    let prepared = crate::send::prepare(db, settings, &req).await?;
    let (_stop, never) = tokio::sync::watch::channel(false);
    let counters = std::sync::Arc::new(crate::send::Counters::default());
    crate::send::execute(db, settings, prepared, counters, never).await
}

async fn respond(db: &db::Db, settings: &Settings, reference: &str, out: Out) -> Result<()> {
    let zone = settings.zone;
    out.say("\n== 7. Assess (ENISA 2013) and decide");
    let exposed: Vec<DataCategory> = resolve::stats(db, reference)
        .await?
        .by_category
        .iter()
        .map(|c| c.category)
        .collect();
    let answers = assess::answers::parse_with(ANSWERS, "demo answers", &exposed)?;
    let evaluation = assess::evaluate(answers, &settings.policy)?;
    let a = assess::record(
        db,
        settings,
        reference,
        &evaluation,
        assess::Confirmation::default(),
    )
    .await?;
    out.say(format!(
        "Severity {} ({}); proposal accepted: notify the authority {}, the people {}.",
        evaluation.severity.band.label(),
        evaluation.severity.formula(),
        if a.notify_authority { "yes" } else { "no" },
        if a.notify_subjects { "yes" } else { "no" }
    ));
    for line in evaluation.proposal.reasoning.iter().take(3) {
        out.say(format!("  - {line}"));
    }

    out.say("\n== 8. Obligations, from where the people affected live");
    let o = for_incident(
        db,
        settings.playbook_dir.as_deref(),
        reference,
        None,
        Some("DE"),
        settings.organisation.hipaa_covered_entity,
        &[],
    )
    .await?;
    for t in o
        .obligations
        .iter()
        .filter(|t| t.obligation.status == Status::Owed)
    {
        let due = t
            .obligation
            .due
            .as_ref()
            .and_then(|d| d.at)
            .map(|at| clock::human(at, zone))
            .unwrap_or_else(|| "without undue delay".into());
        out.say(format!(
            "  {:<6} {:<18} {:>3} residents, due {due}",
            t.obligation.jurisdiction, t.obligation.key, t.obligation.residents
        ));
    }

    out.say("\n== 9. The ransomware playbook's checklist");
    let inc = incident::find(db, reference).await?;
    for t in tasks::list(db, inc.id, settings.now(), false).await? {
        out.say(format!(
            "  {}  {} ({})",
            clock::human(t.due_at, zone),
            t.title,
            t.owner_role
        ));
    }

    out.say("\n== 10. The report to the lead supervisory authority (Art. 33(3))");
    let report = crate::report::build(db, settings, reference, Phase::Initial, Some("DE")).await?;
    let file = Path::new("breachdesk-demo").join("authority-report-initial.md");
    super::report::write_private(&file, render::markdown(&report, zone).as_bytes())?;
    out.say(format!(
        "Wrote {} ({} people, {} records, {} countries).",
        file.display(),
        report.nature.subjects,
        report.nature.records,
        report.cross_border.countries.len()
    ));

    out.say("\n== 11. Record the submission");
    let s = crate::report::record_submission(
        db,
        settings,
        reference,
        SubmittedReport {
            authority: "DE".into(),
            reference: "DEMO-4711".into(),
            phase: Phase::Initial,
            at: None,
        },
    )
    .await?;
    out.say(format!(
        "Submitted to {} as {}: the DE authority obligation is now done.",
        s.authority, s.reference
    ));
    Ok(())
}

pub async fn run(settings: &Settings, out: Out) -> Result<()> {
    let zone = settings.zone;
    let now = settings.now();

    out.say("== 1. The database");
    let db = db::open(&settings.database_url, true).await?;
    let applied = db::migrate(&db).await?;
    out.say(format!(
        "{} ready ({} migration(s) applied now).",
        db.location.describe(),
        applied.len()
    ));

    out.say("\n== 2. Declare: the 72-hour clock starts when the organisation became aware");
    let aware_at = now - Duration::hours(20);
    let declared = incident::declare(
        &db,
        settings,
        Declaration {
            title: "Ransomware on the HR file server (demo)".into(),
            aware_at: Some(aware_at),
            occurred_from: Some(now - Duration::hours(44)),
            occurred_to: Some(now - Duration::hours(22)),
            detected_at: Some(now - Duration::hours(22)),
            nature: Some(
                "An attacker encrypted the HR file server after copying part of it. Job applications \
                 and employee records were on the server."
                    .into(),
            ),
            cause: Cause::Malicious,
            breach_types: BreachTypes {
                confidentiality: true,
                integrity: false,
                availability: true,
            },
            playbook: Some("ransomware".into()),
        },
    )
    .await?;
    out.say(format!("Declared {} — {}", declared.reference, declared.title));

    out.say("\n== 3. Record what the authority report will need (Art. 33(3))");
    let (_, changed) = incident::update(
        &db,
        settings,
        &declared.reference,
        Changes {
            dpo_name: Some(Some("Dana Schmidt, Data Protection Officer".into())),
            dpo_email: Some(Some("dpo@example.org".into())),
            dpo_phone: Some(Some("+49 30 1234567".into())),
            likely_consequences: Some(Some(
                "Applicants' and employees' contact and identity data may be published or used for phishing."
                    .into(),
            )),
            measures_taken: Some(Some(
                "Server isolated, restored from the offline backup of the previous night, credentials rotated."
                    .into(),
            )),
            measures_proposed: Some(Some("Tell the people affected; watch leak sites; offer help.".into())),
            ..Changes::default()
        },
    )
    .await?;
    out.say(format!("Updated {}.", changed.join(", ")));

    out.say("\n== 4. The inventory: four systems, a few hundred people (sample files in breachdesk-demo/)");
    let files = demo::write_sample_files(Path::new("breachdesk-demo"), 300)?;
    for (sample, file) in demo::SYSTEMS.iter().zip(&files) {
        if systems::find(&db, sample.key).await.is_err() {
            let fields = SystemFields {
                name: Some(sample.name.into()),
                categories: Some(DataCategory::parse_list(sample.categories)?),
                subject_kinds: Some(sample.subject_kinds.into()),
                location: Some("DE".into()),
                ..SystemFields::default()
            };
            systems::add(&db, settings, sample.key, fields).await?;
        }
        let opts = ImportOptions {
            system: sample.key.into(),
            file: file.clone(),
            maps: if sample.key == "applicants" {
                vec!["Vorname+Nachname=name".into()]
            } else {
                vec![]
            },
            ..ImportOptions::default()
        };
        let r = import_file(&db, settings, &opts).await?;
        out.say(format!(
            "  {:<11} {:<26} read {:>3}, new {:>3}, updated {:>3}, unchanged {:>3}, rejected {}",
            sample.key, sample.name, r.read, r.inserted, r.updated, r.unchanged, r.rejected
        ));
    }

    out.say("\n== 5. Who is affected: the HR system, and applications since 2024");
    let reference = declared.reference.as_str();
    resolve::set_scope(
        &db,
        settings,
        reference,
        ScopeEntry {
            system: "hr".into(),
            categories: None,
            records_from: None,
            records_to: None,
        },
    )
    .await?;
    resolve::set_scope(
        &db,
        settings,
        reference,
        ScopeEntry {
            system: "applicants".into(),
            categories: Some(DataCategory::parse_list(
                "name,email,phone,postal_address,job_application",
            )?),
            records_from: Some(clock::parse_time("2024-01-01T00:00:00Z", zone)?),
            records_to: None,
        },
    )
    .await?;
    let resolution = resolve::resolve(&db, settings, reference).await?;
    let stats = resolve::stats(&db, reference).await?;
    out.say(format!(
        "{} people affected ({} records); {} with special-category data exposed.",
        resolution.counts.subjects, stats.records, stats.special_category_subjects
    ));
    let countries: Vec<String> = stats
        .by_country
        .iter()
        .map(|c| format!("{} {}", c.key.as_deref().unwrap_or("?"), c.subjects))
        .collect();
    out.say(format!("By country: {}.", countries.join(", ")));
    let categories: Vec<String> = stats
        .by_category
        .iter()
        .map(|c| format!("{} {}", c.category, c.subjects))
        .collect();
    out.say(format!("By category: {}.", categories.join(", ")));

    out.say("\n== 6. Write the letters: each person's own, in their language, by email or on paper");
    for (locale, texts) in demo::NARRATIVE_TRANSLATIONS {
        let fields = crate::narrative::Field::NARRATIVE;
        let texts: Vec<_> = fields
            .iter()
            .zip(texts)
            .map(|(f, t)| (*f, t.to_string()))
            .collect();
        crate::narrative::translate(&db, settings, reference, &locale.parse()?, &texts, None).await?;
    }
    out.say("The narrative translated into German, French and Spanish (`incident translate`).");
    let letters = demo_letters(settings, &db, reference).await?;
    let locales: Vec<String> = letters
        .added_by_locale
        .iter()
        .map(|(l, n)| format!("{l} {n}"))
        .collect();
    out.say(format!(
        "{} letters in the outbox: {} by email, {} on paper (no email address); by language: {}.",
        letters.added_email + letters.added_postal,
        letters.added_email,
        letters.added_postal,
        locales.join(", ")
    ));
    narrow_scope(&db, settings, reference, out).await?;
    let print = crate::postal::write_pdfs(
        &db,
        settings,
        &crate::postal::PdfRequest {
            reference: reference.to_string(),
            output: Path::new("breachdesk-demo").join("postal"),
            paper: crate::postal::Paper::A4,
            batch: crate::postal::DEFAULT_BATCH as usize,
            duplex: false,
            kind: crate::letters::LetterKind::Initial,
            update_number: None,
            include_sent: false,
        },
    )
    .await?;
    if let Some(manifest) = &print.manifest {
        out.say(format!(
            "The {} postal letters printed for window envelopes: breachdesk-demo/postal/ ({} PDF, manifest {}).",
            print.letters,
            print.files.len(),
            manifest
        ));
    }

    let sent = send_demo_letters(&db, settings, reference).await?;
    out.say(format!(
        "The {} email letters sent through the file transport: breachdesk-demo/sent-mail/{reference}/ \
         (`breachdesk send {reference} --transport smtp` hands them to your relay).",
        sent.sent
    ));

    respond(&db, settings, reference, out).await?;

    out.say("\n== 12. Follow up with the people affected: a reply, calls, help, a request");
    super::demo_followup::run(&db, settings, reference, out).await?;

    out.say("\n== 13. The clock");
    let ctx = crate::incident::regimes::Context::load(settings)?;
    let model = incident::find(&db, &declared.reference).await?;
    let view = IncidentView::read(&db, &ctx, model, now, zone).await?;
    out.say(format!("Aware {}.", clock::human(view.aware_at, zone)));
    for d in &view.authority_deadlines {
        out.say(super::incident_page::declared_deadline(d, &view.reference, zone));
    }

    out.say("\n== 14. Timeline");
    let model = incident::find(&db, &declared.reference).await?;
    let deadlines = &view.authority_deadlines;
    for entry in timeline(&model, deadlines, audit::log(&db, Some(&model.reference)).await?) {
        out.say(format!("  {}  {}", clock::human(entry.at, zone), entry.what));
    }

    out.say("\n== 15. The audit chain");
    let check = audit::verify(&db).await?;
    out.say(format!(
        "{} entries, {}.",
        check.entries,
        if check.intact { "intact" } else { "BROKEN" }
    ));

    out.say(format!(
        "\nNext: `breachdesk incident show {r}`, `breachdesk affected list {r}`, `breachdesk affected stats {r}`, \
         `breachdesk letters show {r} --subject ID`, `breachdesk incident obligations {r}`, `breachdesk tasks {r}`, `breachdesk report register --format md`, \
         `breachdesk followup list {r}`, `breachdesk followup stats {r}`, `breachdesk audit log {r}`.",
        r = declared.reference
    ));
    Ok(())
}

/// Renders the incident's letters, with the sample organisation's letter settings where the
/// configuration has none.
/// Step 6, continued: the scope narrows after the letters were written, and the outbox follows
/// (letters of people no longer affected are withdrawn, changed ones rendered again).
async fn narrow_scope(db: &db::Db, settings: &Settings, reference: &str, out: Out) -> Result<()> {
    let settings = &letter_settings(settings);
    resolve::set_scope(
        db,
        settings,
        reference,
        ScopeEntry {
            system: "applicants".into(),
            categories: Some(DataCategory::parse_list(
                "name,email,phone,postal_address,job_application",
            )?),
            records_from: Some(clock::parse_time("2025-01-01T00:00:00Z", settings.zone)?),
            records_to: None,
        },
    )
    .await?;
    let r = resolve::resolve(db, settings, reference).await?;
    out.say(format!(
        "The scope narrows: the applications of 2024 were on a server the attacker never reached. \
         {} people are no longer affected and their {} letters are withdrawn before anything is sent; \
         {} letters of people whose exposed data changed are rendered again; {} people are affected now.",
        r.counts.removed, r.letters.withdrawn_not_affected, r.rerendered, r.counts.subjects
    ));
    if let Some(error) = &r.rerender_error {
        out.say(format!(
            "The changed letters could not be rendered again: {error}"
        ));
    }
    Ok(())
}

/// The settings the demo's letters are written with: the configured organisation, with the
/// sample organisation's name, verification and address where none is configured.
fn letter_settings(settings: &Settings) -> Settings {
    let mut settings = settings.clone();
    let sample = crate::letters::sample::organisation();
    let org = &mut settings.organisation;
    if org.name.is_none() {
        org.name = Some(sample.name);
    }
    if org.verify_url.is_none() && org.verify_phone.is_none() {
        org.verify_url = sample.verify_url;
        org.verify_phone = sample.verify_phone;
    }
    org.website = org.website.take().or(sample.website);
    if org.postal_address.is_empty() {
        org.postal_address = sample.postal_address;
    }
    settings
}

async fn demo_letters(settings: &Settings, db: &db::Db, reference: &str) -> Result<outbox::RenderSummary> {
    let settings = letter_settings(settings);
    let req = outbox::RenderRequest {
        reference: reference.to_string(),
        channel: outbox::ChannelChoice::Auto,
        update: None,
        allow_untranslated: false,
        kind: crate::letters::LetterKind::Initial,
        templates: None,
        rerender_pending: false,
        subjects: None,
        include_reached: false,
    };
    outbox::render(db, &settings, &req, &mut |_, _| {}).await
}
