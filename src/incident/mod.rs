//! Incidents: declaring one starts the authority clocks of its regimes; updates, closing and reopening are
//! recorded in the audit chain with the fields that changed.

pub mod deadline;
pub mod reference;
pub mod regimes;
mod update;
pub mod view;

use chrono::{DateTime, Datelike, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::json;

use crate::audit;
use crate::clock;
use crate::config::Settings;
use crate::db::Db;
use crate::db::entities::incident;
pub use crate::db::entities::incident::{Cause, IncidentStatus, Model as Incident};
use crate::error::{DbContext, Error, Result};
pub use reference::IncidentRef;
pub use update::{Changes, update};

/// The kinds of breach the EDPB distinguishes; one breach can be several.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BreachTypes {
    pub confidentiality: bool,
    pub integrity: bool,
    pub availability: bool,
}

impl BreachTypes {
    /// Reads `confidentiality,availability` (also `c,i,a`).
    pub fn parse(text: &str) -> Result<BreachTypes> {
        let mut types = BreachTypes::default();
        for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            match word.to_ascii_lowercase().as_str() {
                "confidentiality" | "c" => types.confidentiality = true,
                "integrity" | "i" => types.integrity = true,
                "availability" | "a" => types.availability = true,
                _ => {
                    return Err(Error::bad_input(format!(
                        "unknown breach type '{word}': use confidentiality, integrity and/or availability"
                    )));
                }
            }
        }
        Ok(types)
    }
}

