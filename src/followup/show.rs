//! One person's whole story in an incident: what of theirs was exposed, the letters and what
//! became of them, every event of their case, and their requests with due dates.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use super::cases;
use super::requests::RequestView;
use crate::category::DataCategory;
use crate::config::Settings;
use crate::db::Db;
use crate::db::affected;
use crate::db::entities::case_event::{Assist, EventKind};
use crate::db::entities::followup_case::CaseStatus;
use crate::db::entities::{case_event, case_request, notification, subject};
use crate::error::{DbContext, Error, Result};
use crate::incident::Incident;

/// What `followup show` prints.
#[derive(Debug, Serialize)]
pub struct CaseStory {
    pub incident: String,
    pub subject_id: i64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The postal address, one line per element.
    pub address: Vec<String>,
    pub status: CaseStatus,
    pub assignee: Option<String>,
    #[serde(serialize_with = "crate::clock::json_utc_opt")]
    pub next_action_due: Option<DateTime<Utc>>,
    pub in_scope: bool,
    /// What was exposed; `null` for a person no longer in scope.
    pub exposed: Option<Exposed>,
    pub letters: Vec<LetterState>,
    pub events: Vec<EventView>,
    pub requests: Vec<RequestView>,
}

#[derive(Debug, Serialize)]
pub struct Exposed {
    pub categories: Vec<DataCategory>,
    pub systems: Vec<String>,
    pub records: i64,
}

/// A letter and its delivery result (not its text: `letters show` prints that).
#[derive(Debug, Serialize)]
pub struct LetterState {
    pub channel: String,
    pub kind: String,
    pub status: String,
    pub verification_code: String,
    pub message_id: String,
    pub attempts: i32,
    #[serde(serialize_with = "crate::clock::json_utc_opt")]
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct EventView {
    pub id: i64,
    #[serde(serialize_with = "crate::clock::json_utc")]
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: EventKind,
    pub from: Option<CaseStatus>,
    pub to: Option<CaseStatus>,
    pub assist: Option<Assist>,
    pub text: Option<String>,
}

/// The story of `who` in `inc`.
pub async fn show(db: &Db, settings: &Settings, inc: &Incident, who: &str) -> Result<CaseStory> {
    super::sync_quietly(db, settings, inc).await?;
    let case = cases::find(db, inc, who).await?;
    const DOING: &str = "reading the case";
    let person = subject::Entity::find_by_id(case.subject_id)
        .one(&db.conn)
        .await
        .context(DOING)?
        .ok_or_else(|| Error::failure(format!("subject {} of the case is missing", case.subject_id)))?;
    let exposed = affected::page(&db.conn, inc.id, case.subject_id - 1, 1)
        .await?
        .into_iter()
        .find(|r| r.subject_id == case.subject_id)
        .map(|r| Exposed {
            categories: r.categories,
            systems: r.systems,
            records: r.records,
        });
    let letters = notification::Entity::find()
        .filter(notification::Column::IncidentId.eq(inc.id))
        .filter(notification::Column::SubjectId.eq(case.subject_id))
        .order_by_asc(notification::Column::Id)
        .all(&db.conn)
        .await
        .context(DOING)?
        .into_iter()
        .map(|n| LetterState {
            channel: n.channel,
            kind: n.kind,
            status: n.status.as_str().to_string(),
            verification_code: n.verification_code,
            message_id: n.message_id,
            attempts: n.attempts,
            sent_at: n.sent_at,
            last_error: n.last_error,
        })
        .collect();
    let events = case_event::Entity::find()
        .filter(case_event::Column::CaseId.eq(case.id))
        .order_by_asc(case_event::Column::Id)
        .all(&db.conn)
        .await
        .context(DOING)?
        .into_iter()
        .map(|e| EventView {
            id: e.id,
            at: e.at,
            actor: e.actor,
            kind: e.kind,
            from: e.from_status,
            to: e.to_status,
            assist: e.assist,
            text: e.text,
        })
        .collect();
    let now = settings.now();
    let requests = case_request::Entity::find()
        .filter(case_request::Column::CaseId.eq(case.id))
        .order_by_asc(case_request::Column::Id)
        .all(&db.conn)
        .await
        .context(DOING)?
        .into_iter()
        .map(|r| RequestView::new(r, now))
        .collect();
    let p = person;
    let address = [
        p.address_line1.clone(),
        p.address_line2.clone(),
        match (&p.postal_code, &p.city) {
            (Some(z), Some(c)) => Some(format!("{z} {c}")),
            (z, c) => z.clone().or(c.clone()),
        },
        p.country.clone(),
    ]
    .into_iter()
    .flatten()
    .filter(|l| !l.trim().is_empty())
    .collect();
    Ok(CaseStory {
        incident: inc.reference.clone(),
        subject_id: case.subject_id,
        name: p.name,
        email: p.email,
        phone: p.phone,
        address,
        status: case.status,
        assignee: case.assignee,
        next_action_due: case.next_action_due,
        in_scope: case.in_scope,
        exposed,
        letters,
        events,
        requests,
    })
}
