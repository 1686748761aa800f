//! Everything breachdesk holds about one person, as one JSON document: their contact data,
//! their records in each system, the incidents that affected them, their letters as stored,
//! and their follow-up cases with every event and request.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use serde_json::json;

use crate::audit;
use crate::category::DataCategory;
use crate::config::Settings;
use crate::db::Db;
use crate::db::entities::{
    affected_subject, case_event, case_request, followup_case, incident, notification, subject,
    subject_record, system,
};
use crate::error::{DbContext, Result};

/// The export.
#[derive(Debug, Serialize)]
pub struct SubjectExport {
    pub subject_id: i64,
    pub email: Option<String>,
    pub name: Option<String>,
    pub locale: Option<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
    #[serde(serialize_with = "crate::clock::json_utc_opt")]
    pub erased_at: Option<DateTime<Utc>>,
    pub records: Vec<serde_json::Value>,
    pub incidents: Vec<serde_json::Value>,
    pub letters: Vec<serde_json::Value>,
    pub cases: Vec<serde_json::Value>,
}

fn t(at: Option<DateTime<Utc>>) -> Option<String> {
    at.map(crate::clock::utc_text)
}

/// Everything about `person`; the export itself is recorded in the audit chain (who gave
/// whose data out, when; no data).
pub async fn export(db: &Db, settings: &Settings, person: subject::Model) -> Result<SubjectExport> {
    const DOING: &str = "exporting the person's data";
    let systems = system::Entity::find().all(&db.conn).await.context(DOING)?;
    let system_key = |id: i64| systems.iter().find(|s| s.id == id).map(|s| s.key.clone());
    let incidents = incident::Entity::find().all(&db.conn).await.context(DOING)?;
    let reference = |id: i64| incidents.iter().find(|i| i.id == id).map(|i| i.reference.clone());
    let records = subject_record::Entity::find()
        .filter(subject_record::Column::SubjectId.eq(person.id))
        .order_by_asc(subject_record::Column::Id)
        .all(&db.conn)
        .await
        .context(DOING)?
        .into_iter()
        .map(|r| {
            json!({
                "system": system_key(r.system_id),
                "external_id": r.external_id,
                "categories": DataCategory::from_mask(r.categories),
                "first_seen": t(r.first_seen),
                "last_seen": t(r.last_seen),
                "updated_at": t(Some(r.updated_at)),
            })
        })
        .collect();
    let affected = affected_subject::Entity::find()
        .filter(affected_subject::Column::SubjectId.eq(person.id))
        .order_by_asc(affected_subject::Column::Id)
        .all(&db.conn)
        .await
        .context(DOING)?
        .into_iter()
        .map(|a| {
            let inc = incidents.iter().find(|i| i.id == a.incident_id);
            json!({
                "incident": inc.map(|i| i.reference.clone()),
                "title": inc.map(|i| i.title.clone()),
                "categories": DataCategory::from_mask(a.categories),
                "systems": a.systems.split(',').filter(|s| !s.is_empty()).collect::<Vec<_>>(),
                "records": a.records,
                "jurisdiction": a.jurisdiction,
                "resolved_at": t(Some(a.resolved_at)),
            })
        })
        .collect();
    let mut letters = Vec::new();
    for n in notification::Entity::find()
        .filter(notification::Column::SubjectId.eq(person.id))
        .order_by_asc(notification::Column::Id)
        .all(&db.conn)
        .await
        .context(DOING)?
    {
        let content = crate::db::outbox::content_of(&db.conn, n.id).await?;
        letters.push(json!({
            "incident": reference(n.incident_id),
            "channel": n.channel,
            "kind": n.kind,
            "status": n.status,
            "locale": n.locale,
            "verification_code": n.verification_code,
            "message_id": n.message_id,
            "recipient": n.recipient,
            "subject": content.subject,
            "text": content.body_text,
            "html": content.body_html,
            "sent_at": t(n.sent_at),
        }));
    }
    let mut cases = Vec::new();
    for c in followup_case::Entity::find()
        .filter(followup_case::Column::SubjectId.eq(person.id))
        .order_by_asc(followup_case::Column::Id)
        .all(&db.conn)
        .await
        .context(DOING)?
    {
        let events = case_event::Entity::find()
            .filter(case_event::Column::CaseId.eq(c.id))
            .order_by_asc(case_event::Column::Id)
            .all(&db.conn)
            .await
            .context(DOING)?;
        let requests = case_request::Entity::find()
            .filter(case_request::Column::CaseId.eq(c.id))
            .order_by_asc(case_request::Column::Id)
            .all(&db.conn)
            .await
            .context(DOING)?;
        cases.push(json!({
            "incident": reference(c.incident_id),
            "status": c.status,
            "in_scope": c.in_scope,
            "events": events.into_iter().map(|e| json!({
                "at": t(Some(e.at)), "actor": e.actor, "kind": e.kind, "from": e.from_status,
                "to": e.to_status, "assist": e.assist, "text": e.text,
            })).collect::<Vec<_>>(),
            "requests": requests.into_iter().map(|r| json!({
                "right": r.right, "received_at": t(Some(r.received_at)), "due_at": t(Some(r.due_at)),
                "done_at": t(r.done_at), "text": r.text,
            })).collect::<Vec<_>>(),
        }));
    }
    let rec = audit::begin(db, &settings.actor, settings.now()).await?;
    rec.record(
        "subject.export",
        &format!("subject:{}", person.id),
        None,
        json!({ "subject_id": person.id }),
    )
    .await?;
    rec.commit().await?;
    Ok(SubjectExport {
        subject_id: person.id,
        email: person.email,
        name: person.name,
        locale: person.locale,
        country: person.country,
        region: person.region,
        address_line1: person.address_line1,
        address_line2: person.address_line2,
        postal_code: person.postal_code,
        city: person.city,
        phone: person.phone,
        erased_at: person.erased_at,
        records,
        incidents: affected,
        letters,
        cases,
    })
}
