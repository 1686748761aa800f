//! Reading an incident's stored affected subjects: the counts of `affected stats` and the
//! pages of `affected list` and exports. The resolution that writes them is in `resolve.rs`.

use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement};

use crate::category::DataCategory;
use crate::error::{DbContext, Result};

/// The numbers of `affected stats`, straight from the database.
#[derive(Debug, Clone, Default)]
pub struct RawStats {
    pub subjects: i64,
    pub records: i64,
    pub special: i64,
    /// Subjects per category, in vocabulary order.
    pub by_category: Vec<(DataCategory, i64)>,
    pub by_country: Vec<(Option<String>, i64)>,
    pub by_jurisdiction: Vec<(Option<String>, i64)>,
    pub by_system: Vec<(String, i64)>,
}

pub async fn stats<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    system_keys: &[String],
) -> Result<RawStats> {
    let backend = conn.get_database_backend();
    let p1 = if backend == DbBackend::Postgres { "$1" } else { "?" };
    let one = |sql: String| async move {
        conn.query_one_raw(Statement::from_sql_and_values(backend, sql, [incident_id.into()]))
            .await
            .context("counting affected subjects")
    };
    let all = |sql: String| async move {
        conn.query_all_raw(Statement::from_sql_and_values(backend, sql, [incident_id.into()]))
            .await
            .context("counting affected subjects")
    };
    let get =
        |row: &QueryResult, col: &str| row.try_get::<i64>("", col).context("counting affected subjects");
    let mut s = RawStats::default();
    let mut columns = vec![
        "COUNT(*) AS subjects".to_string(),
        "CAST(COALESCE(SUM(records), 0) AS BIGINT) AS records".to_string(),
        "CAST(COALESCE(SUM(CASE WHEN special THEN 1 ELSE 0 END), 0) AS BIGINT) AS special".to_string(),
    ];
    for c in DataCategory::all() {
        columns.push(format!(
            "CAST(COALESCE(SUM(CASE WHEN (categories & {}) <> 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS c_{}",
            c.bit(),
            c.key()
        ));
    }
    for (i, key) in system_keys.iter().enumerate() {
        columns.push(format!(
            "CAST(COALESCE(SUM(CASE WHEN ',' || systems || ',' LIKE '%,{key},%' THEN 1 ELSE 0 END), 0) AS BIGINT) AS s_{i}"
        ));
    }
    let sql = format!(
        "SELECT {} FROM affected_subject WHERE incident_id = {p1}",
        columns.join(", ")
    );
    if let Some(row) = one(sql).await? {
        s.subjects = get(&row, "subjects")?;
        s.records = get(&row, "records")?;
        s.special = get(&row, "special")?;
        for c in DataCategory::all() {
            let n = get(&row, &format!("c_{}", c.key()))?;
            if n > 0 {
                s.by_category.push((c, n));
            }
        }
        for (i, key) in system_keys.iter().enumerate() {
            s.by_system.push((key.clone(), get(&row, &format!("s_{i}"))?));
        }
    }
    for (column, target) in [
        ("country", &mut s.by_country),
        ("jurisdiction", &mut s.by_jurisdiction),
    ] {
        let sql = format!(
            "SELECT {column} AS k, COUNT(*) AS n FROM affected_subject WHERE incident_id = {p1} \
             GROUP BY {column} ORDER BY COUNT(*) DESC, {column}"
        );
        for row in all(sql).await? {
            let k: Option<String> = row.try_get("", "k").context("counting affected subjects")?;
            target.push((k, get(&row, "n")?));
        }
    }
    Ok(s)
}

/// One affected person with their contact data, for listings and exports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AffectedRow {
    pub subject_id: i64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub locale: Option<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub jurisdiction: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
    pub categories: Vec<DataCategory>,
    pub systems: Vec<String>,
    pub records: i64,
    pub special: bool,
}

/// A page of affected people after `after_id` (subject id), in subject-id order.
pub async fn page<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    after_id: i64,
    limit: u64,
) -> Result<Vec<AffectedRow>> {
    let backend = conn.get_database_backend();
    let (p1, p2) = if backend == DbBackend::Postgres {
        ("$1", "$2")
    } else {
        ("?", "?")
    };
    let sql = format!(
        "SELECT s.id, s.name, s.email, s.locale, s.country, s.region, a.jurisdiction, s.address_line1, \
         s.address_line2, s.postal_code, s.city, s.phone, a.categories, a.systems, a.records, \
         CASE WHEN a.special THEN 1 ELSE 0 END AS special \
         FROM affected_subject a JOIN subject s ON s.id = a.subject_id \
         WHERE a.incident_id = {p1} AND a.subject_id > {p2} ORDER BY a.subject_id LIMIT {limit}"
    );
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [incident_id.into(), after_id.into()],
        ))
        .await
        .context("listing affected subjects")?;
    rows.iter()
        .map(|r| {
            let t = |c: &str| r.try_get::<Option<String>>("", c);
            Ok(AffectedRow {
                subject_id: r.try_get("", "id")?,
                name: t("name")?,
                email: t("email")?,
                locale: t("locale")?,
                country: t("country")?,
                region: t("region")?,
                jurisdiction: t("jurisdiction")?,
                address_line1: t("address_line1")?,
                address_line2: t("address_line2")?,
                postal_code: t("postal_code")?,
                city: t("city")?,
                phone: t("phone")?,
                categories: DataCategory::from_mask(r.try_get("", "categories")?),
                systems: r
                    .try_get::<String>("", "systems")?
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                records: r.try_get("", "records")?,
                special: r.try_get::<i32>("", "special")? != 0,
            })
        })
        .collect::<std::result::Result<_, sea_orm::DbErr>>()
        .context("listing affected subjects")
}
