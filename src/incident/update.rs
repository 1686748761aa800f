//! Changing an incident's facts: every changed field is recorded in the audit chain with its
//! old and new value.

use chrono::{DateTime, Utc};
use sea_orm::ActiveModelTrait;
use serde_json::{Map, Value, json};

use super::{
    BreachTypes, Cause, Incident, check_not_future, check_window, find_in, optional_text, required_text,
};
use crate::audit;
use crate::clock;
use crate::config::Settings;
use crate::db::Db;
use crate::db::entities::incident;
use crate::error::{DbContext, Error, Result};

/// Changes to an incident. `None` leaves a field as it is; for optional fields `Some(None)`
/// clears it.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub title: Option<String>,
    pub nature: Option<Option<String>>,
    pub cause: Option<Cause>,
    pub breach_types: Option<BreachTypes>,
    pub occurred_from: Option<Option<DateTime<Utc>>>,
    pub occurred_to: Option<Option<DateTime<Utc>>>,
    pub detected_at: Option<Option<DateTime<Utc>>>,
    pub aware_at: Option<DateTime<Utc>>,
    pub playbook: Option<Option<String>>,
    pub dpo_name: Option<Option<String>>,
    pub dpo_email: Option<Option<String>>,
    pub dpo_phone: Option<Option<String>>,
    pub likely_consequences: Option<Option<String>>,
    pub measures_taken: Option<Option<String>>,
    pub measures_proposed: Option<Option<String>>,
    pub delay_reasons: Option<Option<String>>,
}

/// Applies `changes`; returns the incident and the names of the fields that changed.
pub async fn update(
    db: &Db,
    settings: &Settings,
    reference: &str,
    changes: Changes,
) -> Result<(Incident, Vec<String>)> {
    let now = settings.now();
    let rec = audit::begin(db, &settings.actor, now).await?;
    let current = find_in(&rec, reference).await?;
    let mut next = current.clone();
    if let Some(title) = changes.title {
        next.title = required_text("title", &title)?;
    }
    if let Some(email) = changes.dpo_email.as_ref().and_then(|e| e.as_deref())
        && !email.contains('@')
    {
        return Err(Error::bad_input(format!(
            "--dpo-email '{email}' is not an email address"
        )));
    }
    let text = |value: Option<Option<String>>, field: &mut Option<String>| {
        if let Some(v) = value {
            *field = optional_text(v);
        }
    };
    text(changes.nature, &mut next.nature);
    text(changes.playbook, &mut next.playbook);
    text(changes.dpo_name, &mut next.dpo_name);
    text(changes.dpo_email, &mut next.dpo_email);
    text(changes.dpo_phone, &mut next.dpo_phone);
    text(changes.likely_consequences, &mut next.likely_consequences);
    text(changes.measures_taken, &mut next.measures_taken);
    text(changes.measures_proposed, &mut next.measures_proposed);
    text(changes.delay_reasons, &mut next.delay_reasons);
    if let Some(cause) = changes.cause {
        next.cause = cause;
    }
    if let Some(types) = changes.breach_types {
        next.breach_confidentiality = types.confidentiality;
        next.breach_integrity = types.integrity;
        next.breach_availability = types.availability;
    }
    let time = |value: Option<Option<DateTime<Utc>>>, field: &mut Option<DateTime<Utc>>| {
        if let Some(v) = value {
            *field = v;
        }
    };
    time(changes.occurred_from, &mut next.occurred_from);
    time(changes.occurred_to, &mut next.occurred_to);
    time(changes.detected_at, &mut next.detected_at);
    if let Some(aware) = changes.aware_at {
        next.aware_at = aware;
    }
    check_not_future("aware-at", next.aware_at, now)?;
    check_not_future("detected-at", next.detected_at, now)?;
    check_not_future("occurred-from", next.occurred_from, now)?;
    check_window(next.occurred_from, next.occurred_to)?;

    let changed = diff(&current, &next);
    if changed.is_empty() {
        return Ok((current, Vec::new()));
    }
    next.updated_at = now;
    let mut active: incident::ActiveModel = next.into();
    active = active.reset_all();
    let saved = active.update(rec.txn()).await.context("updating the incident")?;
    let names = changed.keys().cloned().collect();
    rec.record(
        "incident.update",
        &format!("incident:{}", saved.reference),
        Some(&saved.reference),
        json!({ "changed": Value::Object(changed) }),
    )
    .await?;
    rec.commit().await?;
    Ok((saved, names))
}

/// The audit form of what changed: `{field: {"from": old, "to": new}}`.
fn diff(a: &Incident, b: &Incident) -> Map<String, Value> {
    let mut changed = Map::new();
    let mut field = |name: &str, from: Value, to: Value| {
        if from != to {
            changed.insert(name.to_string(), json!({ "from": from, "to": to }));
        }
    };
    let t = |v: Option<DateTime<Utc>>| json!(v.map(clock::utc_text));
    field("title", json!(a.title), json!(b.title));
    field("nature", json!(a.nature), json!(b.nature));
    field("cause", json!(a.cause.as_str()), json!(b.cause.as_str()));
    field(
        "breach_types",
        json!([
            a.breach_confidentiality,
            a.breach_integrity,
            a.breach_availability
        ]),
        json!([
            b.breach_confidentiality,
            b.breach_integrity,
            b.breach_availability
        ]),
    );
    field("occurred_from", t(a.occurred_from), t(b.occurred_from));
    field("occurred_to", t(a.occurred_to), t(b.occurred_to));
    field("detected_at", t(a.detected_at), t(b.detected_at));
    field("aware_at", t(Some(a.aware_at)), t(Some(b.aware_at)));
    field("playbook", json!(a.playbook), json!(b.playbook));
    field("dpo_name", json!(a.dpo_name), json!(b.dpo_name));
    field("dpo_email", json!(a.dpo_email), json!(b.dpo_email));
    field("dpo_phone", json!(a.dpo_phone), json!(b.dpo_phone));
    field(
        "likely_consequences",
        json!(a.likely_consequences),
        json!(b.likely_consequences),
    );
    field("measures_taken", json!(a.measures_taken), json!(b.measures_taken));
    field(
        "measures_proposed",
        json!(a.measures_proposed),
        json!(b.measures_proposed),
    );
    field("delay_reasons", json!(a.delay_reasons), json!(b.delay_reasons));
    changed
}
