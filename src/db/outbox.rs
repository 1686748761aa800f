//! The outbox tables' SQL: which letters an incident already has, multi-row inserts of newly
//! rendered ones, the template versions they were rendered with, and single-letter look-ups.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Statement, Value,
};

use super::entities::notification::{self, NotificationStatus};
use crate::error::{DbContext, Result};

/// A rendered letter, as the outbox takes it.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub subject_id: i64,
    pub channel: &'static str,
    pub locale: String,
    pub verification_code: String,
    pub message_id: String,
    pub recipient: String,
    pub subject: String,
    pub body: PackedBody,
    pub content_hash: String,
}

const COLUMNS: usize = 14;
/// Rows per INSERT: 14 × 400 bind values stay under SQLite's and PostgreSQL's limits.
const ROWS_PER_STATEMENT: usize = 400;

/// What a letter says: subject line, text and HTML (empty where the channel has none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Content {
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

use super::letter_pack::{self, Dictionaries, PackedBody};
use super::sql::ph;

/// The letters of `kind` (and update number) the incident already has for subjects in
/// `from..=to`, withdrawn ones aside: (subject id, channel, status).
pub async fn existing<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    kind: &str,
    update_number: i32,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, String, String)>> {
    let backend = conn.get_database_backend();
    let sql = format!(
        "SELECT subject_id, channel, status FROM notification WHERE incident_id = {} AND kind = {} \
         AND subject_id >= {} AND subject_id <= {} AND update_number = {} AND status <> '{}'",
        ph(backend, 1),
        ph(backend, 2),
        ph(backend, 3),
        ph(backend, 4),
        ph(backend, 5),
        NotificationStatus::Withdrawn.as_str()
    );
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [
                incident_id.into(),
                kind.into(),
                from.into(),
                to.into(),
                update_number.into(),
            ],
        ))
        .await
        .context("reading the outbox")?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("", "subject_id")?,
                r.try_get("", "channel")?,
                r.try_get("", "status")?,
            ))
        })
        .collect::<std::result::Result<_, sea_orm::DbErr>>()
        .context("reading the outbox")
}

/// Inserts `rows` as pending letters of `kind` (and update number) rendered with `version`; a
/// letter the outbox already has (same incident, subject, channel, kind, update) is left
/// alone. Returns the (subject id, channel) of those added.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    txn: &DatabaseTransaction,
    incident_id: i64,
    kind: &str,
    update_number: i32,
    version: &str,
    rows: Vec<NewNotification>,
    now: DateTime<Utc>,
    dicts: &mut Dictionaries,
) -> Result<Vec<(i64, String)>> {
    let backend = txn.get_database_backend();
    let mut added = Vec::with_capacity(rows.len());
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let part: Vec<NewNotification> = rows.by_ref().take(ROWS_PER_STATEMENT).collect();
        let mut sql = String::with_capacity(part.len() * COLUMNS * 5 + 256);
        sql.push_str(
            "INSERT INTO notification (incident_id, subject_id, channel, kind, template_version, locale, \
             verification_code, message_id, recipient, content_hash, status, attempts, rendered_at, \
             update_number) VALUES ",
        );
        let mut values: Vec<Value> = Vec::with_capacity(part.len() * COLUMNS);
        let mut contents = std::collections::HashMap::with_capacity(part.len());
        for (i, r) in part.into_iter().enumerate() {
            push_row(&mut sql, backend, i, COLUMNS);
            contents.insert((r.subject_id, r.channel.to_string()), (r.subject, r.body));
            values.extend([
                Value::from(incident_id),
                r.subject_id.into(),
                r.channel.into(),
                kind.into(),
                version.into(),
                r.locale.into(),
                r.verification_code.into(),
                r.message_id.into(),
                r.recipient.into(),
                r.content_hash.into(),
                NotificationStatus::Pending.as_str().into(),
                0_i32.into(),
                now.into(),
                update_number.into(),
            ]);
        }
        // Letters the outbox already has are left alone: only the new ones come back.
        sql.push_str(" ON CONFLICT DO NOTHING RETURNING id, subject_id, channel");
        let inserted = txn
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await
            .context("writing the outbox")?;
        let mut content_rows = Vec::with_capacity(inserted.len());
        for r in &inserted {
            let id: i64 = r.try_get("", "id").context("writing the outbox")?;
            let subject_id: i64 = r.try_get("", "subject_id").context("writing the outbox")?;
            let channel: String = r.try_get("", "channel").context("writing the outbox")?;
            if let Some(c) = contents.remove(&(subject_id, channel.clone())) {
                content_rows.push((id, c));
            }
            added.push((subject_id, channel));
        }
        insert_content(txn, content_rows, dicts).await?;
    }
    Ok(added)
}

