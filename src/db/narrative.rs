//! The SQL of what letters say beyond the incident record: numbered update summaries and
//! translations of the narrative, and the languages of the people an incident affects.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Statement, Value};

use crate::error::{DbContext, Result};

use super::sql::ph;

fn phs(backend: DbBackend, n: usize) -> Vec<String> {
    (1..=n).map(|i| ph(backend, i)).collect()
}

/// A stored update summary.
#[derive(Debug, Clone)]
pub struct UpdateNoteRow {
    pub number: i32,
    pub summary: String,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
}

/// A stored translation of one field.
#[derive(Debug, Clone)]
pub struct TranslationRow {
    pub locale: String,
    pub field: String,
    pub update_number: i32,
    pub text: String,
}

/// The incident's update summaries, oldest first.
pub async fn update_notes<C: ConnectionTrait>(conn: &C, incident_id: i64) -> Result<Vec<UpdateNoteRow>> {
    let backend = conn.get_database_backend();
    let sql = format!(
        "SELECT number, summary, recorded_at, recorded_by FROM incident_update_note WHERE incident_id = {} \
         ORDER BY number",
        ph(backend, 1)
    );
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [incident_id.into()]))
        .await
        .context("reading the update summaries")?;
    rows.iter()
        .map(|r| {
            Ok(UpdateNoteRow {
                number: r.try_get("", "number")?,
                summary: r.try_get("", "summary")?,
                recorded_at: r.try_get("", "recorded_at")?,
                recorded_by: r.try_get("", "recorded_by")?,
            })
        })
        .collect::<std::result::Result<_, sea_orm::DbErr>>()
        .context("reading the update summaries")
}

/// Records update `number`'s summary, or replaces it if recorded.
pub async fn put_update_note(
    txn: &DatabaseTransaction,
    incident_id: i64,
    number: i32,
    summary: &str,
    at: DateTime<Utc>,
    by: &str,
) -> Result<()> {
    let backend = txn.get_database_backend();
    let p = phs(backend, 5);
    let sql = format!(
        "INSERT INTO incident_update_note (incident_id, number, summary, recorded_at, recorded_by) \
         VALUES ({}, {}, {}, {}, {}) ON CONFLICT (incident_id, number) DO UPDATE SET \
         summary = excluded.summary, recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by",
        p[0], p[1], p[2], p[3], p[4]
    );
    let values: Vec<Value> = vec![
        incident_id.into(),
        number.into(),
        summary.into(),
        at.into(),
        by.into(),
    ];
    txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .context("recording the update summary")?;
    Ok(())
}

/// The incident's translations.
pub async fn translations<C: ConnectionTrait>(conn: &C, incident_id: i64) -> Result<Vec<TranslationRow>> {
    let backend = conn.get_database_backend();
    let sql = format!(
        "SELECT locale, field, update_number, text FROM incident_translation WHERE incident_id = {} \
         ORDER BY locale, update_number, field",
        ph(backend, 1)
    );
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [incident_id.into()]))
        .await
        .context("reading the translations")?;
    rows.iter()
        .map(|r| {
            Ok(TranslationRow {
                locale: r.try_get("", "locale")?,
                field: r.try_get("", "field")?,
                update_number: r.try_get("", "update_number")?,
                text: r.try_get("", "text")?,
            })
        })
        .collect::<std::result::Result<_, sea_orm::DbErr>>()
        .context("reading the translations")
}

/// Sets the translation of `field` (of update `update_number`, 0 for the narrative) into
/// `locale`; an empty text removes it. Returns the text it had before.
pub async fn put_translation(
    txn: &DatabaseTransaction,
    incident_id: i64,
    row: &TranslationRow,
    at: DateTime<Utc>,
    by: &str,
) -> Result<Option<String>> {
    let backend = txn.get_database_backend();
    let p = phs(backend, 7);
    let key: Vec<Value> = vec![
        incident_id.into(),
        row.locale.clone().into(),
        row.field.clone().into(),
        row.update_number.into(),
    ];
    let select = format!(
        "SELECT text FROM incident_translation WHERE incident_id = {} AND locale = {} AND field = {} \
         AND update_number = {}",
        p[0], p[1], p[2], p[3]
    );
    let before: Option<String> = txn
        .query_one_raw(Statement::from_sql_and_values(backend, select, key.clone()))
        .await
        .context("reading the translations")?
        .map(|r| r.try_get("", "text"))
        .transpose()
        .context("reading the translations")?;
    let (sql, values) = if row.text.trim().is_empty() {
        (
            format!(
                "DELETE FROM incident_translation WHERE incident_id = {} AND locale = {} AND field = {} \
                 AND update_number = {}",
                p[0], p[1], p[2], p[3]
            ),
            key,
        )
    } else {
        let mut values = key;
        values.extend([row.text.clone().into(), at.into(), by.into()]);
        (
            format!(
                "INSERT INTO incident_translation (incident_id, locale, field, update_number, text, updated_at, \
                 updated_by) VALUES ({}, {}, {}, {}, {}, {}, {}) \
                 ON CONFLICT (incident_id, locale, field, update_number) DO UPDATE SET text = excluded.text, \
                 updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                p[0], p[1], p[2], p[3], p[4], p[5], p[6]
            ),
            values,
        )
    };
    txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .context("recording the translation")?;
    Ok(before)
}

/// The people affected by the incident, counted by locale and country on record (either may
/// be missing): what the choice of their letters' language depends on.
pub async fn affected_locales<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
) -> Result<Vec<(Option<String>, Option<String>, i64)>> {
    let backend = conn.get_database_backend();
    let sql = format!(
        "SELECT s.locale AS locale, s.country AS country, COUNT(*) AS n FROM affected_subject a \
         JOIN subject s ON s.id = a.subject_id WHERE a.incident_id = {} GROUP BY s.locale, s.country \
         ORDER BY s.locale, s.country",
        ph(backend, 1)
    );
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [incident_id.into()]))
        .await
        .context("reading the languages of the people affected")?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("", "locale")?,
                r.try_get("", "country")?,
                r.try_get("", "n")?,
            ))
        })
        .collect::<std::result::Result<_, sea_orm::DbErr>>()
        .context("reading the languages of the people affected")
}
