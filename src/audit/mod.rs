//! The audit chain: every change is recorded, in the same transaction as the change, as an
//! entry whose hash covers its content and the previous entry's hash. Editing, deleting or
//! reordering entries in the database breaks the chain, and `verify` names where.
//!
//! Entries hold references, field names and values of the incident record; they never hold
//! the personal data of the people a breach affected (ids only), so that erasing a person
//! never needs to rewrite the chain.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement, TransactionTrait,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::Db;
use crate::db::entities::{audit_event, audit_head};
use crate::error::{DbContext, Error, Result};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A write transaction whose changes are recorded in the audit chain. Opening one locks the
/// head of the chain, so writers — in this process, others, or on other machines — append
/// one after the other and never fork the chain.
pub struct Recorder {
    txn: DatabaseTransaction,
    actor: String,
    at: DateTime<Utc>,
}

/// Starts a recorded change by `actor` at `at`.
pub async fn begin(db: &Db, actor: &str, at: DateTime<Utc>) -> Result<Recorder> {
    let txn = db.conn.begin().await.context("starting a transaction")?;
    // The first statement writes, so SQLite takes its write lock now (waiting for another
    // writer if need be) and PostgreSQL locks the head row until commit.
    txn.execute_raw(Statement::from_string(
        txn.get_database_backend(),
        "UPDATE audit_head SET seq = seq WHERE id = 1",
    ))
    .await
    .context("locking the audit chain")?;
    Ok(Recorder {
        txn,
        actor: actor.to_string(),
        at,
    })
}

impl Recorder {
    /// The transaction to make the change in.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// Appends an entry: `action` (e.g. `incident.update`) done to `entity`
    /// (e.g. `incident:BD-2026-0001`), with `details` as a JSON object.
    pub async fn record(
        &self,
        action: &str,
        entity: &str,
        incident_ref: Option<&str>,
        details: serde_json::Value,
    ) -> Result<()> {
        let head = audit_head::Entity::find_by_id(1)
            .one(&self.txn)
            .await
            .context("reading the audit chain")?
            .ok_or_else(|| {
                Error::failure("the audit chain has no head row: the database was altered outside breachdesk")
            })?;
        let mut entry = audit_event::Model {
            seq: head.seq + 1,
            at: self.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
            actor: self.actor.clone(),
            action: action.to_string(),
            entity: entity.to_string(),
            incident_ref: incident_ref.map(str::to_string),
            details: details.to_string(),
            prev_hash: head.hash,
            hash: String::new(),
        };
        entry.hash = entry_hash(&entry);
        let (seq, hash) = (entry.seq, entry.hash.clone());
        audit_event::ActiveModel::from(entry)
            .reset_all()
            .insert(&self.txn)
            .await
            .context("appending to the audit chain")?;
        audit_head::ActiveModel {
            id: Set(1),
            seq: Set(seq),
            hash: Set(hash),
        }
        .update(&self.txn)
        .await
        .context("appending to the audit chain")?;
        Ok(())
    }

    /// Makes the change and its audit entries durable together.
    pub async fn commit(self) -> Result<()> {
        self.txn.commit().await.context("committing the change")
    }
}

/// The hash of an entry: SHA-256 over its fields and the previous hash, as a JSON array (which
/// leaves no ambiguity about where one field ends).
pub fn entry_hash(e: &audit_event::Model) -> String {
    let content = serde_json::json!([
        e.seq,
        e.at,
        e.actor,
        e.action,
        e.entity,
        e.incident_ref,
        e.details,
        e.prev_hash
    ]);
    hex::encode(Sha256::digest(content.to_string().as_bytes()))
}

/// An entry as `audit log --json` shows it.
#[derive(Debug, Serialize)]
pub struct EntryView {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub incident: Option<String>,
    pub details: serde_json::Value,
    pub hash: String,
}

