//! What is owed, to whom, by when: from the number of affected residents per jurisdiction,
//! the incident's anchor times and its notification decisions. Pure: the caller gathers the
//! counts (from the affected subjects) and the decisions (from the latest assessment).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::deadline::{self, Due};
use super::rules::{Anchor, Confidence, Recipient, Rules, Test, Threshold};

/// The incident's anchor times; a missing one leaves the deadlines that run from it open.
#[derive(Debug, Clone, Default)]
pub struct Anchors(pub BTreeMap<Anchor, DateTime<Utc>>);

/// The incident's current decisions; `None` while undecided.
#[derive(Debug, Clone, Copy, Default)]
pub struct Decisions {
    pub notify_authority: Option<bool>,
    pub notify_subjects: Option<bool>,
}

/// Whether an obligation is owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Owed,
    NotOwed,
    /// Depends on the incident's decision, not yet recorded.
    AwaitingDecision,
    /// Depends on the jurisdiction's own test (e.g. RROSH), which only a person can apply.
    NeedsDetermination,
    /// No rules for this jurisdiction code.
    NoRules,
}

/// One notification that may be owed.
#[derive(Debug, Clone, Serialize)]
pub struct Obligation {
    pub jurisdiction: String,
    pub jurisdiction_name: String,
    pub key: String,
    pub to: Option<Recipient>,
    pub recipient: String,
    pub what: String,
    pub residents: u64,
    pub status: Status,
    pub reason: String,
    pub threshold: Option<String>,
    pub test: Option<Test>,
    pub anchor: Option<Anchor>,
    pub rule: String,
    pub due: Option<Due>,
    pub confidence: Option<Confidence>,
}

/// Every obligation for the jurisdictions with affected residents.
pub fn obligations(
    rules: &Rules,
    counts: &BTreeMap<String, u64>,
    anchors: &Anchors,
    decisions: Decisions,
) -> Vec<Obligation> {
    let mut out = Vec::new();
    for (code, &residents) in counts.iter().filter(|(_, n)| **n > 0) {
        let Some(j) = rules.get(code) else {
            out.push(Obligation {
                jurisdiction: code.clone(),
                jurisdiction_name: code.clone(),
                key: "-".into(),
                to: None,
                recipient: "-".into(),
                what: "no rules for this jurisdiction: check its law by hand".into(),
                residents,
                status: Status::NoRules,
                reason: format!("{code} is not in jurisdictions.toml"),
                threshold: None,
                test: None,
                anchor: None,
                rule: "-".into(),
                due: None,
                confidence: None,
            });
            continue;
        };
        for o in &j.obligations {
            let threshold_met = o.threshold.is_none_or(|t| t.met_by(residents));
            let test = match o.test {
                Test::None => Some(true),
                Test::Risk => decisions.notify_authority,
                Test::HighRisk => decisions.notify_subjects,
                Test::Regime => None,
            };
            let (status, reason) = decide(
                o.threshold,
                threshold_met,
                o.threshold_or_test,
                o.test,
                test,
                residents,
            );
            let due = match status {
                Status::NotOwed => None,
                _ => anchors
                    .0
                    .get(&o.anchor)
                    .map(|at| deadline::compute(&o.deadline, *at, j.zone, &rules.calendars)),
            };
            let recipient = match o.to {
                Recipient::Authority => j.authority.name.clone(),
                Recipient::Individuals => "the affected individuals".into(),
                Recipient::Media => "the media".into(),
                Recipient::CreditAgencies => "the consumer reporting agencies".into(),
                Recipient::Organisation => "the organisation itself".into(),
            };
            out.push(Obligation {
                jurisdiction: j.code.clone(),
                jurisdiction_name: j.name.clone(),
                key: o.key.clone(),
                to: Some(o.to),
                recipient,
                what: o.what.clone(),
                residents,
                status,
                reason,
                threshold: o.threshold.map(Threshold::describe),
                test: Some(o.test),
                anchor: Some(o.anchor),
                rule: deadline::describe(&o.deadline),
                due,
                confidence: Some(o.confidence),
            });
        }
    }
    out
}

fn decide(
    threshold: Option<Threshold>,
    threshold_met: bool,
    either: bool,
    test: Test,
    outcome: Option<bool>,
    residents: u64,
) -> (Status, String) {
    let limit = threshold.map(Threshold::describe).unwrap_or_default();
    let pending = |test: Test| match test {
        Test::Regime => (
            Status::NeedsDetermination,
            "depends on the jurisdiction's own test".to_string(),
        ),
        _ => (
            Status::AwaitingDecision,
            "depends on the incident's notification decision".to_string(),
        ),
    };
    if either {
        return match (threshold_met, outcome) {
            (true, _) => (Status::Owed, format!("{residents} residents: {limit}")),
            (false, Some(true)) => (Status::Owed, "the test is met".into()),
            (false, Some(false)) => (
                Status::NotOwed,
                format!("{residents} residents, not {limit}, and the test is not met"),
            ),
            (false, None) => pending(test),
        };
    }
    if !threshold_met {
        return (Status::NotOwed, format!("{residents} residents: not {limit}"));
    }
    match outcome {
        Some(true) => (
            Status::Owed,
            match test {
                Test::None if threshold.is_some() => format!("{residents} residents: {limit}"),
                Test::None => "residents affected".into(),
                Test::Risk => "the incident's decision: notify the authority".into(),
                Test::HighRisk => "the incident's decision: tell the people".into(),
                Test::Regime => "the test is met".into(),
            },
        ),
        Some(false) => (
            Status::NotOwed,
            match test {
                Test::Risk => "the incident's decision: do not notify the authority".into(),
                _ => "the incident's decision: do not tell the people".into(),
            },
        ),
        None => pending(test),
    }
}
