//! The tool's own data-subject rights: breachdesk holds personal data too (the inventory, the
//! letters, the follow-up), so a person can ask what it holds (`export`, Arts. 15 and 20) and
//! have it erased (`erase`, Art. 17) without the counts of any incident changing.

pub mod export;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use serde_json::json;

use crate::audit;
use crate::config::Settings;
use crate::db::Db;
use crate::db::entities::subject;
use crate::db::subject::{self as sql, Erased};
use crate::error::{DbContext, Error, Result};
use crate::inventory::fields::SubjectEmail;

/// The person `id` names: a subject id or an email address.
pub async fn find(db: &Db, id: &str) -> Result<subject::Model> {
    let id = id.trim();
    let missing = || {
        Error::bad_input(format!(
            "no person '{id}' in {}: give a subject id (`affected list` shows them) or an email address",
            db.location.describe()
        ))
    };
    let query = if id.contains('@') {
        let email = SubjectEmail::parse(id).map_err(|e| Error::bad_input(format!("'{id}': {e}")))?;
        subject::Entity::find().filter(subject::Column::SubjectKey.eq(format!("e:{}", email.match_key())))
    } else {
        let n: i64 = id.parse().map_err(|_| missing())?;
        subject::Entity::find_by_id(n)
    };
    let found = query.one(&db.conn).await.context("finding the person")?;
    match found {
        Some(s) => Ok(s),
        None if id.contains('@') => {
            // A person keyed otherwise (an explicit key) with this address.
            let key = id.to_lowercase();
            let all = subject::Entity::find()
                .filter(Expr::expr(Func::lower(Expr::col(subject::Column::Email))).eq(key))
                .one(&db.conn)
                .await
                .context("finding the person")?;
            all.ok_or_else(missing)
        }
        None => Err(missing()),
    }
}

/// What `subject erase` did.
#[derive(Debug, Serialize)]
pub struct Erasure {
    pub subject_id: i64,
    #[serde(serialize_with = "crate::clock::json_utc")]
    pub erased_at: DateTime<Utc>,
    #[serde(flatten)]
    pub rows: Erased,
    /// False when the database file could not be fully rewritten (another process held it):
    /// run `subject erase` again once it is idle.
    pub scrubbed: bool,
}

/// Removes the person's personal data everywhere, recording in the audit chain that an
/// erasure happened (the subject id and row counts, nothing erased).
pub async fn erase(db: &Db, settings: &Settings, person: &subject::Model) -> Result<Erasure> {
    let now = settings.now();
    let rec = audit::begin(db, &settings.actor, now).await?;
    let rows = sql::erase(rec.txn(), person.id, now).await?;
    rec.record(
        "subject.erase",
        &format!("subject:{}", person.id),
        None,
        json!({
            "subject_id": person.id,
            "records": rows.records,
            "letters": rows.letters,
            "case_events": rows.case_events,
            "requests": rows.requests,
            "again": person.erased_at.is_some(),
        }),
    )
    .await?;
    rec.commit().await?;
    let scrubbed = sql::scrub(&db.conn).await?;
    Ok(Erasure {
        subject_id: person.id,
        erased_at: now,
        rows,
        scrubbed,
    })
}
