//! Assessing a breach and deciding whom to notify. An assessment scores severity with the
//! ENISA 2013 method, proposes the decisions by the configured policy, and records what the
//! user decided, with a rationale when it departs from the proposal. A decision can also be
//! recorded directly. Every assessment is kept, versioned; the latest rules.

pub mod answers;
pub mod enisa;
pub mod policy;
pub mod view;

#[cfg(test)]
mod scenarios;

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::json;

use crate::audit;
use crate::config::Settings;
use crate::db::Db;
use crate::db::entities::assessment::{self, Method};
pub use crate::db::entities::assessment::{Exemption, Model as Assessment};
use crate::error::{DbContext, Error, Result};
use crate::incident;
use answers::Answers;
use enisa::Severity;
use policy::{Policy, Proposal};

/// A scored assessment with its proposal, before the user decides.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub answers: Answers,
    pub severity: Severity,
    pub proposal: Proposal,
}

/// Scores the answers and proposes the decisions.
pub fn evaluate(answers: Answers, policy: &Policy) -> Result<Evaluation> {
    let dpc = answers.dpc.score()?;
    let severity = Severity::compute(dpc, answers.ease, &answers.circumstances);
    let proposal = policy::propose(policy, &severity, &answers);
    Ok(Evaluation {
        answers,
        severity,
        proposal,
    })
}

/// What the user makes of a proposal.
#[derive(Debug, Clone, Default)]
pub struct Confirmation {
    /// `None` keeps the proposal.
    pub authority: Option<bool>,
    pub subjects: Option<bool>,
    /// The Art. 34(3) exemption relied on; `None` keeps the proposal's.
    pub exemption: Option<Exemption>,
    /// Required when the decision departs from the proposal.
    pub rationale: Option<String>,
}

/// A decision recorded directly.
#[derive(Debug, Clone)]
pub struct Decision {
    pub notify_authority: bool,
    pub notify_subjects: bool,
    pub exemption: Option<Exemption>,
    pub rationale: String,
}

/// Records an evaluated assessment with the user's confirmation or override.
pub async fn record(
    db: &Db,
    settings: &Settings,
    reference: &str,
    evaluation: &Evaluation,
    confirmation: Confirmation,
) -> Result<Assessment> {
    let p = &evaluation.proposal;
    let notify_authority = confirmation.authority.unwrap_or(p.notify_authority);
    let notify_subjects = confirmation.subjects.unwrap_or(p.notify_subjects);
    let exemption = match confirmation.exemption {
        Some(e) => Some(e),
        None if !notify_subjects => p.exemption,
        None => None,
    };
    let rationale = confirmation
        .rationale
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    let overridden = notify_authority != p.notify_authority
        || notify_subjects != p.notify_subjects
        || exemption != p.exemption;
    if overridden && rationale.is_none() {
        return Err(Error::bad_input(
            "the decision departs from the proposal: give the reasons with --rationale TEXT",
        ));
    }
    check_exemption(notify_subjects, exemption)?;
    let s = &evaluation.severity;
    let row = Row {
        method: Method::Enisa2013,
        inputs: serde_json::to_string(&evaluation.answers)
            .map_err(|e| Error::failure(format!("cannot record the answers: {e}")))?,
        severity: Some(*s),
        proposal: Some((p.notify_authority, p.notify_subjects)),
        reasoning: p.reasoning.join("\n"),
        notify_authority,
        notify_subjects,
        exemption,
        overridden,
        rationale,
    };
    insert(db, settings, reference, row).await
}

/// Records a decision directly, without a scored assessment.
pub async fn decide(db: &Db, settings: &Settings, reference: &str, d: Decision) -> Result<Assessment> {
    let rationale = d.rationale.trim().to_string();
    if rationale.is_empty() {
        return Err(Error::bad_input(
            "a decision needs its rationale: --rationale TEXT",
        ));
    }
    check_exemption(d.notify_subjects, d.exemption)?;
    let row = Row {
        method: Method::Decision,
        inputs: "{}".to_string(),
        severity: None,
        proposal: None,
        reasoning: String::new(),
        notify_authority: d.notify_authority,
        notify_subjects: d.notify_subjects,
        exemption: d.exemption,
        overridden: false,
        rationale: Some(rationale),
    };
    insert(db, settings, reference, row).await
}

