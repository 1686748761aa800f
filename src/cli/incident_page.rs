//! The text page of `incident show`.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::output::{Out, or_dash};
use crate::clock;
use crate::config::Settings;
use crate::incident::deadline::{AuthorityDeadline, ClockState};
use crate::incident::view::IncidentView;

/// The key/value page of `incident show`.
pub fn show(v: &IncidentView, settings: &Settings, out: Out) {
    let zone = settings.zone;
    let at = |t: Option<DateTime<Utc>>| or_dash(t.map(|t| clock::human(t, zone)));
    let mut deadline = v
        .authority_deadlines
        .iter()
        .map(|d| deadline_block(d, v.delay_reasons.is_some(), zone))
        .collect::<Vec<_>>()
        .join("\n");
    if deadline.is_empty() {
        deadline = "- (none known yet)".into();
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
        ("Based on", v.deadline_basis.describe()),
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

/// One regime's deadline: when, where it stands, under which rule, and what the record says.
fn deadline_block(d: &AuthorityDeadline, reasons_recorded: bool, zone: Tz) -> String {
    let mut lines = vec![
        d.due.map_or_else(
            || "no instant yet".to_string(),
            |t| clock::human_with_utc(t, zone),
        ),
        d.describe(),
        d.regime_and_rule(),
    ];
    if let Some(s) = &d.submission {
        lines.push(format!(
            "submitted {} to {} (reference {})",
            clock::human(s.submitted_at, zone),
            s.authority,
            s.reference
        ));
    }
    if d.late_declaration {
        lines.push("declared after the deadline had passed".into());
    }
    if d.delay_reasons_required {
        lines.push(if reasons_recorded {
            "reasons for the delay recorded".into()
        } else {
            "reasons for the delay are required: incident update --delay-reasons".into()
        });
    }
    lines.join("\n")
}

/// What `incident declare` says about one deadline: when it is due, or that it has passed.
pub fn declared_deadline(d: &AuthorityDeadline, reference: &str, zone: Tz) -> String {
    match (d.state, d.due) {
        (ClockState::Overdue, Some(due)) => format!(
            "LATE: the authority deadline passed at {} ({}). \
             Record the reasons with `breachdesk incident update {reference} --delay-reasons ...`.",
            clock::human(due, zone),
            d.regime_and_rule(),
        ),
        (_, Some(due)) => format!(
            "Authority notification due {}: {} ({}).",
            clock::human_with_utc(due, zone),
            d.describe(),
            d.regime_and_rule()
        ),
        (_, None) => format!(
            "Authority notification: {} ({}).",
            d.describe(),
            d.regime_and_rule()
        ),
    }
}

/// The JSON name of a unit enum (`open`, `malicious`), for tables.
pub fn serde_plain<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
