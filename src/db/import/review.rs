//! After an import: the people who may be the same as another but were not merged, because
//! their names and postal codes (or cities) agree while their identity keys do not, and one of
//! them has no email address (docs/inventory.md, "Who is one person").

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde::Serialize;

use super::super::Db;
use crate::error::{DbContext, Result};

/// Groups of possible duplicates kept for the report.
const REPORTED_GROUPS: usize = 20;

/// People who may be one person: their records, as `system/record id`, one list per person.
#[derive(Debug, Clone, Serialize)]
pub struct NearMatch {
    pub people: Vec<Vec<String>>,
}

/// The possible duplicates that involve a person of batch `batch_id`: how many groups, and the
/// first of them.
pub async fn near_matches(db: &Db, batch_id: i64) -> Result<(u64, Vec<NearMatch>)> {
    const DOING: &str = "looking for people who may be the same";
    let p = if db.backend() == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let sql = format!(
        "SELECT subj.near_key AS near_key, subj.id AS subject_id, sys.key AS system, r.external_id AS external_id \
         FROM subject subj JOIN subject_record r ON r.subject_id = subj.id JOIN system sys ON sys.id = r.system_id \
         WHERE subj.near_key IN (SELECT s.near_key FROM subject s \
           WHERE s.near_key IN (SELECT b.near_key FROM subject_record br JOIN subject b ON b.id = br.subject_id \
                                WHERE br.batch_id = {p} AND b.near_key IS NOT NULL) \
             AND EXISTS (SELECT 1 FROM subject_record x WHERE x.subject_id = s.id) \
           GROUP BY s.near_key \
           HAVING COUNT(*) > 1 AND SUM(CASE WHEN s.email IS NULL THEN 1 ELSE 0 END) > 0) \
         ORDER BY subj.near_key, subj.id, sys.key, r.external_id"
    );
    let rows = db
        .conn
        .query_all_raw(Statement::from_sql_and_values(
            db.backend(),
            sql,
            [batch_id.into()],
        ))
        .await
        .context(DOING)?;
    let mut groups: Vec<NearMatch> = Vec::new();
    let mut count = 0_u64;
    let (mut last_key, mut last_subject) = (String::new(), -1_i64);
    for row in rows {
        let key: String = row.try_get("", "near_key").context(DOING)?;
        let subject: i64 = row.try_get("", "subject_id").context(DOING)?;
        let system: String = row.try_get("", "system").context(DOING)?;
        let external_id: String = row.try_get("", "external_id").context(DOING)?;
        if key != last_key {
            count += 1;
            last_key = key;
            last_subject = -1;
            if groups.len() >= REPORTED_GROUPS {
                continue;
            }
            groups.push(NearMatch { people: Vec::new() });
        } else if count as usize > REPORTED_GROUPS {
            continue;
        }
        let group = groups.last_mut().expect("a group was started above");
        if subject != last_subject {
            group.people.push(Vec::new());
            last_subject = subject;
        }
        if let Some(person) = group.people.last_mut() {
            person.push(format!("{system}/{external_id}"));
        }
    }
    Ok((count, groups))
}
