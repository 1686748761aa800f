//! The text page of `incident show`.

use chrono::{DateTime, Utc};

use super::output::{Out, or_dash};
use crate::clock;
use crate::config::Settings;
use crate::incident::view::IncidentView;

/// The key/value page of `incident show`.
pub fn show(v: &IncidentView, settings: &Settings, out: Out) {
    let zone = settings.zone;
    let at = |t: Option<DateTime<Utc>>| or_dash(t.map(|t| clock::human(t, zone)));
    let d = &v.authority_deadline;
    let mut deadline = format!("{}\n{}", clock::human_with_utc(d.due, zone), d.describe());
    if d.late_declaration {
        deadline.push_str("\ndeclared after the deadline had passed");
    }
    if d.delay_reasons_required {
        deadline.push_str(match v.delay_reasons {
            Some(_) => "\nreasons for the delay recorded",
            None => "\nreasons for the delay are required: incident update --delay-reasons",
        });
    }
    let dpo = [
        v.dpo.name.as_deref(),
        v.dpo.email.as_deref(),
        v.dpo.phone.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    out.fields(&[
        ("Reference", v.reference.clone()),
        ("Title", v.title.clone()),
        ("Status", serde_plain(&v.status)),
        ("Nature", or_dash(v.nature.as_ref())),
        ("Cause", serde_plain(&v.cause)),
        (
            "Breach types",
            if v.breach_types.is_empty() {
                "-".into()
            } else {
                v.breach_types.join(", ")
            },
        ),
        (
            "Occurred",
            format!("{} to {}", at(v.occurred_from), at(v.occurred_to)),
        ),
        ("Detected", at(v.detected_at)),
        ("Aware", at(Some(v.aware_at))),
        (
            "Declared",
            format!("{} by {}", at(Some(v.declared_at)), v.declared_by),
        ),
        ("Authority due", deadline),
        (
            "Contact point",
            if dpo.is_empty() {
                "- (incident update --dpo-name/--dpo-email)".into()
            } else {
                dpo
            },
        ),
        ("Consequences", or_dash(v.likely_consequences.as_ref())),
        ("Measures taken", or_dash(v.measures_taken.as_ref())),
        ("Measures proposed", or_dash(v.measures_proposed.as_ref())),
        ("Delay reasons", or_dash(v.delay_reasons.as_ref())),
        ("Playbook", or_dash(v.playbook.as_ref())),
    ]);
    if v.closed_at.is_some() {
        out.fields(&[(
            "Closed",
            format!("{} by {}", at(v.closed_at), or_dash(v.closed_by.as_ref())),
        )]);
    }
}

/// The JSON name of a unit enum (`open`, `malicious`), for tables.
pub fn serde_plain<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
