//! What an authority report says (GDPR Art. 33(3)), gathered from the incident, its affected
//! subjects (the numbers of `affected stats`), its latest assessment and its submissions.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Phase;
use crate::assess;
use crate::clock;
use crate::config::Settings;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::incident::{self, Incident};
use crate::jurisdiction;
use crate::resolve::{self, CategoryCount, KeyCount};

/// The report, in the order a supervisory authority's form asks for it. Its JSON form is what
/// `report authority --format json` prints and what `report submitted` keeps as the snapshot.
#[derive(Debug, Serialize)]
pub struct AuthorityReport {
    pub incident: String,
    pub title: String,
    pub phase: Phase,
    pub authority: Authority,
    pub organisation: Option<String>,
    #[serde(serialize_with = "clock::json_utc")]
    pub generated_at: DateTime<Utc>,
    pub nature: Nature,
    pub dpo: Dpo,
    pub likely_consequences: Option<String>,
    pub measures_taken: Option<String>,
    pub measures_proposed: Option<String>,
    pub timeline: Timeline,
    pub cross_border: CrossBorder,
    pub assessment: Option<AssessmentSummary>,
    /// The submission this report follows, if any.
    pub previous: Option<super::Submission>,
    /// What changed since `previous` (empty for a first report).
    pub changes: Vec<super::changes::Change>,
}

#[derive(Debug, Serialize)]
pub struct Authority {
    /// Jurisdiction code, e.g. `DE`; `null` when neither `--authority` nor the configuration
    /// names one.
    pub code: Option<String>,
    pub name: Option<String>,
}

/// Art. 33(3)(a).
#[derive(Debug, Serialize)]
pub struct Nature {
    pub description: Option<String>,
    pub breach_types: Vec<&'static str>,
    pub cause: &'static str,
    /// Approximate number of data subjects concerned: equal to `affected stats`.
    pub subjects: i64,
    /// Approximate number of personal data records concerned.
    pub records: i64,
    pub special_category_subjects: i64,
    pub categories: Vec<CategoryCount>,
    pub systems: Vec<KeyCount>,
}

/// Art. 33(3)(b).
#[derive(Debug, Serialize)]
pub struct Dpo {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Timeline {
    #[serde(serialize_with = "clock::json_utc_opt")]
    pub occurred_from: Option<DateTime<Utc>>,
    #[serde(serialize_with = "clock::json_utc_opt")]
    pub occurred_to: Option<DateTime<Utc>>,
    #[serde(serialize_with = "clock::json_utc_opt")]
    pub detected_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "clock::json_utc")]
    pub aware_at: DateTime<Utc>,
    /// The deadline of this authority's own rule for a first notification; `null` when it
    /// has none with an instant (yet).
    #[serde(serialize_with = "clock::json_utc_opt")]
    pub deadline: Option<DateTime<Utc>>,
    /// That rule in words, e.g. `European Union / EEA (GDPR): 72 hours after awareness`.
    pub deadline_rule: Option<String>,
    /// When the authority was (or is now being) first notified.
    #[serde(serialize_with = "clock::json_utc")]
    pub first_notified_at: DateTime<Utc>,
    /// First notified after `deadline`.
    pub late: bool,
    /// Required when `late` (GDPR Art. 33(1)).
    pub delay_reasons: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct CrossBorder {
    /// Affected subjects per country of residence (`null` key: unknown).
    pub countries: Vec<KeyCount>,
    pub jurisdictions: Vec<KeyCount>,
    /// More than one EU/EEA member state affected: the one-stop shop applies (Art. 56, 60).
    pub several_eea_states: bool,
    pub lead_authority: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AssessmentSummary {
    pub version: i32,
    pub method: String,
    pub band: Option<String>,
    /// ENISA severity score, e.g. 3.25.
    pub score: Option<f64>,
    pub notify_authority: bool,
    pub notify_subjects: bool,
    pub exemption: Option<String>,
    pub rationale: Option<String>,
    pub reasoning: String,
}

const EEA: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
    "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
];

/// An EU/EEA member state's code: one submission to the lead authority serves them all
/// (GDPR Art. 56, the one-stop shop).
pub fn is_eea(code: &str) -> bool {
    EEA.contains(&code)
}

/// Gathers the report. A report first made after the deadline of the authority's own rule
/// (GDPR: 72 hours) must carry the reasons for the delay: without them this refuses (bad
/// input), naming the rule and the command that records the reasons.
pub async fn build(
    db: &Db,
    settings: &Settings,
    reference: &str,
    phase: Phase,
    authority: Option<&str>,
) -> Result<AuthorityReport> {
    build_sent_at(db, settings, reference, phase, authority, None).await
}

