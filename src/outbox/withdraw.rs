//! `letters withdraw`: the operator takes back letters not yet sent (pending or deferred),
//! one person's or all, with a dry run. Letters that may have reached the server are reported,
//! never withdrawn; sent ones are never touched.

use sea_orm::TransactionTrait;
use serde::Serialize;
use serde_json::json;

use crate::audit;
use crate::config::Settings;
use crate::db::Db;
use crate::db::withdraw::by_operator;
use crate::error::{DbContext, Result};
use crate::incident;

/// What `letters withdraw` is asked to do.
#[derive(Debug, Clone)]
pub struct WithdrawRequest {
    pub reference: String,
    /// The person (email address or subject id); `None`: every unsent letter of the incident.
    pub subject: Option<String>,
    pub dry_run: bool,
}

/// What it did (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize)]
pub struct Withdrawn {
    pub incident: String,
    pub dry_run: bool,
    /// Letters withdrawn (or that would be).
    pub letters: u64,
    /// People they were for.
    pub subjects: u64,
    /// Letters of the same people that may have reached the server (`sending`, `uncertain`):
    /// left alone, to be settled with `send settle`.
    pub in_flight: Vec<i64>,
}

pub async fn withdraw(db: &Db, settings: &Settings, req: &WithdrawRequest) -> Result<Withdrawn> {
    let inc = incident::find(db, &req.reference).await?;
    let subject = match &req.subject {
        Some(who) => Some(super::find_subject(db, &inc, who).await?.subject_id),
        None => None,
    };
    let found = if req.dry_run {
        let txn = db.conn.begin().await.context("reading the outbox")?;
        let found = by_operator(&txn, inc.id, subject, true).await?;
        txn.rollback().await.context("reading the outbox")?;
        found
    } else {
        let rec = audit::begin(db, &settings.actor, settings.now()).await?;
        let found = by_operator(rec.txn(), inc.id, subject, false).await?;
        // Ids only: whose letters, never who they are.
        rec.record(
            "letters.withdraw",
            &format!("incident:{}", inc.reference),
            Some(&inc.reference),
            json!({
                "by": "operator",
                "letters": found.letters,
                "subjects": found.subjects,
                "in_flight": found.in_flight,
            }),
        )
        .await?;
        rec.commit().await?;
        found
    };
    Ok(Withdrawn {
        incident: inc.reference,
        dry_run: req.dry_run,
        letters: found.letters,
        subjects: found.subjects.len() as u64,
        in_flight: found.in_flight,
    })
}
