//! Withdrawing letters not yet sent (pending or deferred): inside a resolution, those of people
//! no longer affected and those of people whose data changed since the letter was rendered;
//! on the operator's word, one person's or all. A withdrawn letter keeps its row (status
//! `withdrawn`, the reason in `last_error`) as evidence and is never sent; letters that may
//! have reached the server (`sending`, `uncertain`) or were sent are never touched here.

use std::collections::BTreeSet;

use sea_orm::{ConnectionTrait, DatabaseTransaction, QueryResult, Value};
use serde::Serialize;

use super::entities::notification::NotificationStatus;
use super::sql::stmt;
use crate::error::{DbContext, Result};

const DOING: &str = "withdrawing letters";

/// A letter withdrawn because its person's data changed: what to render again.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ToRender {
    pub subject_id: i64,
    pub kind: String,
    pub update_number: i32,
    pub channel: String,
}

/// What a resolution did to the outbox.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Withdrawal {
    /// Letters withdrawn because their person is no longer affected.
    pub withdrawn_not_affected: u64,
    /// Letters withdrawn because their person's exposed data, address, language or email
    /// changed since they were rendered (rendered again right after).
    pub withdrawn_changed: u64,
    /// People this resolution took out who were already sent a letter (ids): they may be
    /// owed a correction.
    pub told_not_affected: Vec<i64>,
    /// Letters of people no longer affected that may have reached the server (`sending`,
    /// `uncertain`): not withdrawn, to be settled (ids).
    pub in_flight_not_affected: Vec<i64>,
    /// The people whose letters were withdrawn, for the audit log (ids only).
    #[serde(skip)]
    pub subjects: BTreeSet<i64>,
    #[serde(skip)]
    pub to_render: Vec<ToRender>,
}

/// The statuses a letter not yet sent has: the only ones ever withdrawn. Each is its own
/// statement so that SQLite can use the partial index of that status.
const NOT_SENT: [NotificationStatus; 2] = [NotificationStatus::Pending, NotificationStatus::Deferred];

/// Withdraws, in `txn`, the incident's unsent letters of people absent from the resolution
/// in `bd_resolved` and of people whose data changed. Runs before `affected_subject` is
/// brought in line with `bd_resolved` (the comparison needs the old rows).
pub async fn for_resolution(txn: &DatabaseTransaction, incident_id: i64) -> Result<Withdrawal> {
    let b = txn.get_database_backend();
    let mut w = Withdrawal::default();
    let gone = "NOT EXISTS (SELECT 1 FROM bd_resolved r WHERE r.subject_id = notification.subject_id)";
    let changed = "(EXISTS (SELECT 1 FROM bd_resolved n JOIN affected_subject a \
         ON a.incident_id = notification.incident_id AND a.subject_id = n.subject_id \
         WHERE n.subject_id = notification.subject_id AND (a.categories <> n.categories \
         OR a.systems <> n.systems OR a.records <> n.records OR a.country IS DISTINCT FROM n.country \
         OR a.jurisdiction IS DISTINCT FROM n.jurisdiction)) \
         OR EXISTS (SELECT 1 FROM subject s WHERE s.id = notification.subject_id \
         AND s.updated_at > notification.rendered_at))";
    for status in NOT_SENT {
        let rows = withdraw(
            txn,
            incident_id,
            status,
            gone,
            vec![],
            "the person is no longer affected (affected resolve)",
        )
        .await?;
        w.withdrawn_not_affected += rows.len() as u64;
        for r in &rows {
            w.subjects.insert(r.subject_id);
        }
        let rows = withdraw(
            txn,
            incident_id,
            status,
            changed,
            vec![],
            "the person's data changed since it was rendered (affected resolve): rendered again",
        )
        .await?;
        w.withdrawn_changed += rows.len() as u64;
        for r in rows {
            w.subjects.insert(r.subject_id);
            w.to_render.push(r);
        }
    }
    w.to_render.sort();
    // Told: newly out of scope (still in affected_subject) with a letter sent.
    let told = txn
        .query_all_raw(stmt(
            b,
            &format!(
                "SELECT DISTINCT n.subject_id AS id FROM notification n WHERE n.incident_id = ? AND n.status = '{}' \
                 AND NOT EXISTS (SELECT 1 FROM bd_resolved r WHERE r.subject_id = n.subject_id) \
                 AND EXISTS (SELECT 1 FROM affected_subject a WHERE a.incident_id = n.incident_id \
                 AND a.subject_id = n.subject_id) ORDER BY n.subject_id",
                NotificationStatus::Sent.as_str()
            ),
            vec![incident_id.into()],
        ))
        .await
        .context(DOING)?;
    w.told_not_affected = ids(&told)?;
    let in_flight = txn
        .query_all_raw(stmt(
            b,
            &format!(
                "SELECT n.id AS id FROM notification n WHERE n.incident_id = ? AND n.status IN ('{}', '{}') \
                 AND NOT EXISTS (SELECT 1 FROM bd_resolved r WHERE r.subject_id = n.subject_id) ORDER BY n.id",
                NotificationStatus::Sending.as_str(),
                NotificationStatus::Uncertain.as_str()
            ),
            vec![incident_id.into()],
        ))
        .await
        .context(DOING)?;
    w.in_flight_not_affected = ids(&in_flight)?;
    Ok(w)
}

