//! The SQL of postal letters: an incident's postal letters a page at a time (with the
//! person's country, for the mail house), and marking them sent once posted.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, Statement, Value};

use super::entities::notification::NotificationStatus;
use crate::error::{DbContext, Result};

/// A stored postal letter as the print run needs it.
#[derive(Debug, Clone)]
pub struct PostalRow {
    pub id: i64,
    pub subject_id: i64,
    pub locale: String,
    pub verification_code: String,
    pub recipient: String,
    pub body_text: String,
    pub content_hash: String,
    pub status: String,
    /// The person's country code, if on record.
    pub country: Option<String>,
}

use super::sql::ph;

/// The incident's postal letters of `kind` (and update number) with ids after `after`, in id
/// order, at most `limit`; pending ones only unless `include_sent` (then sent ones too); only
/// those of people the incident currently affects.
pub async fn page<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    kind: &str,
    update_number: i32,
    include_sent: bool,
    after: i64,
    limit: u64,
) -> Result<Vec<PostalRow>> {
    let backend = conn.get_database_backend();
    let statuses = if include_sent {
        "'pending', 'sent'"
    } else {
        "'pending'"
    };
    let sql = format!(
        "SELECT n.id, n.subject_id, n.locale, n.verification_code, n.recipient, {}, n.content_hash, \
         n.status, s.country FROM notification n JOIN subject s ON s.id = n.subject_id \
         JOIN notification_content c ON c.notification_id = n.id \
         WHERE n.incident_id = {} AND n.kind = {} AND n.update_number = {} AND n.channel = 'postal' \
         AND n.status IN ({statuses}) AND n.id > {} \
         AND EXISTS (SELECT 1 FROM affected_subject a WHERE a.incident_id = n.incident_id AND a.subject_id = n.subject_id) \
         ORDER BY n.id LIMIT {limit}",
        super::letter_pack::columns("c"),
        ph(backend, 1),
        ph(backend, 2),
        ph(backend, 3),
        ph(backend, 4),
    );
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [
                incident_id.into(),
                kind.into(),
                update_number.into(),
                after.into(),
            ],
        ))
        .await
        .context("reading the postal letters")?;
    let bodies = super::letter_pack::bodies(conn, &mut Default::default(), &rows).await?;
    rows.iter()
        .zip(bodies)
        .map(|(r, (body_text, _))| {
            Ok(PostalRow {
                id: r.try_get("", "id")?,
                subject_id: r.try_get("", "subject_id")?,
                locale: r.try_get("", "locale")?,
                verification_code: r.try_get("", "verification_code")?,
                recipient: r.try_get("", "recipient")?,
                body_text,
                content_hash: r.try_get("", "content_hash")?,
                status: r.try_get("", "status")?,
                country: r.try_get("", "country")?,
            })
        })
        .collect::<std::result::Result<_, sea_orm::DbErr>>()
        .context("reading the postal letters")
}

/// The state of one postal letter of the incident: (status, content hash); `None` when the
/// incident has no postal letter with this id.
pub async fn state<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    id: i64,
) -> Result<Option<(String, String)>> {
    let backend = conn.get_database_backend();
    let sql = format!(
        "SELECT status, content_hash FROM notification WHERE id = {} AND incident_id = {} AND channel = 'postal'",
        ph(backend, 1),
        ph(backend, 2)
    );
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [id.into(), incident_id.into()],
        ))
        .await
        .context("reading the postal letters")?;
    row.map(|r| Ok((r.try_get("", "status")?, r.try_get("", "content_hash")?)))
        .transpose()
        .map_err(|e: sea_orm::DbErr| e)
        .context("reading the postal letters")
}

/// Marks the pending postal letter `id` with `content_hash` as sent at `at`; false when it is
/// not (any longer) pending with that content.
pub async fn mark_sent(
    txn: &DatabaseTransaction,
    incident_id: i64,
    id: i64,
    content_hash: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    let backend = txn.get_database_backend();
    let sql = format!(
        "UPDATE notification SET status = {}, sent_at = {} WHERE id = {} AND incident_id = {} \
         AND channel = 'postal' AND status = {} AND content_hash = {}",
        ph(backend, 1),
        ph(backend, 2),
        ph(backend, 3),
        ph(backend, 4),
        ph(backend, 5),
        ph(backend, 6)
    );
    let values: Vec<Value> = vec![
        NotificationStatus::Sent.as_str().into(),
        at.into(),
        id.into(),
        incident_id.into(),
        NotificationStatus::Pending.as_str().into(),
        content_hash.into(),
    ];
    let done = txn
        .execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .context("marking letters as posted")?;
    Ok(done.rows_affected() == 1)
}
