//! The stable JSON shape of `incident assessments --json`.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::enisa::quarters_value;
use crate::clock;
use crate::db::entities::assessment::{Band, Exemption, Method, Model};

/// One assessment or decision.
#[derive(Debug, Serialize)]
pub struct AssessmentView {
    pub version: i32,
    pub method: Method,
    /// The latest assessment rules.
    pub current: bool,
    /// The ENISA score; null for a decision recorded directly.
    pub severity: Option<SeverityView>,
    pub proposed: Option<Decisions>,
    pub decided: DecisionView,
    /// The reasoning behind the proposal, one point per entry.
    pub reasoning: Vec<String>,
    /// The answers as given (null for a decision recorded directly).
    pub inputs: Option<serde_json::Value>,
    pub assessed_by: String,
    #[serde(serialize_with = "clock::json_utc")]
    pub assessed_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct SeverityView {
    pub dpc: i32,
    pub ei: f64,
    pub cb: f64,
    pub score: f64,
    pub band: Band,
}

#[derive(Debug, Serialize)]
pub struct Decisions {
    pub notify_authority: bool,
    pub notify_subjects: bool,
}

#[derive(Debug, Serialize)]
pub struct DecisionView {
    pub notify_authority: bool,
    pub notify_subjects: bool,
    pub exemption: Option<Exemption>,
    pub overridden: bool,
    pub rationale: Option<String>,
}

impl AssessmentView {
    pub fn new(m: Model, current: bool) -> Self {
        let severity = match (m.dpc, m.ei_quarters, m.cb_quarters, m.score_quarters, m.band) {
            (Some(dpc), Some(ei), Some(cb), Some(score), Some(band)) => Some(SeverityView {
                dpc,
                ei: quarters_value(ei),
                cb: quarters_value(cb),
                score: quarters_value(score),
                band,
            }),
            _ => None,
        };
        let proposed = match (m.proposed_authority, m.proposed_subjects) {
            (Some(a), Some(s)) => Some(Decisions {
                notify_authority: a,
                notify_subjects: s,
            }),
            _ => None,
        };
        let inputs = match m.method {
            Method::Enisa2013 => serde_json::from_str(&m.inputs).ok(),
            Method::Decision => None,
        };
        AssessmentView {
            version: m.version,
            method: m.method,
            current,
            severity,
            proposed,
            decided: DecisionView {
                notify_authority: m.notify_authority,
                notify_subjects: m.notify_subjects,
                exemption: m.exemption,
                overridden: m.overridden,
                rationale: m.rationale,
            },
            reasoning: m
                .reasoning
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            inputs,
            assessed_by: m.assessed_by,
            assessed_at: m.assessed_at,
        }
    }

    /// Views of a list ordered oldest first: the last is current.
    pub fn all(models: Vec<Model>) -> Vec<AssessmentView> {
        let n = models.len();
        models
            .into_iter()
            .enumerate()
            .map(|(i, m)| AssessmentView::new(m, i + 1 == n))
            .collect()
    }
}