impl Cause {
    pub fn parse(text: &str) -> Result<Cause> {
        match text.trim().to_ascii_lowercase().as_str() {
            "malicious" => Ok(Cause::Malicious),
            "accidental" => Ok(Cause::Accidental),
            "unknown" => Ok(Cause::Unknown),
            _ => Err(Error::bad_input(format!(
                "unknown cause '{text}': use malicious, accidental or unknown"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Malicious => "malicious",
            Cause::Accidental => "accidental",
            Cause::Unknown => "unknown",
        }
    }
}

/// What `incident declare` records.
#[derive(Debug, Clone)]
pub struct Declaration {
    pub title: String,
    /// Defaults to now.
    pub aware_at: Option<DateTime<Utc>>,
    pub occurred_from: Option<DateTime<Utc>>,
    pub occurred_to: Option<DateTime<Utc>>,
    pub detected_at: Option<DateTime<Utc>>,
    pub nature: Option<String>,
    pub cause: Cause,
    pub breach_types: BreachTypes,
    pub playbook: Option<String>,
}

/// Declares an incident and returns it with its new reference.
pub async fn declare(db: &Db, settings: &Settings, d: Declaration) -> Result<Incident> {
    let now = settings.now();
    let title = required_text("title", &d.title)?;
    let aware_at = d.aware_at.unwrap_or(now);
    check_not_future("aware-at", aware_at, now)?;
    check_not_future("detected-at", d.detected_at, now)?;
    check_not_future("occurred-from", d.occurred_from, now)?;
    check_window(d.occurred_from, d.occurred_to)?;
    let playbook = optional_text(d.playbook)
        .map(|name| crate::playbook::find(settings.playbook_dir.as_deref(), &name))
        .transpose()?;

    let rec = audit::begin(db, &settings.actor, now).await?;
    let year = now.year();
    let last: Option<i32> = incident::Entity::find()
        .select_only()
        .column_as(incident::Column::RefSeq.max(), "max")
        .filter(incident::Column::RefYear.eq(year))
        .into_tuple()
        .one(rec.txn())
        .await
        .context("numbering the incident")?
        .flatten();
    let reference = IncidentRef {
        year,
        seq: last.unwrap_or(0) + 1,
    };
    let org = &settings.organisation;
    let model = incident::ActiveModel {
        reference: Set(reference.to_string()),
        ref_year: Set(reference.year),
        ref_seq: Set(reference.seq),
        title: Set(title),
        status: Set(IncidentStatus::Open),
        nature: Set(optional_text(d.nature)),
        cause: Set(d.cause),
        breach_confidentiality: Set(d.breach_types.confidentiality),
        breach_integrity: Set(d.breach_types.integrity),
        breach_availability: Set(d.breach_types.availability),
        occurred_from: Set(d.occurred_from),
        occurred_to: Set(d.occurred_to),
        detected_at: Set(d.detected_at),
        aware_at: Set(aware_at),
        declared_at: Set(now),
        declared_by: Set(settings.actor.clone()),
        playbook: Set(playbook.as_ref().map(|b| b.name.clone())),
        dpo_name: Set(optional_text(org.dpo_name.clone())),
        dpo_email: Set(optional_text(org.dpo_email.clone())),
        dpo_phone: Set(optional_text(org.dpo_phone.clone())),
        likely_consequences: Set(None),
        measures_taken: Set(None),
        measures_proposed: Set(None),
        delay_reasons: Set(None),
        closed_at: Set(None),
        closed_by: Set(None),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(rec.txn())
    .await
    .context("declaring the incident")?;
    let at_start = regimes::at_declaration(&regimes::Context::load(settings)?, &model, now);
    let first = deadline::headline(&at_start.deadlines);
    rec.record(
        "incident.declare",
        &format!("incident:{reference}"),
        Some(&model.reference),
        json!({
            "title": model.title,
            "aware_at": clock::utc_text(aware_at),
            "authority_due": first.and_then(|d| d.due_utc.clone()),
            "late_declaration": at_start.deadlines.iter().any(|d| d.late_declaration),
            "deadline_basis": at_start.basis,
        }),
    )
    .await?;
    if let Some(book) = &playbook {
        crate::playbook::tasks::instantiate(&rec, &model, book).await?;
    }
    rec.commit().await?;
    Ok(model)
}

/// Finds an incident by its reference.
pub async fn find(db: &Db, reference: &str) -> Result<Incident> {
    let parsed: IncidentRef = reference.parse()?;
    incident::Entity::find()
        .filter(incident::Column::Reference.eq(parsed.to_string()))
        .one(&db.conn)
        .await
        .context("reading the incident")?
        .ok_or_else(|| {
            Error::bad_input(format!(
                "no incident {parsed} in {}: `breachdesk incident list` shows them",
                db.location.describe()
            ))
        })
}

/// Which incidents `list` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFilter {
    Open,
    Closed,
    All,
}

/// Incidents, newest first.
pub async fn list(db: &Db, filter: ListFilter) -> Result<Vec<Incident>> {
    let mut query = incident::Entity::find()
        .order_by_desc(incident::Column::RefYear)
        .order_by_desc(incident::Column::RefSeq);
    query = match filter {
        ListFilter::Open => query.filter(incident::Column::Status.eq(IncidentStatus::Open)),
        ListFilter::Closed => query.filter(incident::Column::Status.eq(IncidentStatus::Closed)),
        ListFilter::All => query,
    };
    query.all(&db.conn).await.context("listing incidents")
}

/// Closes an open incident.
pub async fn close(db: &Db, settings: &Settings, reference: &str) -> Result<Incident> {
    set_status(db, settings, reference, IncidentStatus::Closed).await
}

/// Reopens a closed incident.
pub async fn reopen(db: &Db, settings: &Settings, reference: &str) -> Result<Incident> {
    set_status(db, settings, reference, IncidentStatus::Open).await
}

async fn set_status(
    db: &Db,
    settings: &Settings,
    reference: &str,
    status: IncidentStatus,
) -> Result<Incident> {
    let now = settings.now();
    let rec = audit::begin(db, &settings.actor, now).await?;
    let current = find_in(&rec, reference).await?;
    if current.status == status {
        let state = if status == IncidentStatus::Open {
            "open"
        } else {
            "closed"
        };
        return Err(Error::bad_input(format!(
            "{} is already {state}",
            current.reference
        )));
    }
    let closing = status == IncidentStatus::Closed;
    let mut active: incident::ActiveModel = current.into();
    active.status = Set(status);
    active.closed_at = Set(closing.then_some(now));
    active.closed_by = Set(closing.then(|| settings.actor.clone()));
    active.updated_at = Set(now);
    let saved = active
        .update(rec.txn())
        .await
        .context("changing the incident's status")?;
    let action = if closing {
        "incident.close"
    } else {
        "incident.reopen"
    };
    rec.record(
        action,
        &format!("incident:{}", saved.reference),
        Some(&saved.reference),
        json!({}),
    )
    .await?;
    rec.commit().await?;
    Ok(saved)
}

pub(crate) async fn find_in(rec: &audit::Recorder, reference: &str) -> Result<Incident> {
    let parsed: IncidentRef = reference.parse()?;
    incident::Entity::find()
        .filter(incident::Column::Reference.eq(parsed.to_string()))
        .one(rec.txn())
        .await
        .context("reading the incident")?
        .ok_or_else(|| {
            Error::bad_input(format!(
                "no incident {parsed}: `breachdesk incident list` shows them"
            ))
        })
}

pub(crate) fn required_text(name: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::bad_input(format!("the {name} must not be empty")));
    }
    Ok(v.to_string())
}

/// Trims; an empty value means "none".
pub(crate) fn optional_text(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// A few minutes of clock skew between machines are tolerated.
pub(crate) fn check_not_future(
    name: &str,
    t: impl Into<Option<DateTime<Utc>>>,
    now: DateTime<Utc>,
) -> Result<()> {
    match t.into() {
        Some(t) if t > now + chrono::Duration::minutes(5) => Err(Error::bad_input(format!(
            "--{name} {} is in the future (now is {})",
            clock::utc_text(t),
            clock::utc_text(now)
        ))),
        _ => Ok(()),
    }
}

pub(crate) fn check_window(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Result<()> {
    match (from, to) {
        (Some(f), Some(t)) if f > t => Err(Error::bad_input(format!(
            "--occurred-from {} is after --occurred-to {}",
            clock::utc_text(f),
            clock::utc_text(t)
        ))),
        _ => Ok(()),
    }
}
