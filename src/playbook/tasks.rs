//! An incident's checklist: the tasks of its playbook, due relative to awareness, ticked off
//! one by one. Every change is recorded in the audit chain.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use serde_json::json;

use super::Playbook;
use crate::audit::{self, Recorder};
use crate::clock;
use crate::config::Settings;
use crate::db::Db;
use crate::db::entities::incident::Model as Incident;
use crate::db::entities::task;
pub use crate::db::entities::task::{CompletingEvent, Model as Task};
use crate::error::{DbContext, Error, Result};
use crate::incident;

/// Puts the playbook's tasks on the incident, inside the recorded change that declares it.
pub async fn instantiate(rec: &Recorder, incident: &Incident, book: &Playbook) -> Result<usize> {
    for (position, t) in book.tasks.iter().enumerate() {
        task::ActiveModel {
            incident_id: Set(incident.id),
            position: Set(position as i32 + 1),
            playbook: Set(book.name.clone()),
            key: Set(t.key.clone()),
            title: Set(t.title.clone()),
            owner_role: Set(t.owner.clone()),
            guidance: Set(t.guidance.clone()),
            due_after: Set(t.due.clone()),
            due_at: Set(incident.aware_at + t.due_after),
            done_at: Set(None),
            done_by: Set(None),
            completed_by: Set(t.completed_by),
            evidence_seq: Set(None),
            ..Default::default()
        }
        .insert(rec.txn())
        .await
        .context("adding the playbook's tasks")?;
    }
    rec.record(
        "tasks.instantiate",
        &format!("incident:{}", incident.reference),
        Some(&incident.reference),
        json!({ "playbook": book.name, "tasks": book.tasks.len() }),
    )
    .await?;
    Ok(book.tasks.len())
}

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskState {
    Open,
    Overdue,
    Done,
}

/// A task as `tasks --json` shows it.
#[derive(Debug, Serialize)]
pub struct TaskView {
    pub key: String,
    pub title: String,
    pub owner_role: String,
    pub guidance: String,
    pub playbook: String,
    /// The due time after awareness, as the playbook writes it.
    pub due_after: String,
    #[serde(serialize_with = "clock::json_utc")]
    pub due_at: DateTime<Utc>,
    pub state: TaskState,
    #[serde(serialize_with = "clock::json_utc_opt")]
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<String>,
    /// The recorded event that closes the task by itself, if the playbook names one.
    pub completed_by: Option<CompletingEvent>,
    /// The sequence number of the audit entry that closed it (`audit log`), when that event
    /// did.
    pub evidence_seq: Option<i64>,
}

impl TaskView {
    pub fn new(t: Task, now: DateTime<Utc>) -> TaskView {
        let state = match t.done_at {
            Some(_) => TaskState::Done,
            None if t.due_at < now => TaskState::Overdue,
            None => TaskState::Open,
        };
        TaskView {
            key: t.key,
            title: t.title,
            owner_role: t.owner_role,
            guidance: t.guidance,
            playbook: t.playbook,
            due_after: t.due_after,
            due_at: t.due_at,
            state,
            done_at: t.done_at,
            done_by: t.done_by,
            completed_by: t.completed_by,
            evidence_seq: t.evidence_seq,
        }
    }
}

/// The incident's tasks in playbook order, as of `now`; only the overdue ones with `overdue`.
pub async fn list(db: &Db, incident_id: i64, now: DateTime<Utc>, overdue: bool) -> Result<Vec<TaskView>> {
    let tasks = task::Entity::find()
        .filter(task::Column::IncidentId.eq(incident_id))
        .order_by_asc(task::Column::Position)
        .all(&db.conn)
        .await
        .context("reading the tasks")?;
    Ok(tasks
        .into_iter()
        .map(|t| TaskView::new(t, now))
        .filter(|v| !overdue || v.state == TaskState::Overdue)
        .collect())
}

/// Marks a task done.
pub async fn done(db: &Db, settings: &Settings, reference: &str, key: &str) -> Result<Task> {
    let inc = incident::find(db, reference).await?;
    let now = settings.now();
    let rec = audit::begin(db, &settings.actor, now).await?;
    let current = find_task(&rec, &inc, key).await?;
    if current.done_at.is_some() {
        return Err(Error::bad_input(format!(
            "task '{}' of {} is already done",
            current.key, inc.reference
        )));
    }
    let mut active: task::ActiveModel = current.into();
    active.done_at = Set(Some(now));
    active.done_by = Set(Some(settings.actor.clone()));
    let saved = active.update(rec.txn()).await.context("marking the task done")?;
    rec.record(
        "task.done",
        &format!("task:{}/{}", inc.reference, saved.key),
        Some(&inc.reference),
        json!({ "task": saved.key, "due_at": clock::utc_text(saved.due_at), "late": saved.due_at < now }),
    )
    .await?;
    rec.commit().await?;
    Ok(saved)
}

/// Opens a done task again. Its closing event no longer counts: only a later one closes it.
pub async fn reopen(db: &Db, settings: &Settings, reference: &str, key: &str) -> Result<Task> {
    let inc = incident::find(db, reference).await?;
    let rec = audit::begin(db, &settings.actor, settings.now()).await?;
    let current = find_task(&rec, &inc, key).await?;
    let Some(done_at) = current.done_at else {
        return Err(Error::bad_input(format!(
            "task '{}' of {} is open already",
            current.key, inc.reference
        )));
    };
    let evidence = current.evidence_seq;
    let mut active: task::ActiveModel = current.into();
    active.done_at = Set(None);
    active.done_by = Set(None);
    active.evidence_seq = Set(None);
    let saved = active.update(rec.txn()).await.context("reopening the task")?;
    rec.record(
        "task.reopen",
        &format!("task:{}/{}", inc.reference, saved.key),
        Some(&inc.reference),
        json!({ "task": saved.key, "was_done_at": clock::utc_text(done_at), "evidence_seq": evidence }),
    )
    .await?;
    rec.commit().await?;
    Ok(saved)
}

/// The incident's task `key`; an unknown key is bad input that lists the incident's tasks.
async fn find_task(rec: &Recorder, inc: &Incident, key: &str) -> Result<Task> {
    let tasks = task::Entity::find()
        .filter(task::Column::IncidentId.eq(inc.id))
        .order_by_asc(task::Column::Position)
        .all(rec.txn())
        .await
        .context("reading the tasks")?;
    let wanted = key.trim().to_ascii_lowercase();
    if let Some(t) = tasks.iter().find(|t| t.key == wanted) {
        return Ok(t.clone());
    }
    let keys: Vec<&str> = tasks.iter().map(|t| t.key.as_str()).collect();
    Err(Error::bad_input(if keys.is_empty() {
        format!("{} has no tasks: declare it with --playbook NAME", inc.reference)
    } else {
        format!(
            "{} has no task '{key}': its tasks are {}",
            inc.reference,
            keys.join(", ")
        )
    }))
}
