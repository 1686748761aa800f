//! Reports: to the supervisory authority (GDPR Art. 33(3), in phases per Art. 33(4)), each
//! submission recorded with a snapshot of what was sent; and the breach register of every
//! incident (Art. 33(5)).

pub mod changes;
pub mod content;
pub mod pdf;
pub mod register;
pub mod render;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use serde_json::json;

use crate::audit;
use crate::clock;
use crate::config::Settings;
use crate::db::Db;
use crate::db::entities::authority_report;
pub use crate::db::entities::authority_report::Phase;
use crate::error::{DbContext, Error, Result};
use crate::incident::{self, Incident};
pub use content::{AuthorityReport, build};

/// A recorded submission, as reports and listings show it.
#[derive(Debug, Clone, Serialize)]
pub struct Submission {
    pub phase: Phase,
    pub authority: String,
    pub reference: String,
    #[serde(serialize_with = "clock::json_utc")]
    pub submitted_at: DateTime<Utc>,
    pub submitted_by: String,
}

impl From<authority_report::Model> for Submission {
    fn from(m: authority_report::Model) -> Self {
        Submission {
            phase: m.phase,
            authority: m.authority,
            reference: m.reference,
            submitted_at: m.submitted_at,
            submitted_by: m.submitted_by,
        }
    }
}

/// Every submission of the incident, oldest first.
pub async fn submissions(db: &Db, incident_id: i64) -> Result<Vec<Submission>> {
    Ok(authority_report::Entity::find()
        .filter(authority_report::Column::IncidentId.eq(incident_id))
        .order_by_asc(authority_report::Column::SubmittedAt)
        .order_by_asc(authority_report::Column::Id)
        .all(&db.conn)
        .await
        .context("reading the authority reports")?
        .into_iter()
        .map(Submission::from)
        .collect())
}

/// The latest submission (to `authority`, or to any), with its snapshot.
pub async fn latest_submission(
    db: &Db,
    inc: &Incident,
    authority: Option<&str>,
) -> Result<Option<authority_report::Model>> {
    let mut q = authority_report::Entity::find().filter(authority_report::Column::IncidentId.eq(inc.id));
    if let Some(code) = authority {
        q = q.filter(authority_report::Column::Authority.eq(code.to_ascii_uppercase()));
    }
    q.order_by_desc(authority_report::Column::SubmittedAt)
        .order_by_desc(authority_report::Column::Id)
        .one(&db.conn)
        .await
        .context("reading the authority reports")
}

/// When the authority was first notified, if it was.
pub async fn first_submission_at(db: &Db, inc: &Incident) -> Result<Option<DateTime<Utc>>> {
    Ok(submissions(db, inc.id).await?.first().map(|s| s.submitted_at))
}

/// What `report submitted` records.
#[derive(Debug, Clone)]
pub struct SubmittedReport {
    pub authority: String,
    pub reference: String,
    pub phase: Phase,
    /// When it was sent; defaults to now.
    pub at: Option<DateTime<Utc>>,
}

/// Records that the report was submitted, with a snapshot of the report as it stands now
/// (the report that was sent is the one generated from the same records).
pub async fn record_submission(
    db: &Db,
    settings: &Settings,
    reference: &str,
    s: SubmittedReport,
) -> Result<Submission> {
    let now = settings.now();
    let at = s.at.unwrap_or(now);
    if at > now {
        return Err(Error::bad_input("--at is in the future"));
    }
    let their_ref = s.reference.trim();
    if their_ref.is_empty() {
        return Err(Error::bad_input(
            "--reference is empty: give the authority's case number or receipt",
        ));
    }
    let code = s.authority.trim().to_ascii_uppercase();
    let inc = incident::find(db, reference).await?;
    let report = content::build_sent_at(db, settings, reference, s.phase, Some(&code), Some(at)).await?;
    let snapshot = serde_json::to_string(&report)
        .map_err(|e| Error::failure(format!("cannot keep the report snapshot: {e}")))?;
    let rec = audit::begin(db, &settings.actor, now).await?;
    let saved = authority_report::ActiveModel {
        incident_id: Set(inc.id),
        phase: Set(s.phase),
        authority: Set(code.clone()),
        reference: Set(their_ref.to_string()),
        snapshot: Set(snapshot),
        submitted_at: Set(at),
        submitted_by: Set(settings.actor.clone()),
        ..Default::default()
    }
    .insert(rec.txn())
    .await
    .context("recording the submission")?;
    rec.record(
        "report.submitted",
        &format!("incident:{}", inc.reference),
        Some(&inc.reference),
        json!({
            "phase": s.phase.as_str(),
            "authority": code,
            "reference": their_ref,
            "submitted_at": clock::utc_text(at),
            "subjects": report.nature.subjects,
        }),
    )
    .await?;
    crate::playbook::follow::follow_record(&rec, &inc).await?;
    rec.commit().await?;
    Ok(Submission::from(saved))
}
