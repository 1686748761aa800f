//! How an incident is shown: the stable JSON shape of `incident show/list --json`, and the
//! timeline.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::deadline::{self, AuthorityDeadline};
use super::regimes::{self, AuthorityClock, Basis, Context};
use crate::audit::EntryView;
use crate::clock;
use crate::db::Db;
use crate::db::entities::incident::{Cause, IncidentStatus, Model};
use crate::error::Result;

/// One incident with its clock, as of `now`. Field names and meanings are stable
/// (documented in docs/json.md).
#[derive(Debug, Serialize)]
pub struct IncidentView {
    pub reference: String,
    pub title: String,
    pub status: IncidentStatus,
    pub nature: Option<String>,
    pub cause: Cause,
    pub breach_types: Vec<&'static str>,
    #[serde(serialize_with = "clock::json_utc_opt")]
    pub occurred_from: Option<DateTime<Utc>>,
    #[serde(serialize_with = "clock::json_utc_opt")]
    pub occurred_to: Option<DateTime<Utc>>,
    #[serde(serialize_with = "clock::json_utc_opt")]
    pub detected_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "clock::json_utc")]
    pub aware_at: DateTime<Utc>,
    #[serde(serialize_with = "clock::json_utc")]
    pub declared_at: DateTime<Utc>,
    pub declared_by: String,
    pub playbook: Option<String>,
    pub dpo: Dpo,
    pub likely_consequences: Option<String>,
    pub measures_taken: Option<String>,
    pub measures_proposed: Option<String>,
    pub delay_reasons: Option<String>,
    #[serde(serialize_with = "clock::json_utc_opt")]
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<String>,
    #[serde(serialize_with = "clock::json_utc")]
    pub updated_at: DateTime<Utc>,
    /// The most pressing of `authority_deadlines`; `null` when there is none.
    pub authority_deadline: Option<AuthorityDeadline>,
    /// One per regime (EU/EEA states share one), most pressing first.
    pub authority_deadlines: Vec<AuthorityDeadline>,
    /// Which jurisdictions the deadlines were computed for, and why those.
    pub deadline_basis: Basis,
}

/// The contact point of GDPR Art. 33(3)(b): the DPO or another person who can tell more.
#[derive(Debug, Serialize)]
pub struct Dpo {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl IncidentView {
    /// The incident with its authority clock as of `now`.
    pub async fn read(db: &Db, ctx: &Context, m: Model, now: DateTime<Utc>, zone: Tz) -> Result<Self> {
        let clock = regimes::authority_clock(db, ctx, &m, now, zone).await?;
        Ok(IncidentView::new(m, clock))
    }