/// The report as sent at `sent_at` (default now): a first notification made in time is not
/// late however much later it is recorded.
pub async fn build_sent_at(
    db: &Db,
    settings: &Settings,
    reference: &str,
    phase: Phase,
    authority: Option<&str>,
    sent_at: Option<DateTime<Utc>>,
) -> Result<AuthorityReport> {
    let inc = incident::find(db, reference).await?;
    let now = settings.now();
    let stats = resolve::stats(db, reference).await?;
    let previous = super::latest_submission(db, &inc, None).await?;
    let first = super::first_submission_at(db, &inc).await?;
    let code = authority
        .map(str::to_string)
        .or_else(|| settings.organisation.lead_authority.clone())
        .map(|c| c.trim().to_ascii_uppercase());
    let name = match &code {
        Some(c) => Some(authority_name(settings, c)?),
        None => None,
    };
    let ctx = incident::regimes::Context::load(settings)?;
    let rule = match &code {
        Some(c) => incident::regimes::deadline_for_authority(db, &ctx, &inc, c).await?,
        None => None,
    };
    let deadline = rule.as_ref().and_then(|r| r.due);
    let deadline_rule = rule.as_ref().map(|r| format!("{}: {}", r.regime_name, r.rule));
    let sent_at = sent_at.unwrap_or(now);
    let first_notified_at = first.map_or(sent_at, |f| f.min(sent_at));
    let late = deadline.is_some_and(|d| first_notified_at > d);
    if late && inc.delay_reasons.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(Error::bad_input(format!(
            "{}: the authority is notified {} after awareness, past the deadline of {}, \
             and the report must give the reasons for the delay: record them with \
             `breachdesk incident update {} --delay-reasons TEXT`",
            inc.reference,
            clock::human_span(first_notified_at - inc.aware_at),
            deadline_rule.as_deref().unwrap_or("its rule"),
            inc.reference
        )));
    }
    let current = assess::current(db, inc.id).await?;
    let several = stats
        .by_country
        .iter()
        .filter(|c| c.key.as_deref().is_some_and(|k| EEA.contains(&k)))
        .count()
        > 1;
    let mut report = AuthorityReport {
        incident: inc.reference.clone(),
        title: inc.title.clone(),
        phase,
        authority: Authority {
            code: code.clone(),
            name,
        },
        organisation: settings.organisation.name.clone(),
        generated_at: now,
        nature: nature(&inc, &stats),
        dpo: Dpo {
            name: inc.dpo_name.clone(),
            email: inc.dpo_email.clone(),
            phone: inc.dpo_phone.clone(),
        },
        likely_consequences: inc.likely_consequences.clone(),
        measures_taken: inc.measures_taken.clone(),
        measures_proposed: inc.measures_proposed.clone(),
        timeline: Timeline {
            occurred_from: inc.occurred_from,
            occurred_to: inc.occurred_to,
            detected_at: inc.detected_at,
            aware_at: inc.aware_at,
            deadline,
            deadline_rule,
            first_notified_at,
            late,
            delay_reasons: inc.delay_reasons.clone(),
        },
        cross_border: CrossBorder {
            countries: stats.by_country,
            jurisdictions: stats.by_jurisdiction,
            several_eea_states: several,
            lead_authority: settings.organisation.lead_authority.clone().or(code),
        },
        assessment: current.map(summary),
        previous: None,
        changes: Vec::new(),
    };
    if let Some(prev) = previous {
        let before: serde_json::Value = serde_json::from_str(&prev.snapshot).unwrap_or_default();
        let now_json = serde_json::to_value(&report).unwrap_or_default();
        report.changes = super::changes::diff(&before, &now_json);
        report.previous = Some(super::Submission::from(prev));
    }
    Ok(report)
}

fn nature(inc: &Incident, stats: &resolve::Stats) -> Nature {
    let mut types = Vec::new();
    for (on, name) in [
        (inc.breach_confidentiality, "confidentiality"),
        (inc.breach_integrity, "integrity"),
        (inc.breach_availability, "availability"),
    ] {
        if on {
            types.push(name);
        }
    }
    Nature {
        description: inc.nature.clone(),
        breach_types: types,
        cause: inc.cause.as_str(),
        subjects: stats.subjects,
        records: stats.records,
        special_category_subjects: stats.special_category_subjects,
        categories: stats
            .by_category
            .iter()
            .map(|c| CategoryCount {
                category: c.category,
                special: c.special,
                subjects: c.subjects,
            })
            .collect(),
        systems: stats
            .by_system
            .iter()
            .map(|s| KeyCount {
                key: s.key.clone(),
                subjects: s.subjects,
            })
            .collect(),
    }
}

fn summary(a: assess::Assessment) -> AssessmentSummary {
    let text = |v: serde_json::Value| v.as_str().map(str::to_string);
    AssessmentSummary {
        version: a.version,
        method: text(serde_json::to_value(a.method).unwrap_or_default()).unwrap_or_default(),
        band: a
            .band
            .and_then(|b| text(serde_json::to_value(b).unwrap_or_default())),
        score: a.score_quarters.map(|q| f64::from(q) / 4.0),
        notify_authority: a.notify_authority,
        notify_subjects: a.notify_subjects,
        exemption: a
            .exemption
            .and_then(|e| text(serde_json::to_value(e).unwrap_or_default())),
        rationale: a.rationale,
        reasoning: a.reasoning,
    }
}

/// The authority's name from the jurisdiction rules; an unknown code is bad input.
pub fn authority_name(settings: &Settings, code: &str) -> Result<String> {
    let (rules, _) = jurisdiction::load(settings.playbook_dir.as_deref())?;
    rules.get(code).map(|j| j.authority.name.clone()).ok_or_else(|| {
        Error::bad_input(format!(
            "unknown authority '{code}': give a jurisdiction code from `breachdesk jurisdiction list`, e.g. DE or GB"
        ))
    })
}
