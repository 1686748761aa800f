//! Logging what happened with a person: notes, calls, mail, meetings, help given and rights
//! exercised; and what that does to the case (a call or a reply means the person responded,
//! help given means the case is being assisted, a request brings the next action forward to
//! its due date).

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, Set};
use serde::Serialize;
use serde_json::json;

use super::cases::{self, NewEvent};
use super::requests;
use crate::audit::{self, Recorder};
use crate::config::Settings;
use crate::db::Db;
use crate::db::entities::case_event::{Assist, EventKind};
use crate::db::entities::case_request::{self, Right};
use crate::db::entities::followup_case::{self, CaseStatus};
use crate::error::{DbContext, Result};
use crate::incident::Incident;

/// The next action's default due date when a case reaches `status`: answer a person who
/// responded within two days; check a week after help was given that it worked.
pub fn default_due(status: CaseStatus, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match status {
        CaseStatus::Responded => Some(now + Duration::days(2)),
        CaseStatus::Assisting => Some(now + Duration::days(7)),
        _ => None,
    }
}

/// What `followup log` records.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub kind: EventKind,
    pub text: Option<String>,
    pub assist: Option<Assist>,
    pub request: Option<Right>,
    /// Sets the next action's due date (instead of the default for the new status).
    pub next_due: Option<DateTime<Utc>>,
}

/// What was logged.
#[derive(Debug, Serialize)]
pub struct Logged {
    pub incident: String,
    pub subject_id: i64,
    pub event_id: i64,
    pub from: CaseStatus,
    pub status: CaseStatus,
    #[serde(serialize_with = "crate::clock::json_utc_opt")]
    pub next_action_due: Option<DateTime<Utc>>,
    /// The request opened, with its due date.
    pub request: Option<requests::RequestView>,
}

/// Logs an event on the case of `who`.
pub async fn log(db: &Db, settings: &Settings, inc: &Incident, who: &str, entry: LogEntry) -> Result<Logged> {
    let now = settings.now();
    let mut case = cases::find(db, inc, who).await?;
    let from = case.status;
    let rec = audit::begin(db, &settings.actor, now).await?;
    let mut event = NewEvent::of(entry.kind);
    event.text = entry.text.clone();
    event.assist = entry.assist;
    let target = match (entry.assist, entry.kind.is_response()) {
        (Some(_), _) => Some(CaseStatus::Assisting),
        (None, true) => Some(CaseStatus::Responded),
        (None, false) => None,
    };
    let steps = target.map(|t| cases::path_towards(from, t)).unwrap_or_default();
    if let Some(first) = steps.first() {
        (event.from, event.to) = (Some(from), Some(*first));
    }
    let event_id = cases::add_event(&rec, case.id, event).await?;
    if let [first, second] = steps[..] {
        let mut then = NewEvent::of(EventKind::Status);
        (then.from, then.to) = (Some(first), Some(second));
        cases::add_event(&rec, case.id, then).await?;
    }
    if let Some(last) = steps.last() {
        case.status = *last;
        case.next_action_due = default_due(*last, now).or(case.next_action_due);
    }
    let request = match entry.request {
        Some(right) => {
            Some(open_request(&rec, &mut case, event_id, right, entry.text.clone(), settings).await?)
        }
        None => None,
    };
    if let Some(due) = entry.next_due {
        case.next_action_due = Some(due);
    }
    cases::save(&rec, &case).await?;
    record(&rec, inc, &case, &entry, from).await?;
    rec.commit().await?;
    Ok(Logged {
        incident: inc.reference.clone(),
        subject_id: case.subject_id,
        event_id,
        from,
        status: case.status,
        next_action_due: case.next_action_due,
        request: request.map(|r| requests::RequestView::new(r, now)),
    })
}

async fn open_request(
    rec: &Recorder,
    case: &mut followup_case::Model,
    event_id: i64,
    right: Right,
    text: Option<String>,
    settings: &Settings,
) -> Result<case_request::Model> {
    let due = requests::due_at(rec.at(), settings.zone);
    let saved = case_request::ActiveModel {
        case_id: Set(case.id),
        event_id: Set(Some(event_id)),
        right: Set(right),
        received_at: Set(rec.at()),
        due_at: Set(due),
        text: Set(text),
        ..Default::default()
    }
    .insert(rec.txn())
    .await
    .context("recording the request")?;
    if case.next_action_due.is_none_or(|d| d > due) {
        case.next_action_due = Some(due);
    }
    Ok(saved)
}

async fn record(
    rec: &Recorder,
    inc: &Incident,
    case: &followup_case::Model,
    entry: &LogEntry,
    from: CaseStatus,
) -> Result<()> {
    // Ids and kinds only: what was said is personal data and stays in the case.
    rec.record(
        "followup.log",
        &format!("case:{}", case.id),
        Some(&inc.reference),
        json!({
            "subject_id": case.subject_id,
            "kind": entry.kind.as_str(),
            "assist": entry.assist.map(|a| a.as_str()),
            "request": entry.request.map(|r| r.as_str()),
            "from": from,
            "to": case.status,
        }),
    )
    .await
}