impl From<audit_event::Model> for EntryView {
    fn from(e: audit_event::Model) -> Self {
        EntryView {
            details: serde_json::from_str(&e.details).unwrap_or(serde_json::Value::String(e.details)),
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            action: e.action,
            entity: e.entity,
            incident: e.incident_ref,
            hash: e.hash,
        }
    }
}

/// The audit log, oldest first; only the entries about `incident_ref` when given.
pub async fn log(db: &Db, incident_ref: Option<&str>) -> Result<Vec<EntryView>> {
    let mut query = audit_event::Entity::find().order_by_asc(audit_event::Column::Seq);
    if let Some(reference) = incident_ref {
        query = query.filter(audit_event::Column::IncidentRef.eq(reference));
    }
    let entries = query.all(&db.conn).await.context("reading the audit log")?;
    Ok(entries.into_iter().map(EntryView::from).collect())
}

/// What `audit verify` found.
#[derive(Debug, Serialize)]
pub struct Verification {
    pub intact: bool,
    /// Entries checked.
    pub entries: i64,
    /// The hash at the end of the chain: note it down to detect a rewrite of the whole chain.
    pub head_hash: String,
    /// The first broken entry, when the chain is broken.
    pub broken_at: Option<i64>,
    pub problem: Option<String>,
}

/// Walks the whole chain, in pages so that memory stays flat however long it is.
pub async fn verify(db: &Db) -> Result<Verification> {
    const PAGE: u64 = 2_000;
    let mut expected_seq = 1_i64;
    let mut prev_hash = GENESIS_HASH.to_string();
    let broken = |seq: i64, problem: String, entries: i64| Verification {
        intact: false,
        entries,
        head_hash: String::new(),
        broken_at: Some(seq),
        problem: Some(problem),
    };
    loop {
        let page = audit_event::Entity::find()
            .filter(audit_event::Column::Seq.gte(expected_seq))
            .order_by_asc(audit_event::Column::Seq)
            .limit(PAGE)
            .all(&db.conn)
            .await
            .context("reading the audit log")?;
        let done = (page.len() as u64) < PAGE;
        for entry in page {
            let checked = expected_seq - 1;
            if entry.seq != expected_seq {
                return Ok(broken(
                    expected_seq,
                    format!("entry #{expected_seq} is missing: it was deleted, or renumbered"),
                    checked,
                ));
            }
            if entry.prev_hash != prev_hash {
                return Ok(broken(
                    entry.seq,
                    format!(
                        "entry #{} does not follow entry #{}: entries were deleted, reordered or rewritten",
                        entry.seq,
                        entry.seq - 1
                    ),
                    checked,
                ));
            }
            if entry_hash(&entry) != entry.hash {
                return Ok(broken(
                    entry.seq,
                    format!(
                        "entry #{} was altered: its content no longer matches its hash",
                        entry.seq
                    ),
                    checked,
                ));
            }
            prev_hash = entry.hash;
            expected_seq += 1;
        }
        if done {
            break;
        }
    }
    let last = expected_seq - 1;
    let head = audit_head::Entity::find_by_id(1)
        .one(&db.conn)
        .await
        .context("reading the audit chain")?;
    let Some(head) = head else {
        return Ok(broken(
            last + 1,
            "the record of the chain's end was deleted".to_string(),
            last,
        ));
    };
    if head.seq > last {
        return Ok(broken(
            last + 1,
            format!(
                "the chain should end at entry #{} but ends at #{last}: the entries after it were deleted",
                head.seq
            ),
            last,
        ));
    }
    if head.seq < last || head.hash != prev_hash {
        return Ok(broken(
            head.seq + 1,
            format!(
                "the chain's recorded end (#{}) does not match its last entry (#{last}): entries were added or rewritten outside breachdesk",
                head.seq
            ),
            last,
        ));
    }
    Ok(Verification {
        intact: true,
        entries: last,
        head_hash: prev_hash,
        broken_at: None,
        problem: None,
    })
}
