//! Cases and their statuses: the table of allowed transitions, finding a person's case (by
//! email, subject id or a letter's verification code), moving a case by hand or as the
//! effect of an event, and the delivery results the sender reports.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Recorder};
use crate::config::Settings;
use crate::db::Db;
use crate::db::entities::case_event::{self, EventKind};
use crate::db::entities::followup_case::{self, CaseStatus};
use crate::db::followup::{self as sql, LetterKey};
use crate::error::{DbContext, Error, Result};
use crate::incident::Incident;
use crate::inventory::fields::SubjectEmail;
use crate::letters::VerificationCode;

/// Every allowed move, by status of origin. Anything else is refused.
///
/// `closed -> responded` reopens a case when the person gets in touch again; `unreachable ->
/// contacted` follows a later letter that did arrive (on paper, say); `contacted ->
/// unreachable` follows a bounce of the only letter.
pub const TRANSITIONS: [(CaseStatus, &[CaseStatus]); 6] = {
    use CaseStatus::*;
    [
        (Open, &[Contacted, Responded, Unreachable, Closed]),
        (Contacted, &[Responded, Unreachable, Closed]),
        (Responded, &[Assisting, Closed]),
        (Assisting, &[Closed]),
        (Unreachable, &[Contacted, Responded, Closed]),
        (Closed, &[Responded]),
    ]
};

/// Whether a case may move from `from` to `to`.
pub fn allowed(from: CaseStatus, to: CaseStatus) -> bool {
    TRANSITIONS.iter().any(|(f, tos)| *f == from && tos.contains(&to))
}

/// The statuses a case in `from` may move to.
pub fn next_statuses(from: CaseStatus) -> Vec<CaseStatus> {
    TRANSITIONS
        .iter()
        .find(|(f, _)| *f == from)
        .map(|(_, tos)| tos.to_vec())
        .unwrap_or_default()
}

/// The steps an event takes a case towards `target` along allowed moves: none when it is
/// there or beyond (a reply to a case already `assisting` changes nothing), one, or two
/// (`contacted -> responded -> assisting` for help given to someone who called).
pub fn path_towards(from: CaseStatus, target: CaseStatus) -> Vec<CaseStatus> {
    if from == target || (target == CaseStatus::Responded && from == CaseStatus::Assisting) {
        return vec![];
    }
    if allowed(from, target) {
        return vec![target];
    }
    if allowed(from, CaseStatus::Responded) && allowed(CaseStatus::Responded, target) {
        return vec![CaseStatus::Responded, target];
    }
    vec![]
}

/// The case of `who` in `inc`: an email address, a subject id, or a letter's verification code.
pub async fn find(db: &Db, inc: &Incident, who: &str) -> Result<followup_case::Model> {
    let who = who.trim();
    let id = if who.contains('@') {
        match SubjectEmail::parse(who) {
            Ok(e) => sql::case_by_email(&db.conn, inc.id, &e.match_key()).await?,
            Err(_) => None,
        }
    } else if !who.is_empty() && who.bytes().all(|b| b.is_ascii_digit()) {
        let subject: i64 = who
            .parse()
            .map_err(|_| Error::bad_input(format!("subject id {who} is too large")))?;
        by_subject(db, inc.id, subject).await?.map(|c| c.id)
    } else if let Ok(code) = who.parse::<VerificationCode>() {
        sql::case_by_letter(&db.conn, inc.id, LetterKey::VerificationCode, &[code.to_string()]).await?
    } else {
        return Err(Error::bad_input(format!(
            "'{who}' is neither an email address, a subject id nor a verification code (XXXX-XXXX-XXXX-XXXX)"
        )));
    };
    let missing = || {
        Error::bad_input(format!(
            "{who} has no case in {}: `breachdesk followup list {}` shows the cases (they open on `affected resolve`)",
            inc.reference, inc.reference
        ))
    };
    let id = id.ok_or_else(missing)?;
    followup_case::Entity::find_by_id(id)
        .one(&db.conn)
        .await
        .context("reading the case")?
        .ok_or_else(missing)
}

async fn by_subject(db: &Db, incident_id: i64, subject_id: i64) -> Result<Option<followup_case::Model>> {
    use sea_orm::{ColumnTrait, QueryFilter};
    followup_case::Entity::find()
        .filter(followup_case::Column::IncidentId.eq(incident_id))
        .filter(followup_case::Column::SubjectId.eq(subject_id))
        .one(&db.conn)
        .await
        .context("reading the case")
}

/// Records an event in the recorder's transaction; returns its id.
pub async fn add_event(rec: &Recorder, case_id: i64, event: NewEvent) -> Result<i64> {
    let saved = case_event::ActiveModel {
        case_id: Set(case_id),
        at: Set(rec.at()),
        actor: Set(rec.actor().to_string()),
        kind: Set(event.kind),
        from_status: Set(event.from),
        to_status: Set(event.to),
        assist: Set(event.assist),
        text: Set(event.text),
        reply_key: Set(event.reply_key),
        ..Default::default()
    }
    .insert(rec.txn())
    .await
    .context("recording the case event")?;
    Ok(saved.id)
}

