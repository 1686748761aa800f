//! The audit chain: every change is recorded, in the same transaction as the change, as an
//! entry whose hash covers its content and the previous entry's hash. Editing, deleting or
//! reordering entries in the database breaks the chain, and `verify` names where.
//!
//! Entries hold references, field names and values of the incident record; they never hold
//! the personal data of the people a breach affected (ids only), so that erasing a person
//! never needs to rewrite the chain.

use chrono::{DateTime, Utc};
use sea_orm::{
    AccessMode, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    IsolationLevel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement, TransactionTrait,
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

/// The audit log, oldest first; only the entries about `incident_ref` when given. Rows outside
/// the chain (numbered below 1 or past its recorded end) were written outside breachdesk and
/// are left out: they are not part of the record, and `audit verify` names them.
pub async fn log(db: &Db, incident_ref: Option<&str>) -> Result<Vec<EntryView>> {
    let txn = snapshot(db).await?;
    let end = chain_end(&txn).await?;
    let mut query = audit_event::Entity::find()
        .filter(audit_event::Column::Seq.between(1, end))
        .order_by_asc(audit_event::Column::Seq);
    if let Some(reference) = incident_ref {
        query = query.filter(audit_event::Column::IncidentRef.eq(reference));
    }
    let entries = query.all(&txn).await.context("reading the audit log")?;
    Ok(entries.into_iter().map(EntryView::from).collect())
}

/// How many rows of the audit table lie outside the chain (see [`log`]).
pub async fn rows_outside_chain(db: &Db) -> Result<u64> {
    let txn = snapshot(db).await?;
    let end = chain_end(&txn).await?;
    audit_event::Entity::find()
        .filter(outside(end))
        .count(&txn)
        .await
        .context("reading the audit log")
}

/// Rows numbered below 1 or past `end`.
fn outside(end: i64) -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(audit_event::Column::Seq.lt(1))
        .add(audit_event::Column::Seq.gt(end))
}

/// The recorded end of the chain (0 when the head row is gone, so that nothing is shown).
async fn chain_end(txn: &DatabaseTransaction) -> Result<i64> {
    Ok(audit_head::Entity::find_by_id(1)
        .one(txn)
        .await
        .context("reading the audit chain")?
        .map_or(0, |h| h.seq))
}

/// A read transaction: every query in it sees the same state of the chain, so an append by
/// another writer while we read is neither half-seen nor mistaken for tampering.
async fn snapshot(db: &Db) -> Result<DatabaseTransaction> {
    let txn = match db.conn.get_database_backend() {
        DbBackend::Postgres => {
            db.conn
                .begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly))
                .await
        }
        // SQLite (WAL) keeps one snapshot for a transaction from its first read.
        _ => db.conn.begin().await,
    };
    txn.context("starting a read transaction")
}

/// The head hash `audit verify` reports: SHA-256 over the number of rows in the audit table and
/// the last entry's hash, so that a row added anywhere, in the chain or beside it, changes it.
pub fn head_hash(rows: u64, last_hash: &str) -> String {
    let content = serde_json::json!([rows, last_hash]);
    hex::encode(Sha256::digest(content.to_string().as_bytes()))
}

/// What `audit verify` found.
#[derive(Debug, Serialize)]
pub struct Verification {
    pub intact: bool,
    /// Entries checked.
    pub entries: i64,
    /// Commits to every row and the row count (see [`head_hash`]): note it down to detect a
    /// rewrite of the whole chain.
    pub head_hash: String,
    /// The first broken entry (or the row outside the chain), when the chain is broken.
    pub broken_at: Option<i64>,
    pub problem: Option<String>,
}

fn broken(seq: i64, problem: String, entries: i64) -> Verification {
    Verification {
        intact: false,
        entries,
        head_hash: String::new(),
        broken_at: Some(seq),
        problem: Some(problem),
    }
}

/// Checks every row of the audit table: the chain from #1 to its recorded end, entry by entry
/// (in pages, so that memory stays flat however long it is), then that no row lies outside it.
pub async fn verify(db: &Db) -> Result<Verification> {
    const PAGE: u64 = 2_000;
    let txn = snapshot(db).await?;
    let head = audit_head::Entity::find_by_id(1)
        .one(&txn)
        .await
        .context("reading the audit chain")?;
    let Some(head) = head else {
        return Ok(broken(
            1,
            "the record of the chain's end was deleted".to_string(),
            0,
        ));
    };
    let mut expected_seq = 1_i64;
    let mut prev_hash = GENESIS_HASH.to_string();
    loop {
        let page = audit_event::Entity::find()
            .filter(audit_event::Column::Seq.between(expected_seq, head.seq))
            .order_by_asc(audit_event::Column::Seq)
            .limit(PAGE)
            .all(&txn)
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
    if head.hash != prev_hash {
        return Ok(broken(
            head.seq,
            format!(
                "the chain's recorded end does not match its last entry (#{last}): entries were rewritten outside breachdesk"
            ),
            last,
        ));
    }
    let stray = audit_event::Entity::find()
        .filter(outside(head.seq))
        .order_by_asc(audit_event::Column::Seq)
        .one(&txn)
        .await
        .context("reading the audit log")?;
    if let Some(stray) = stray {
        return Ok(broken(
            stray.seq,
            format!(
                "entry #{} lies outside the chain, which runs from #1 to #{}: it was added outside breachdesk",
                stray.seq, head.seq
            ),
            last,
        ));
    }
    let rows = audit_event::Entity::find()
        .count(&txn)
        .await
        .context("reading the audit log")?;
    if rows != last as u64 {
        return Ok(broken(
            head.seq,
            format!("the audit table holds {rows} rows but the chain {last} entries"),
            last,
        ));
    }
    Ok(Verification {
        intact: true,
        entries: last,
        head_hash: head_hash(rows, &prev_hash),
        broken_at: None,
        problem: None,
    })
}
