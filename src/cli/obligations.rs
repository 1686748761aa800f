//! `breachdesk incident obligations REF --residents CODE=N,...`: every notification owed, to
//! whom, by when, from the jurisdictions of the people affected.

use clap::Args;
use serde::Serialize;

use super::output::Out;
use crate::clock;
use crate::config::Settings;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::jurisdiction::incident::{for_incident, parse_anchor, parse_counts};
use crate::jurisdiction::{Obligation, Status};

#[derive(Debug, Args)]
pub struct ObligationsArgs {
    reference: String,
    /// Affected residents per jurisdiction, e.g. DE=1200,FR=30,US-CA=600 (until the inventory
    /// counts them).
    #[arg(long, value_name = "CODE=N,...", required = true)]
    residents: String,
    /// An anchor time the incident does not record: determination=TIME,
    /// notice-to-individuals=TIME (also discovery, assessment, awareness). Repeatable.
    #[arg(long, value_name = "NAME=TIME")]
    anchor: Vec<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct View<'a> {
    reference: &'a str,
    anchors: std::collections::BTreeMap<String, String>,
    decisions: Decisions,
    obligations: &'a [Obligation],
}

#[derive(Serialize)]
struct Decisions {
    notify_authority: Option<bool>,
    notify_subjects: Option<bool>,
}

pub async fn run(a: ObligationsArgs, db: &Db, settings: &Settings, out: Out) -> Result<()> {
    let counts = parse_counts(&a.residents)?;
    let mut given = Vec::new();
    for text in &a.anchor {
        let (name, time) = text
            .split_once('=')
            .ok_or_else(|| Error::bad_input(format!("--anchor '{text}' is not NAME=TIME")))?;
        given.push((parse_anchor(name)?, clock::parse_time(time, settings.zone)?));
    }
    let r = for_incident(
        db,
        settings.playbook_dir.as_deref(),
        &a.reference,
        &counts,
        &given,
    )
    .await?;
    if a.json {
        let anchors = r
            .anchors
            .0
            .iter()
            .map(|(k, v)| (plain(k), clock::utc_text(*v)))
            .collect();
        return out.json(&View {
            reference: &r.incident.reference,
            anchors,
            decisions: Decisions {
                notify_authority: r.decisions.notify_authority,
                notify_subjects: r.decisions.notify_subjects,
            },
            obligations: &r.obligations,
        });
    }
    let zone = settings.zone;
    let rows = r
        .obligations
        .iter()
        .map(|o| {
            let due = match &o.due {
                Some(d) => {
                    let mut text = match (d.at, d.without_undue_delay) {
                        (Some(at), true) => format!("without undue delay; by {}", clock::human(at, zone)),
                        (Some(at), false) => clock::human(at, zone),
                        (None, _) => "without undue delay".to_string(),
                    };
                    if let Some(note) = &d.note {
                        text.push_str(&format!("\n({note})"));
                    }
                    text
                }
                None if matches!(o.status, Status::NotOwed | Status::NoRules) => "-".to_string(),
                None => format!(
                    "{}: record --anchor {}=TIME",
                    o.rule,
                    o.anchor.map(|a| plain(&a)).unwrap_or_default()
                ),
            };
            vec![
                format!("{} {}", o.jurisdiction, o.key),
                o.recipient.clone(),
                o.residents.to_string(),
                format!("{}: {}", plain(&o.status), o.reason),
                due,
            ]
        })
        .collect();
    out.say(format!("{} — {}", r.incident.reference, r.incident.title));
    out.table(&["Obligation", "To", "Residents", "Status", "Due"], rows);
    Ok(())
}

fn plain<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
