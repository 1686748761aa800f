//! The obligations of one incident: its anchor times and its current decisions, put to the
//! rules with the number of affected residents per jurisdiction, counted from the affected
//! subjects (or given by the caller as an override); each marked done when a submission to
//! that authority is recorded.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};

use serde::Serialize;

use super::obligations::{Anchors, Decisions, Obligation, obligations};
use super::rules::{Anchor, Recipient};
use crate::assess;
use crate::db::Db;
use crate::error::{DbContext, Error, Result};
use crate::incident::{self, Incident};
use crate::report::{self, Submission};

/// What the obligations were computed from.
pub struct IncidentObligations {
    pub incident: Incident,
    pub anchors: Anchors,
    pub decisions: Decisions,
    /// Where the counts came from: `affected_subjects` or `given`.
    pub counted_from: &'static str,
    pub obligations: Vec<Tracked>,
}

/// An obligation and whether it has been met.
#[derive(Debug, Clone, Serialize)]
pub struct Tracked {
    #[serde(flatten)]
    pub obligation: Obligation,
    /// A submission to this authority is recorded (`report submitted`). Only notices to an
    /// authority are tracked so far: the others stay `false`.
    pub done: bool,
    /// The latest submission that meets it.
    pub submission: Option<Submission>,
}

/// Reads `DE=1200,US-CA=600` (codes in any case; a code given twice is an error).
pub fn parse_counts(text: &str) -> Result<BTreeMap<String, u64>> {
    let mut counts = BTreeMap::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (code, n) = part.split_once('=').ok_or_else(|| {
            Error::bad_input(format!("'{part}' is not CODE=COUNT, e.g. DE=1200 or US-CA=600"))
        })?;
        let n: u64 = n
            .trim()
            .replace('_', "")
            .parse()
            .map_err(|_| Error::bad_input(format!("'{part}': the count must be a whole number")))?;
        let code = code.trim().to_ascii_uppercase();
        if counts.insert(code.clone(), n).is_some() {
            return Err(Error::bad_input(format!("{code} is given twice")));
        }
    }
    Ok(counts)
}

/// Reads an anchor name (`discovery`, `notice-to-individuals`).
pub fn parse_anchor(name: &str) -> Result<Anchor> {
    serde_json::from_value(serde_json::Value::String(name.trim().to_ascii_lowercase().replace('_', "-")))
        .map_err(|_| {
            Error::bad_input(format!(
                "unknown anchor '{name}': use awareness, discovery, determination, assessment or notice-to-individuals"
            ))
        })
}

/// The incident's obligations. Anchors: awareness from the incident; discovery from its
/// detection time, else its awareness; assessment from its latest assessment; `given` ones
/// replace or add to these.
pub async fn for_incident(
    db: &Db,
    dir: Option<&Path>,
    reference: &str,
    counts: Option<&BTreeMap<String, u64>>,
    lead: Option<&str>,
    hipaa: bool,
    given: &[(Anchor, DateTime<Utc>)],
) -> Result<IncidentObligations> {
    let inc = incident::find(db, reference).await?;
    let (counts, counted_from) = match counts {
        Some(c) => (c.clone(), "given"),
        None => (
            crate::db::report::residents_by_jurisdiction(&db.conn, inc.id, hipaa).await?,
            "affected_subjects",
        ),
    };
    let (mut anchors, decisions) = anchors_and_decisions(db, &inc).await?;
    for (anchor, at) in given {
        anchors.0.insert(*anchor, *at);
    }
    let (rules, _) = super::load(dir)?;
    let submissions = report::submissions(db, inc.id).await?;
    let lead = lead.map(str::to_ascii_uppercase);
    let obligations = obligations(&rules, &counts, &anchors, decisions)
        .into_iter()
        .map(|o| {
            let submission = match o.to {
                Some(Recipient::Authority) => submissions
                    .iter()
                    .rev()
                    .find(|s| meets(&s.authority, &o.jurisdiction, lead.as_deref()))
                    .cloned(),
                _ => None,
            };
            Tracked {
                done: submission.is_some(),
                submission,
                obligation: o,
            }
        })
        .collect();
    Ok(IncidentObligations {
        incident: inc,
        anchors,
        decisions,
        counted_from,
        obligations,
    })
}

/// The incident's anchor times and its current decisions, from the record: awareness from the
/// incident; discovery from its detection time, else its awareness; assessment from its
/// latest assessment; the notice to individuals from the first letter sent.
pub async fn anchors_and_decisions(db: &Db, inc: &Incident) -> Result<(Anchors, Decisions)> {
    let current = assess::current(db, inc.id).await?;
    let mut anchors = BTreeMap::from([
        (Anchor::Awareness, inc.aware_at),
        (Anchor::Discovery, inc.detected_at.unwrap_or(inc.aware_at)),
    ]);
    if let Some(a) = &current {
        anchors.insert(Anchor::Assessment, a.assessed_at);
    }
    if let Some(at) = first_letter_sent_at(db, inc.id).await? {
        anchors.insert(Anchor::NoticeToIndividuals, at);
    }
    let decisions = Decisions {
        notify_authority: current.as_ref().map(|a| a.notify_authority),
        notify_subjects: current.as_ref().map(|a| a.notify_subjects),
    };
    Ok((Anchors(anchors), decisions))
}

async fn first_letter_sent_at(db: &Db, incident_id: i64) -> Result<Option<DateTime<Utc>>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

    use crate::db::entities::notification;
    notification::Entity::find()
        .select_only()
        .column_as(notification::Column::SentAt.min(), "first")
        .filter(notification::Column::IncidentId.eq(incident_id))
        .into_tuple::<Option<DateTime<Utc>>>()
        .one(&db.conn)
        .await
        .context("reading when the first letter was sent")
        .map(Option::flatten)
}

/// A submission to `authority` meets `jurisdiction`'s notice to its authority: the same code,
/// or, for an EU/EEA state, the lead authority (the one-stop shop, GDPR Art. 56).
pub fn meets(authority: &str, jurisdiction: &str, lead: Option<&str>) -> bool {
    authority == jurisdiction || (report::content::is_eea(jurisdiction) && lead == Some(authority))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_anchors_parse() {
        let c = parse_counts("de=1200, US-CA=600,").unwrap();
        assert_eq!(c.get("DE"), Some(&1200));
        assert_eq!(c.get("US-CA"), Some(&600));
        assert!(parse_counts("DE").is_err());
        assert!(parse_counts("DE=x").is_err());
        assert!(parse_counts("DE=1,de=2").is_err());
        assert_eq!(
            parse_anchor("notice_to_individuals").unwrap(),
            Anchor::NoticeToIndividuals
        );
        assert!(parse_anchor("sunrise").is_err());
    }
}
