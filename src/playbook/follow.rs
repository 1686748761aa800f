//! Tasks that follow the record: a playbook task may name the recorded event that completes
//! it (an assessment, a decision, a submission to an authority, every letter sent). The first
//! such event in the audit log — after the task was last reopened — closes it, and the task
//! keeps that entry's sequence number as its evidence.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;

use super::tasks::{CompletingEvent, Task};
use crate::audit::{self, Recorder};
use crate::clock;
use crate::config::Settings;
use crate::db::Db;
use crate::db::entities::incident::Model as Incident;
use crate::db::entities::notification::{self, NotificationStatus};
use crate::db::entities::{audit_event, task};
use crate::error::{DbContext, Result};

const REOPEN: &str = "task.reopen";

/// Closes, inside `rec`, the incident's open tasks whose completing event is on record
/// (including entries `rec` has just written). Returns how many it closed.
pub async fn follow_record(rec: &Recorder, inc: &Incident) -> Result<usize> {
    let due = closures(rec.txn(), inc).await?;
    for (t, entry) in &due {
        close(rec, inc, t, entry).await?;
    }
    Ok(due.len())
}

/// Brings the incident's tasks up to date with the record, for events that close tasks
/// without a hook of their own (letters sent). Writes only when a task is to be closed.
pub async fn refresh(db: &Db, settings: &Settings, inc: &Incident) -> Result<usize> {
    if closures(&db.conn, inc).await?.is_empty() {
        return Ok(0);
    }
    let rec = audit::begin(db, &settings.actor, settings.now()).await?;
    let closed = follow_record(&rec, inc).await?;
    rec.commit().await?;
    Ok(closed)
}

/// The open tasks whose completing event is on record, each with the entry that completes it.
async fn closures<C: ConnectionTrait>(conn: &C, inc: &Incident) -> Result<Vec<(Task, audit_event::Model)>> {
    let open = task::Entity::find()
        .filter(task::Column::IncidentId.eq(inc.id))
        .filter(task::Column::DoneAt.is_null())
        .filter(task::Column::CompletedBy.is_not_null())
        .order_by_asc(task::Column::Position)
        .all(conn)
        .await
        .context("reading the tasks")?;
    if open.is_empty() {
        return Ok(Vec::new());
    }
    let mut actions: Vec<&str> = vec![REOPEN];
    for e in open.iter().filter_map(|t| t.completed_by) {
        actions.extend_from_slice(e.actions());
    }
    let entries = audit_event::Entity::find()
        .filter(audit_event::Column::IncidentRef.eq(inc.reference.as_str()))
        .filter(audit_event::Column::Action.is_in(actions))
        .order_by_asc(audit_event::Column::Seq)
        .all(conn)
        .await
        .context("reading the audit log")?;
    let letters_sent = if open
        .iter()
        .any(|t| t.completed_by == Some(CompletingEvent::LettersSent))
    {
        every_letter_sent(conn, inc.id).await?
    } else {
        false
    };
    let mut out = Vec::new();
    for t in open {
        let Some(event) = t.completed_by else { continue };
        let entity = format!("task:{}/{}", inc.reference, t.key);
        let since = entries
            .iter()
            .filter(|e| e.action == REOPEN && e.entity == entity)
            .map(|e| e.seq)
            .max()
            .unwrap_or(0);
        let mut candidates = entries
            .iter()
            .filter(|e| e.seq > since && event.actions().contains(&e.action.as_str()));
        // Letters: done when none is left to send; the run that finished them is the evidence.
        let found = match event {
            CompletingEvent::LettersSent if !letters_sent => None,
            CompletingEvent::LettersSent => candidates.next_back(),
            _ => candidates.next(),
        };
        if let Some(entry) = found {
            out.push((t, entry.clone()));
        }
    }
    Ok(out)
}

/// The incident has letters and every one of them is sent.
async fn every_letter_sent<C: ConnectionTrait>(conn: &C, incident_id: i64) -> Result<bool> {
    let count = |unsent: bool| {
        let mut q = notification::Entity::find().filter(notification::Column::IncidentId.eq(incident_id));
        if unsent {
            q = q.filter(notification::Column::Status.ne(NotificationStatus::Sent));
        }
        q.count(conn)
    };
    let all = count(false).await.context("counting the letters")?;
    let unsent = count(true).await.context("counting the letters")?;
    Ok(all > 0 && unsent == 0)
}

async fn close(rec: &Recorder, inc: &Incident, t: &Task, entry: &audit_event::Model) -> Result<()> {
    let at = DateTime::parse_from_rfc3339(&entry.at)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(rec.at());
    let mut active: task::ActiveModel = t.clone().into();
    active.done_at = Set(Some(at));
    active.done_by = Set(Some(entry.actor.clone()));
    active.evidence_seq = Set(Some(entry.seq));
    active.update(rec.txn()).await.context("closing the task")?;
    rec.record(
        "task.done",
        &format!("task:{}/{}", inc.reference, t.key),
        Some(&inc.reference),
        json!({
            "task": t.key,
            "due_at": clock::utc_text(t.due_at),
            "late": t.due_at < at,
            "completed_by": t.completed_by,
            "evidence_seq": entry.seq,
            "evidence": entry.action,
        }),
    )
    .await
}