/// An event to record.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: EventKind,
    pub from: Option<CaseStatus>,
    pub to: Option<CaseStatus>,
    pub assist: Option<case_event::Assist>,
    pub text: Option<String>,
    pub reply_key: Option<String>,
}

impl NewEvent {
    pub fn of(kind: EventKind) -> NewEvent {
        NewEvent {
            kind,
            from: None,
            to: None,
            assist: None,
            text: None,
            reply_key: None,
        }
    }
}

/// Saves a case's new status, due date and time of change in the recorder's transaction.
pub async fn save(rec: &Recorder, case: &followup_case::Model) -> Result<()> {
    followup_case::ActiveModel {
        id: Set(case.id),
        status: Set(case.status),
        assignee: Set(case.assignee.clone()),
        next_action_due: Set(case.next_action_due),
        updated_at: Set(rec.at()),
        ..Default::default()
    }
    .update(rec.txn())
    .await
    .context("updating the case")?;
    Ok(())
}

/// A status change made by hand.
#[derive(Debug, Serialize)]
pub struct Transition {
    pub incident: String,
    pub subject_id: i64,
    pub from: CaseStatus,
    pub to: CaseStatus,
}

/// Moves the case of `who` to `to` by hand, if the move is allowed.
pub async fn set_status(
    db: &Db,
    settings: &Settings,
    inc: &Incident,
    who: &str,
    to: CaseStatus,
    text: Option<String>,
) -> Result<Transition> {
    let mut case = find(db, inc, who).await?;
    let from = case.status;
    if !allowed(from, to) {
        let options: Vec<&str> = next_statuses(from).iter().map(|s| s.as_str()).collect();
        return Err(Error::bad_input(format!(
            "the case of subject {} is {from}: it cannot move to {to} (from {from}: {})",
            case.subject_id,
            options.join(", ")
        )));
    }
    let rec = audit::begin(db, &settings.actor, settings.now()).await?;
    let mut event = NewEvent::of(EventKind::Status);
    (event.from, event.to, event.text) = (Some(from), Some(to), text);
    add_event(&rec, case.id, event).await?;
    case.status = to;
    if to == CaseStatus::Closed {
        case.next_action_due = None;
    }
    save(&rec, &case).await?;
    rec.record(
        "followup.status",
        &format!("case:{}", case.id),
        Some(&inc.reference),
        json!({ "subject_id": case.subject_id, "from": from, "to": to }),
    )
    .await?;
    rec.commit().await?;
    Ok(Transition {
        incident: inc.reference.clone(),
        subject_id: case.subject_id,
        from,
        to,
    })
}

/// What [`sync_deliveries`] changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeliverySync {
    /// Cases moved to `contacted`: a letter to the person was sent.
    pub contacted: u64,
    /// Cases moved to `unreachable`: every letter bounced or failed, none is left to try.
    pub unreachable: u64,
}

/// Brings an incident's cases up to date with the outbox, set-based and idempotent: open
/// (or unreachable) cases with a `sent` letter become `contacted`; open or contacted cases
/// whose every letter is `bounced` or `failed` (none pending, deferred, sending, sent or
/// uncertain) become `unreachable`. Each move is a `delivery` case event. The sender calls
/// this after each batch and after bounce processing; follow-up commands call it too.
pub async fn sync_deliveries(
    db: &Db,
    incident_id: i64,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<DeliverySync> {
    if !sql::deliveries_due(&db.conn, incident_id).await? {
        return Ok(DeliverySync::default());
    }
    let rec = audit::begin(db, actor, now).await?;
    let (contacted, unreachable) = sql::apply_deliveries(rec.txn(), incident_id, actor, now).await?;
    let reference = incident_reference(rec.txn(), incident_id).await?;
    rec.record(
        "followup.deliveries",
        &format!("incident:{reference}"),
        Some(&reference),
        json!({ "contacted": contacted, "unreachable": unreachable }),
    )
    .await?;
    rec.commit().await?;
    Ok(DeliverySync {
        contacted,
        unreachable,
    })
}

async fn incident_reference<C: ConnectionTrait>(conn: &C, incident_id: i64) -> Result<String> {
    use crate::db::entities::incident;
    incident::Entity::find_by_id(incident_id)
        .one(conn)
        .await
        .context("reading the incident")?
        .map(|i| i.reference)
        .ok_or_else(|| Error::bad_input(format!("no incident with id {incident_id}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_a_row_and_none_moves_to_itself_or_back_to_open() {
        for s in CaseStatus::ALL {
            assert!(TRANSITIONS.iter().any(|(f, _)| *f == s), "{s}");
            assert!(!allowed(s, s), "{s} -> {s}");
            assert!(!allowed(s, CaseStatus::Open), "{s} -> open");
        }
    }

    #[test]
    fn events_take_the_shortest_allowed_path() {
        use CaseStatus::*;
        assert_eq!(path_towards(Contacted, Assisting), vec![Responded, Assisting]);
        assert_eq!(path_towards(Open, Responded), vec![Responded]);
        assert_eq!(path_towards(Assisting, Responded), Vec::<CaseStatus>::new());
        assert_eq!(path_towards(Closed, Assisting), vec![Responded, Assisting]);
        assert_eq!(path_towards(Responded, Responded), Vec::<CaseStatus>::new());
    }
}
