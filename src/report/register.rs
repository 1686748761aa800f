//! The breach register (GDPR Art. 33(5)): every incident, notified or not, with its facts,
//! effects, remedial action, latest assessment and decision with rationale, and the dates of
//! its submissions to authorities. As CSV (safe to open in a spreadsheet), JSON or Markdown.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::Submission;
use super::render::md_cell;
use crate::assess;
use crate::clock;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::incident::{self, ListFilter};
use crate::resolve;
use crate::resolve::export::safe_cell;

/// One incident in the register.
#[derive(Debug, Serialize)]
pub struct Entry {
    pub reference: String,
    pub title: String,
    pub status: String,
    #[serde(serialize_with = "clock::json_utc")]
    pub aware_at: DateTime<Utc>,
    #[serde(serialize_with = "clock::json_utc_opt")]
    pub occurred_from: Option<DateTime<Utc>>,
    #[serde(serialize_with = "clock::json_utc_opt")]
    pub occurred_to: Option<DateTime<Utc>>,
    pub nature: Option<String>,
    pub cause: &'static str,
    /// Effects: the numbers of `affected stats`.
    pub subjects: i64,
    pub records: i64,
    pub categories: Vec<String>,
    pub likely_consequences: Option<String>,
    pub measures_taken: Option<String>,
    pub measures_proposed: Option<String>,
    pub assessment: Option<Decision>,
    pub delay_reasons: Option<String>,
    pub submissions: Vec<Submission>,
}

/// The latest assessment or decision, with its rationale.
#[derive(Debug, Serialize)]
pub struct Decision {
    pub version: i32,
    pub band: Option<String>,
    pub notify_authority: bool,
    pub notify_subjects: bool,
    pub exemption: Option<String>,
    pub rationale: Option<String>,
    pub reasoning: String,
    pub decided_by: String,
    #[serde(serialize_with = "clock::json_utc")]
    pub decided_at: DateTime<Utc>,
}

/// The register of the incidents the organisation became aware of between `from` and `to`
/// (both optional), oldest first.
pub async fn register(db: &Db, from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Result<Vec<Entry>> {
    let mut incidents = incident::list(db, ListFilter::All).await?;
    incidents.retain(|i| from.is_none_or(|f| i.aware_at >= f) && to.is_none_or(|t| i.aware_at <= t));
    incidents.sort_by_key(|i| (i.aware_at, i.ref_year, i.ref_seq));
    let mut out = Vec::with_capacity(incidents.len());
    for inc in incidents {
        let stats = resolve::stats(db, &inc.reference).await?;
        let current = assess::current(db, inc.id).await?;
        let text = |v: serde_json::Value| v.as_str().map(str::to_string);
        out.push(Entry {
            status: text(serde_json::to_value(inc.status).unwrap_or_default()).unwrap_or_default(),
            aware_at: inc.aware_at,
            occurred_from: inc.occurred_from,
            occurred_to: inc.occurred_to,
            cause: inc.cause.as_str(),
            subjects: stats.subjects,
            records: stats.records,
            categories: stats.by_category.iter().map(|c| c.category.to_string()).collect(),
            assessment: current.map(|a| Decision {
                version: a.version,
                band: a
                    .band
                    .and_then(|b| text(serde_json::to_value(b).unwrap_or_default())),
                notify_authority: a.notify_authority,
                notify_subjects: a.notify_subjects,
                exemption: a
                    .exemption
                    .and_then(|e| text(serde_json::to_value(e).unwrap_or_default())),
                rationale: a.rationale,
                reasoning: a.reasoning,
                decided_by: a.assessed_by,
                decided_at: a.assessed_at,
            }),
            submissions: super::submissions(db, inc.id).await?,
            reference: inc.reference,
            title: inc.title,
            nature: inc.nature,
            likely_consequences: inc.likely_consequences,
            measures_taken: inc.measures_taken,
            measures_proposed: inc.measures_proposed,
            delay_reasons: inc.delay_reasons,
        });
    }
    Ok(out)
}

/// The CSV columns of the register.
pub const CSV_HEADER: &[&str] = &[
    "reference",
    "title",
    "status",
    "aware_at",
    "occurred_from",
    "occurred_to",
    "nature",
    "cause",
    "subjects",
    "records",
    "categories",
    "likely_consequences",
    "measures_taken",
    "measures_proposed",
    "severity",
    "notify_authority",
    "notify_subjects",
    "exemption",
    "rationale",
    "decided_at",
    "delay_reasons",
    "submissions",
];

fn cells(e: &Entry, zone: Tz) -> Vec<String> {
    let t = |v: Option<DateTime<Utc>>| v.map(|t| clock::zoned_text(t, zone)).unwrap_or_default();
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
    let a = e.assessment.as_ref();
    vec![
        e.reference.clone(),
        e.title.clone(),
        e.status.clone(),
        t(Some(e.aware_at)),
        t(e.occurred_from),
        t(e.occurred_to),
        o(&e.nature),
        e.cause.to_string(),
        e.subjects.to_string(),
        e.records.to_string(),
        e.categories.join(", "),
        o(&e.likely_consequences),
        o(&e.measures_taken),
        o(&e.measures_proposed),
        a.and_then(|a| a.band.clone()).unwrap_or_default(),
        a.map(|a| yes(a.notify_authority))
            .unwrap_or_else(|| "undecided".into()),
        a.map(|a| yes(a.notify_subjects))
            .unwrap_or_else(|| "undecided".into()),
        a.and_then(|a| a.exemption.clone()).unwrap_or_default(),
        a.and_then(|a| a.rationale.clone()).unwrap_or_default(),
        t(a.map(|a| a.decided_at)),
        o(&e.delay_reasons),
        e.submissions
            .iter()
            .map(|s| {
                format!(
                    "{} {} {} ({})",
                    clock::zoned_text(s.submitted_at, zone),
                    s.authority,
                    s.phase.as_str(),
                    s.reference
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
    ]
}

/// The register as CSV; every cell a spreadsheet would evaluate is neutralised.
pub fn csv(entries: &[Entry], zone: Tz) -> Result<Vec<u8>> {
    let fail = |e: csv::Error| Error::failure(format!("cannot write the register: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER).map_err(fail)?;
    for e in entries {
        w.write_record(cells(e, zone).iter().map(|c| safe_cell(c)))
            .map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Error::failure(format!("cannot write the register: {e}")))
}

/// The register as Markdown: one section per incident.
pub fn markdown(entries: &[Entry], zone: Tz) -> String {
    let cell = md_cell;
    let mut s = format!(
        "# Breach register (GDPR Art. 33(5))\n\n{} incident(s).\n",
        entries.len()
    );
    for e in entries {
        s.push_str(&format!(
            "\n## {} — {}\n\n| | |\n|---|---|\n",
            cell(&e.reference),
            cell(&e.title)
        ));
        for (label, value) in CSV_HEADER.iter().zip(cells(e, zone)).skip(2) {
            s.push_str(&format!("| {} | {} |\n", label.replace('_', " "), cell(&value)));
        }
    }
    s
}
