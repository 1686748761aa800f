//! `breachdesk incident obligations REF`: every notification owed, to whom, by when, done or
//! not, from the jurisdictions of the people affected (or `--residents CODE=N,...`).

use clap::Args;
use serde::Serialize;

use super::output::Out;
use crate::clock;
use crate::config::Settings;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::jurisdiction::Status;
use crate::jurisdiction::incident::{Tracked, for_incident, parse_anchor, parse_counts};

#[derive(Debug, Args)]
pub struct ObligationsArgs {
    reference: String,
    /// Override the counts of affected residents per jurisdiction, e.g. DE=1200,US-CA=600
    /// (by default they are counted from the affected subjects: `affected resolve` first).
    #[arg(long, value_name = "CODE=N,...")]
    residents: Option<String>,
    /// The organisation is a HIPAA covered entity: count affected US residents with health
    /// data under US-HIPAA too (also `hipaa_covered_entity = true` under [organisation]).
    #[arg(long)]
    hipaa: bool,
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
    counted_from: &'a str,
    obligations: &'a [Tracked],
}

#[derive(Serialize)]
struct Decisions {
    notify_authority: Option<bool>,
    notify_subjects: Option<bool>,
}

pub async fn run(a: ObligationsArgs, db: &Db, settings: &Settings, out: Out) -> Result<()> {
    let counts = a.residents.as_deref().map(parse_counts).transpose()?;
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
        counts.as_ref(),
        settings.organisation.lead_authority.as_deref(),
        a.hipaa || settings.organisation.hipaa_covered_entity,
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
            counted_from: r.counted_from,
            obligations: &r.obligations,
        });
    }
    let zone = settings.zone;
    let rows = r
        .obligations
        .iter()
        .map(|t| {
            let o = &t.obligation;
            let done = match &t.submission {
                Some(s) => format!("yes: {} {}", clock::human(s.submitted_at, zone), s.reference),
                None if matches!(o.status, Status::NotOwed | Status::NoRules) => "-".to_string(),
                None => "no".to_string(),
            };
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
                done,
            ]
        })
        .collect();
    out.say(format!("{} — {}", r.incident.reference, r.incident.title));
    if r.obligations.is_empty() {
        out.say("No affected residents with a known jurisdiction: resolve the affected subjects first (`breachdesk affected resolve`).");
    }
    out.table(&["Obligation", "To", "Residents", "Status", "Due", "Done"], rows);
    Ok(())
}

fn plain<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