/// Appends the placeholders of the `i`th row (from 0) of a multi-row VALUES list.
fn push_row(sql: &mut String, backend: sea_orm::DbBackend, i: usize, columns: usize) {
    sql.push_str(if i == 0 { "(" } else { ",(" });
    for c in 0..columns {
        if c > 0 {
            sql.push(',');
        }
        match backend {
            sea_orm::DbBackend::Postgres => {
                let _ = write!(sql, "${}", i * columns + c + 1);
            }
            _ => sql.push('?'),
        }
    }
    sql.push(')');
}

/// Stores the letters of newly inserted notifications.
async fn insert_content(
    txn: &DatabaseTransaction,
    rows: Vec<(i64, (String, PackedBody))>,
    dicts: &mut Dictionaries,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    const PER_ROW: usize = 6;
    let backend = txn.get_database_backend();
    let mut sql = String::with_capacity(rows.len() * 32 + 128);
    sql.push_str(
        "INSERT INTO notification_content (notification_id, subject, body_text, body_html, dictionary_id, packed) \
         VALUES ",
    );
    let mut values: Vec<Value> = Vec::with_capacity(rows.len() * PER_ROW);
    for (i, (id, (subject, body))) in rows.into_iter().enumerate() {
        push_row(&mut sql, backend, i, PER_ROW);
        values.extend([id.into(), subject.into()]);
        let dictionary_id = dicts.id_of(txn, &body.dictionary).await?;
        values.extend([
            "".into(),
            "".into(),
            dictionary_id.into(),
            Value::Bytes(Some(body.bytes)),
        ]);
    }
    txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .context("writing the outbox")?;
    Ok(())
}

/// What notification `id` says, exactly as stored.
pub async fn content_of<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Content> {
    let backend = conn.get_database_backend();
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "SELECT c.subject, {} FROM notification_content c WHERE c.notification_id = {}",
                letter_pack::columns("c"),
                ph(backend, 1)
            ),
            [id.into()],
        ))
        .await
        .context("reading the outbox")?;
    match row {
        Some(r) => {
            let subject = r.try_get("", "subject").context("reading the outbox")?;
            let mut bodies = letter_pack::bodies(conn, &mut Dictionaries::default(), &[r]).await?;
            let (body_text, body_html) = bodies.pop().unwrap_or_default();
            Ok(Content {
                subject,
                body_text,
                body_html,
            })
        }
        None => Ok(Content::default()),
    }
}

/// How many letters of `kind` (and update number) the incident has rendered with a template
/// set other than `current`, by version and status (withdrawn ones aside). Letters of the current version are not
/// read: on SQLite, grouping a million of them would sort them all in memory.
pub async fn other_versions<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    kind: &str,
    update_number: i32,
    current: &str,
) -> Result<Vec<(String, String, i64)>> {
    let backend = conn.get_database_backend();
    let sql = format!(
        "SELECT template_version AS v, status AS s, COUNT(*) AS n FROM notification \
         WHERE incident_id = {} AND kind = {} AND update_number = {} AND template_version <> {} \
         AND status <> '{}' GROUP BY template_version, status ORDER BY template_version, status",
        ph(backend, 1),
        ph(backend, 2),
        ph(backend, 3),
        ph(backend, 4),
        NotificationStatus::Withdrawn.as_str()
    );
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [
                incident_id.into(),
                kind.into(),
                update_number.into(),
                current.into(),
            ],
        ))
        .await
        .context("reading the outbox")?;
    rows.iter()
        .map(|r| Ok((r.try_get("", "v")?, r.try_get("", "s")?, r.try_get("", "n")?)))
        .collect::<std::result::Result<_, sea_orm::DbErr>>()
        .context("reading the outbox")
}

