//! The obligations of one incident: its anchor times and its current decisions, put to the
//! rules with the number of affected residents per jurisdiction. Until the inventory can count
//! the affected people per jurisdiction, the caller gives the counts.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};

use super::obligations::{Anchors, Decisions, Obligation, obligations};
use super::rules::Anchor;
use crate::assess;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::incident::{self, Incident};

/// What the obligations were computed from.
pub struct IncidentObligations {
    pub incident: Incident,
    pub anchors: Anchors,
    pub decisions: Decisions,
    pub obligations: Vec<Obligation>,
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
    counts: &BTreeMap<String, u64>,
    given: &[(Anchor, DateTime<Utc>)],
) -> Result<IncidentObligations> {
    let inc = incident::find(db, reference).await?;
    let current = assess::current(db, inc.id).await?;
    let mut anchors = BTreeMap::from([
        (Anchor::Awareness, inc.aware_at),
        (Anchor::Discovery, inc.detected_at.unwrap_or(inc.aware_at)),
    ]);
    if let Some(a) = &current {
        anchors.insert(Anchor::Assessment, a.assessed_at);
    }
    for (anchor, at) in given {
        anchors.insert(*anchor, *at);
    }
    let decisions = Decisions {
        notify_authority: current.as_ref().map(|a| a.notify_authority),
        notify_subjects: current.as_ref().map(|a| a.notify_subjects),
    };
    let (rules, _) = super::load(dir)?;
    let anchors = Anchors(anchors);
    let obligations = obligations(&rules, counts, &anchors, decisions);
    Ok(IncidentObligations {
        incident: inc,
        anchors,
        decisions,
        obligations,
    })
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