    pub fn new(m: Model, clock: AuthorityClock) -> Self {
        let breach_types = [
            (m.breach_confidentiality, "confidentiality"),
            (m.breach_integrity, "integrity"),
            (m.breach_availability, "availability"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
        IncidentView {
            reference: m.reference,
            title: m.title,
            status: m.status,
            nature: m.nature,
            cause: m.cause,
            breach_types,
            occurred_from: m.occurred_from,
            occurred_to: m.occurred_to,
            detected_at: m.detected_at,
            aware_at: m.aware_at,
            declared_at: m.declared_at,
            declared_by: m.declared_by,
            playbook: m.playbook,
            dpo: Dpo {
                name: m.dpo_name,
                email: m.dpo_email,
                phone: m.dpo_phone,
            },
            likely_consequences: m.likely_consequences,
            measures_taken: m.measures_taken,
            measures_proposed: m.measures_proposed,
            delay_reasons: m.delay_reasons,
            closed_at: m.closed_at,
            closed_by: m.closed_by,
            updated_at: m.updated_at,
            authority_deadline: deadline::headline(&clock.deadlines).cloned(),
            authority_deadlines: clock.deadlines,
            deadline_basis: clock.basis,
        }
    }
}

/// One moment in an incident's story.
#[derive(Debug, Serialize)]
pub struct TimelineEntry {
    /// RFC 3339 in UTC.
    #[serde(serialize_with = "clock::json_utc")]
    pub at: DateTime<Utc>,
    /// `fact` for what happened (from the incident's own dates), `deadline` for what is due,
    /// `record` for what was done in breachdesk (from the audit log).
    pub kind: &'static str,
    pub what: String,
    pub by: Option<String>,
}

/// The incident's dates, its authority deadlines and the audit entries about it, oldest first.
pub fn timeline(m: &Model, deadlines: &[AuthorityDeadline], audit: Vec<EntryView>) -> Vec<TimelineEntry> {
    let fact = |at: DateTime<Utc>, kind: &'static str, what: String| TimelineEntry {
        at,
        kind,
        what,
        by: None,
    };
    let mut entries = Vec::new();
    if let Some(t) = m.occurred_from {
        entries.push(fact(t, "fact", "breach began".into()));
    }
    if let Some(t) = m.occurred_to {
        entries.push(fact(t, "fact", "breach ended".into()));
    }
    if let Some(t) = m.detected_at {
        entries.push(fact(t, "fact", "detected".into()));
    }
    entries.push(fact(m.aware_at, "fact", "organisation aware".into()));
    for d in deadlines {
        if let Some(due) = d.due {
            entries.push(fact(
                due,
                "deadline",
                format!("authority notification due ({})", d.regime_and_rule()),
            ));
        }
    }
    for e in audit {
        let at = chrono::DateTime::parse_from_rfc3339(&e.at)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(m.declared_at);
        entries.push(TimelineEntry {
            at,
            kind: "record",
            what: describe_entry(&e),
            by: Some(e.actor),
        });
    }
    entries.sort_by_key(|e| e.at);
    entries
}

/// `incident.update` with changed fields becomes `updated measures_taken, nature`.
fn describe_entry(e: &EntryView) -> String {
    let verb = e.action.rsplit('.').next().unwrap_or(&e.action);
    let fields: Vec<&str> = e
        .details
        .get("changed")
        .and_then(|c| c.as_object())
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let detail = |key: &str| {
        e.details
            .get(key)
            .map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
    };
    match e.action.as_str() {
        "incident.scope" => return format!("scope: {} exposed", detail("system").unwrap_or_default()),
        "incident.scope.remove" => {
            return format!("scope: {} taken out", detail("system").unwrap_or_default());
        }
        "assessment.record" | "assessment.decide" => {
            let yes_no = |key: &str| match e.details.get(key).and_then(|v| v.as_bool()) {
                Some(true) => "yes",
                Some(false) => "no",
                None => "?",
            };
            let what = if e.action == "assessment.record" {
                format!(
                    "severity assessed (ENISA): {} {}; decided",
                    detail("band").unwrap_or_default().replace('_', " "),
                    detail("score").unwrap_or_default()
                )
            } else {
                "decision recorded:".to_string()
            };
            return format!(
                "{what} notify the authority {}, the people {}",
                yes_no("notify_authority"),
                yes_no("notify_subjects")
            );
        }
        "tasks.instantiate" => {
            return format!(
                "{} task(s) from the {} playbook",
                detail("tasks").unwrap_or_default(),
                detail("playbook").unwrap_or_default()
            );
        }
        "task.done" => return format!("task done: {}", detail("task").unwrap_or_default()),
        "report.submitted" => {
            return format!(
                "{} report submitted to {} (reference {})",
                detail("phase").unwrap_or_default(),
                detail("authority").unwrap_or_default(),
                detail("reference").unwrap_or_default()
            );
        }
        "letters.render" => {
            return format!(
                "letters written: {} by email, {} on paper",
                detail("added_email").unwrap_or_default(),
                detail("added_postal").unwrap_or_default()
            );
        }
        "affected.resolve" => {
            return format!(
                "affected subjects resolved: {}",
                detail("subjects").unwrap_or_default()
            );
        }
        _ => {}
    }
    match verb {
        "declare" => "declared in breachdesk".to_string(),
        "update" if !fields.is_empty() => format!("updated {}", fields.join(", ")),
        "close" => "closed".to_string(),
        "reopen" => "reopened".to_string(),
        _ => e.action.clone(),
    }
}