fn ids(rows: &[QueryResult]) -> Result<Vec<i64>> {
    rows.iter()
        .map(|r| r.try_get::<i64>("", "id"))
        .collect::<std::result::Result<_, _>>()
        .context(DOING)
}

/// Marks the incident's letters in `status` that meet `condition` withdrawn, with `reason`.
/// Message-IDs are deterministic (incident, person, channel, kind, update) and unique: a
/// withdrawn letter, never sent, gives its up (`<withdrawn-ID.` before the original) so that
/// the letter rendered in its place carries it.
async fn withdraw(
    txn: &DatabaseTransaction,
    incident_id: i64,
    status: NotificationStatus,
    condition: &str,
    condition_values: Vec<Value>,
    reason: &str,
) -> Result<Vec<ToRender>> {
    let mut values: Vec<Value> = vec![reason.into(), incident_id.into()];
    values.extend(condition_values);
    let rows = txn
        .query_all_raw(stmt(
            txn.get_database_backend(),
            &format!(
                "UPDATE notification SET status = '{}', last_error = ?, lease_worker = NULL, lease_until = NULL, \
                 next_attempt_at = NULL, withdrawn_id = id, message_id = '<withdrawn-' || CAST(id AS TEXT) || '.' || SUBSTR(message_id, 2) \
                 WHERE incident_id = ? AND status = '{}' AND {condition} \
                 RETURNING subject_id, kind, update_number, channel",
                NotificationStatus::Withdrawn.as_str(),
                status.as_str()
            ),
            values,
        ))
        .await
        .context(DOING)?;
    rows.iter()
        .map(|r| {
            Ok(ToRender {
                subject_id: r.try_get("", "subject_id")?,
                kind: r.try_get("", "kind")?,
                update_number: r.try_get("", "update_number")?,
                channel: r.try_get("", "channel")?,
            })
        })
        .collect::<std::result::Result<_, sea_orm::DbErr>>()
        .context(DOING)
}

/// What the operator's withdrawal found: letters withdrawn (or, in a dry run, that would be),
/// and letters of the same people that may have reached the server, left alone.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OperatorWithdrawal {
    pub letters: u64,
    pub subjects: Vec<i64>,
    pub in_flight: Vec<i64>,
}

/// Withdraws the incident's unsent letters of `subject` (all people when `None`); with
/// `dry_run`, only says which.
pub async fn by_operator(
    txn: &DatabaseTransaction,
    incident_id: i64,
    subject: Option<i64>,
    dry_run: bool,
) -> Result<OperatorWithdrawal> {
    let b = txn.get_database_backend();
    let (whom, values): (&str, Vec<Value>) = match subject {
        Some(id) => ("notification.subject_id = ?", vec![id.into()]),
        None => ("1 = 1", vec![]),
    };
    let mut out = OperatorWithdrawal::default();
    let mut people = BTreeSet::new();
    for status in NOT_SENT {
        if dry_run {
            let mut v: Vec<Value> = vec![incident_id.into()];
            v.extend(values.iter().cloned());
            let rows = txn
                .query_all_raw(stmt(
                    b,
                    &format!(
                        "SELECT subject_id FROM notification WHERE incident_id = ? AND status = '{}' AND {whom}",
                        status.as_str()
                    ),
                    v,
                ))
                .await
                .context(DOING)?;
            for r in &rows {
                people.insert(r.try_get::<i64>("", "subject_id").context(DOING)?);
            }
            out.letters += rows.len() as u64;
        } else {
            let rows = withdraw(
                txn,
                incident_id,
                status,
                whom,
                values.clone(),
                "withdrawn by the operator (letters withdraw)",
            )
            .await?;
            out.letters += rows.len() as u64;
            people.extend(rows.iter().map(|r| r.subject_id));
        }
    }
    out.subjects = people.into_iter().collect();
    let mut v: Vec<Value> = vec![incident_id.into()];
    v.extend(values);
    let rows = txn
        .query_all_raw(stmt(
            b,
            &format!(
                "SELECT id FROM notification WHERE incident_id = ? AND status IN ('{}', '{}') AND {whom} ORDER BY id",
                NotificationStatus::Sending.as_str(),
                NotificationStatus::Uncertain.as_str()
            ),
            v,
        ))
        .await
        .context(DOING)?;
    out.in_flight = ids(&rows)?;
    Ok(out)
}