/// The assessments of an incident, oldest first; the last one rules.
pub async fn list(db: &Db, incident_id: i64) -> Result<Vec<Assessment>> {
    assessment::Entity::find()
        .filter(assessment::Column::IncidentId.eq(incident_id))
        .order_by_asc(assessment::Column::Version)
        .all(&db.conn)
        .await
        .context("reading the assessments")
}

/// The assessment that rules: the latest.
pub async fn current(db: &Db, incident_id: i64) -> Result<Option<Assessment>> {
    assessment::Entity::find()
        .filter(assessment::Column::IncidentId.eq(incident_id))
        .order_by_desc(assessment::Column::Version)
        .one(&db.conn)
        .await
        .context("reading the assessments")
}

fn check_exemption(notify_subjects: bool, exemption: Option<Exemption>) -> Result<()> {
    if notify_subjects && exemption.is_some() {
        return Err(Error::bad_input(
            "an Art. 34(3) exemption is a reason not to tell the people: it cannot go with notifying them",
        ));
    }
    Ok(())
}

struct Row {
    method: Method,
    inputs: String,
    severity: Option<Severity>,
    proposal: Option<(bool, bool)>,
    reasoning: String,
    notify_authority: bool,
    notify_subjects: bool,
    exemption: Option<Exemption>,
    overridden: bool,
    rationale: Option<String>,
}

async fn insert(db: &Db, settings: &Settings, reference: &str, row: Row) -> Result<Assessment> {
    let incident = incident::find(db, reference).await?;
    let now = settings.now();
    let rec = audit::begin(db, &settings.actor, now).await?;
    let last: Option<i32> = assessment::Entity::find()
        .select_only()
        .column_as(assessment::Column::Version.max(), "max")
        .filter(assessment::Column::IncidentId.eq(incident.id))
        .into_tuple()
        .one(rec.txn())
        .await
        .context("numbering the assessment")?
        .flatten();
    let version = last.unwrap_or(0) + 1;
    let s = row.severity;
    let model = assessment::ActiveModel {
        incident_id: Set(incident.id),
        version: Set(version),
        method: Set(row.method),
        inputs: Set(row.inputs),
        dpc: Set(s.map(|s| s.dpc)),
        ei_quarters: Set(s.map(|s| s.ei_quarters)),
        cb_quarters: Set(s.map(|s| s.cb_quarters)),
        score_quarters: Set(s.map(|s| s.score_quarters)),
        band: Set(s.map(|s| s.band)),
        proposed_authority: Set(row.proposal.map(|p| p.0)),
        proposed_subjects: Set(row.proposal.map(|p| p.1)),
        reasoning: Set(row.reasoning),
        notify_authority: Set(row.notify_authority),
        notify_subjects: Set(row.notify_subjects),
        exemption: Set(row.exemption),
        overridden: Set(row.overridden),
        rationale: Set(row.rationale),
        assessed_by: Set(settings.actor.clone()),
        assessed_at: Set(now),
        ..Default::default()
    }
    .insert(rec.txn())
    .await
    .context("recording the assessment")?;
    let action = match model.method {
        Method::Enisa2013 => "assessment.record",
        Method::Decision => "assessment.decide",
    };
    rec.record(
        action,
        &format!("assessment:{}/{}", incident.reference, version),
        Some(&incident.reference),
        json!({
            "version": version,
            "method": model.method,
            "score": s.map(|s| enisa::quarters_value(s.score_quarters)),
            "band": model.band,
            "proposed": row.proposal.map(|(a, b)| json!({"notify_authority": a, "notify_subjects": b})),
            "notify_authority": model.notify_authority,
            "notify_subjects": model.notify_subjects,
            "exemption": model.exemption,
            "overridden": model.overridden,
            "rationale": model.rationale,
        }),
    )
    .await?;
    crate::playbook::follow::follow_record(&rec, &incident).await?;
    rec.commit().await?;
    Ok(model)
}
