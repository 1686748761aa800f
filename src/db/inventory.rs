//! Inventory queries that are counts over many rows.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, Statement};

use super::Db;
use crate::error::{DbContext, Result};

/// Records per system id.
pub async fn record_counts(db: &Db) -> Result<HashMap<i64, i64>> {
    let rows = db
        .conn
        .query_all_raw(Statement::from_string(
            db.backend(),
            "SELECT system_id, COUNT(*) AS n FROM subject_record GROUP BY system_id",
        ))
        .await
        .context("counting records")?;
    rows.iter()
        .map(|r| Ok((r.try_get::<i64>("", "system_id")?, r.try_get::<i64>("", "n")?)))
        .collect::<std::result::Result<_, sea_orm::DbErr>>()
        .context("counting records")
}