/// Deletes the incident's pending letters of `kind` rendered with another template version
/// than `current`, so that they are rendered again; returns how many.
pub async fn delete_stale_pending(
    txn: &DatabaseTransaction,
    incident_id: i64,
    kind: &str,
    update_number: i32,
    current: &str,
) -> Result<u64> {
    let done = notification::Entity::delete_many()
        .filter(notification::Column::IncidentId.eq(incident_id))
        .filter(notification::Column::Kind.eq(kind))
        .filter(notification::Column::UpdateNumber.eq(update_number))
        .filter(notification::Column::Status.eq(NotificationStatus::Pending))
        .filter(notification::Column::TemplateVersion.ne(current))
        .exec(txn)
        .await
        .context("clearing letters to render again")?;
    Ok(done.rows_affected)
}

/// The stored letters of one person for an incident, kind and update, email first; withdrawn
/// ones aside.
pub async fn letters_of<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    subject_id: i64,
    kind: &str,
    update_number: i32,
) -> Result<Vec<notification::Model>> {
    notification::Entity::find()
        .filter(notification::Column::IncidentId.eq(incident_id))
        .filter(notification::Column::SubjectId.eq(subject_id))
        .filter(notification::Column::Kind.eq(kind))
        .filter(notification::Column::UpdateNumber.eq(update_number))
        .filter(notification::Column::Status.ne(NotificationStatus::Withdrawn))
        .order_by_asc(notification::Column::Channel)
        .all(conn)
        .await
        .context("reading the outbox")
}

/// The id of the person with this email address (the identity key imports give them).
pub async fn subject_by_email<C: ConnectionTrait>(conn: &C, email: &str) -> Result<Option<i64>> {
    use super::entities::subject;
    let key = format!("e:{}", email.trim().to_lowercase());
    let found = subject::Entity::find()
        .filter(subject::Column::SubjectKey.eq(key))
        .one(conn)
        .await
        .context("finding the person")?;
    Ok(found.map(|s| s.id))
}

/// How many people the incident affects.
pub async fn count_affected<C: ConnectionTrait>(conn: &C, incident_id: i64) -> Result<u64> {
    let backend = conn.get_database_backend();
    let sql = format!(
        "SELECT COUNT(*) AS n FROM affected_subject WHERE incident_id = {}",
        ph(backend, 1)
    );
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [incident_id.into()]))
        .await
        .context("counting affected subjects")?;
    let n: i64 = match row {
        Some(r) => r.try_get("", "n").context("counting affected subjects")?,
        None => 0,
    };
    Ok(n.max(0) as u64)
}

/// How many affected people of the incident have an email letter of `kind` (and update
/// number) that was sent or is on its way (neither bounced, failed nor withdrawn), and no
/// postal letter of it.
pub async fn count_with_email_letter<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    kind: &str,
    update_number: i32,
) -> Result<u64> {
    let backend = conn.get_database_backend();
    let gone = [
        NotificationStatus::Bounced,
        NotificationStatus::Failed,
        NotificationStatus::Withdrawn,
    ]
    .map(|s| format!("'{}'", s.as_str()))
    .join(", ");
    let sql = format!(
        "SELECT COUNT(DISTINCT n.subject_id) AS n FROM notification n JOIN affected_subject a \
         ON a.incident_id = n.incident_id AND a.subject_id = n.subject_id \
         WHERE n.incident_id = {p1} AND n.kind = {p2} AND n.update_number = {p3} AND n.channel = 'email' \
         AND n.status NOT IN ({gone}) AND NOT EXISTS (SELECT 1 FROM notification p \
         WHERE p.incident_id = n.incident_id AND p.subject_id = n.subject_id AND p.kind = n.kind \
         AND p.update_number = n.update_number AND p.channel = 'postal' AND p.status <> '{withdrawn}')",
        p1 = ph(backend, 1),
        p2 = ph(backend, 2),
        p3 = ph(backend, 3),
        withdrawn = NotificationStatus::Withdrawn.as_str()
    );
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [incident_id.into(), kind.into(), update_number.into()],
        ))
        .await
        .context("reading the outbox")?;
    let n: i64 = match row {
        Some(r) => r.try_get("", "n").context("reading the outbox")?,
        None => 0,
    };
    Ok(n.max(0) as u64)
}
