//! Counts for the obligations and the authority report, set-based inside the database.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::category::DataCategory;
use crate::error::{DbContext, Result};

/// Affected subjects per jurisdiction code (`DE`, `US-CA`), grouped in SQL; people with no
/// known jurisdiction are left out. With `hipaa`, the subjects of US jurisdictions with health
/// data exposed are counted again under `US-HIPAA`.
pub async fn residents_by_jurisdiction<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    hipaa: bool,
) -> Result<BTreeMap<String, u64>> {
    let backend = conn.get_database_backend();
    let p1 = if backend == DbBackend::Postgres { "$1" } else { "?" };
    let mut sql = format!(
        "SELECT jurisdiction AS k, COUNT(*) AS n FROM affected_subject \
         WHERE incident_id = {p1} AND jurisdiction IS NOT NULL GROUP BY jurisdiction"
    );
    if hipaa {
        sql.push_str(&format!(
            " UNION ALL SELECT 'US-HIPAA' AS k, COUNT(*) AS n FROM affected_subject \
             WHERE incident_id = {p1} AND jurisdiction LIKE 'US-%' AND (categories & {}) <> 0",
            DataCategory::parse_list("health")?
                .first()
                .map(|c| c.bit())
                .unwrap_or(0)
        ));
    }
    // SQLite numbers `?` by position: each one needs its value.
    let mut values = vec![incident_id.into()];
    if hipaa && backend != DbBackend::Postgres {
        values.push(incident_id.into());
    }
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .context("counting affected residents")?;
    let mut counts = BTreeMap::new();
    for row in rows {
        let k: String = row.try_get("", "k").context("counting affected residents")?;
        let n: i64 = row.try_get("", "n").context("counting affected residents")?;
        if n > 0 {
            counts.insert(k.to_ascii_uppercase(), n as u64);
        }
    }
    Ok(counts)
}
