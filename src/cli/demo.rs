//! `breachdesk demo`: the whole response so far, on built-in sample data, so that a new user
//! sees every step once. It uses the configured database (by default the embedded SQLite
//! file in the working directory) and creates it when it is missing.

use chrono::Duration;

use super::output::Out;
use crate::audit;
use crate::clock;
use crate::config::Settings;
use crate::db;
use crate::error::Result;
use crate::incident::view::{IncidentView, timeline};
use crate::incident::{self, BreachTypes, Cause, Changes, Declaration};

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

    out.say("\n== 4. The clock");
    let view = IncidentView::new(incident::find(&db, &declared.reference).await?, now, zone);
    let d = &view.authority_deadline;
    out.say(format!(
        "Aware {}; authority notification due {}: {}.",
        clock::human(view.aware_at, zone),
        clock::human_with_utc(d.due, zone),
        d.describe()
    ));

    out.say("\n== 5. Timeline");
    let model = incident::find(&db, &declared.reference).await?;
    for entry in timeline(&model, audit::log(&db, Some(&model.reference)).await?) {
        out.say(format!("  {}  {}", clock::human(entry.at, zone), entry.what));
    }

    out.say("\n== 6. The audit chain");
    let check = audit::verify(&db).await?;
    out.say(format!(
        "{} entries, {}.",
        check.entries,
        if check.intact { "intact" } else { "BROKEN" }
    ));

    out.say(format!(
        "\nNext: `breachdesk incident show {r}`, `breachdesk incident timeline {r}`, `breachdesk audit log {r}`.",
        r = declared.reference
    ));
    Ok(())
}
