//! Who is affected: an incident's scope (which systems, which categories, which records by
//! time) and its resolution into one affected subject per person, set-based inside the
//! database. Re-running after a scope change updates the result and says what changed.

pub mod export;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde::Serialize;
use serde_json::json;

use crate::audit;
use crate::category::DataCategory;
use crate::clock;
use crate::config::Settings;
use crate::db::Db;
use crate::db::affected::{self, RawStats};
use crate::db::entities::{incident_scope, system};
use crate::db::resolve::{self as sql, ResolveCounts, ScopedSystem};
use crate::db::withdraw::Withdrawal;
use crate::error::{DbContext, Error, Result};
use crate::incident;
use crate::inventory::system as systems;

/// One system in an incident's scope, as shown.
#[derive(Debug, Serialize)]
pub struct ScopeView {
    pub system: String,
    /// The exposed categories; empty means everything the records hold.
    pub categories: Vec<DataCategory>,
    #[serde(serialize_with = "clock::json_utc_opt")]
    pub records_from: Option<DateTime<Utc>>,
    #[serde(serialize_with = "clock::json_utc_opt")]
    pub records_to: Option<DateTime<Utc>>,
}

/// What `incident scope` sets for one system.
#[derive(Debug, Clone)]
pub struct ScopeEntry {
    pub system: String,
    pub categories: Option<Vec<DataCategory>>,
    pub records_from: Option<DateTime<Utc>>,
    pub records_to: Option<DateTime<Utc>>,
}

/// Puts a system into the incident's scope, or replaces its entry.
pub async fn set_scope(db: &Db, settings: &Settings, reference: &str, e: ScopeEntry) -> Result<()> {
    let inc = incident::find(db, reference).await?;
    let sys = systems::find(db, &e.system).await?;
    if let (Some(from), Some(to)) = (e.records_from, e.records_to)
        && from > to
    {
        return Err(Error::bad_input("--records-from is after --records-to"));
    }
    let categories = e.categories.clone().unwrap_or_default();
    let held = DataCategory::mask(&categories) & !sys.categories;
    if held != 0 {
        return Err(Error::bad_input(format!(
            "system {} does not hold {} (it holds {}): fix the scope, or the system with `inventory system update`",
            sys.key,
            DataCategory::join(&DataCategory::from_mask(held)),
            DataCategory::join(&DataCategory::from_mask(sys.categories))
        )));
    }
    let rec = audit::begin(db, &settings.actor, settings.now()).await?;
    incident_scope::Entity::delete_many()
        .filter(incident_scope::Column::IncidentId.eq(inc.id))
        .filter(incident_scope::Column::SystemId.eq(sys.id))
        .exec(rec.txn())
        .await
        .context("changing the scope")?;
    incident_scope::ActiveModel {
        incident_id: Set(inc.id),
        system_id: Set(sys.id),
        categories: Set(DataCategory::mask(&categories)),
        records_from: Set(e.records_from),
        records_to: Set(e.records_to),
        created_at: Set(settings.now()),
        ..Default::default()
    }
    .insert(rec.txn())
    .await
    .context("changing the scope")?;
    rec.record(
        "incident.scope",
        &format!("incident:{}", inc.reference),
        Some(&inc.reference),
        json!({
            "system": sys.key,
            "categories": DataCategory::join(&categories),
            "records_from": e.records_from.map(clock::utc_text),
            "records_to": e.records_to.map(clock::utc_text),
        }),
    )
    .await?;
    rec.commit().await
}

/// Takes a system out of the incident's scope.
pub async fn remove_scope(db: &Db, settings: &Settings, reference: &str, system_key: &str) -> Result<()> {
    let inc = incident::find(db, reference).await?;
    let sys = systems::find(db, system_key).await?;
    let rec = audit::begin(db, &settings.actor, settings.now()).await?;
    let gone = incident_scope::Entity::delete_many()
        .filter(incident_scope::Column::IncidentId.eq(inc.id))
        .filter(incident_scope::Column::SystemId.eq(sys.id))
        .exec(rec.txn())
        .await
        .context("changing the scope")?;
    if gone.rows_affected == 0 {
        return Err(Error::bad_input(format!(
            "system {} is not in the scope of {}",
            sys.key, inc.reference
        )));
    }
    rec.record(
        "incident.scope.remove",
        &format!("incident:{}", inc.reference),
        Some(&inc.reference),
        json!({ "system": sys.key }),
    )
    .await?;
    rec.commit().await
}

/// The incident's scope, by system key.
pub async fn scope(db: &Db, reference: &str) -> Result<Vec<ScopeView>> {
    let inc = incident::find(db, reference).await?;
    Ok(scoped(db, inc.id)
        .await?
        .into_iter()
        .map(|(sc, sys)| ScopeView {
            system: sys.key,
            categories: DataCategory::from_mask(sc.categories),
            records_from: sc.records_from,
            records_to: sc.records_to,
        })
        .collect())
}

async fn scoped(db: &Db, incident_id: i64) -> Result<Vec<(incident_scope::Model, system::Model)>> {
    let scopes = incident_scope::Entity::find()
        .filter(incident_scope::Column::IncidentId.eq(incident_id))
        .all(&db.conn)
        .await
        .context("reading the scope")?;
    let all = systems::list(db).await?;
    let mut out: Vec<(incident_scope::Model, system::Model)> = scopes
        .into_iter()
        .filter_map(|sc| {
            all.iter()
                .find(|s| s.id == sc.system_id)
                .cloned()
                .map(|s| (sc, s))
        })
        .collect();
    out.sort_by(|a, b| a.1.key.cmp(&b.1.key));
    Ok(out)
}

/// What `affected resolve` reports.
#[derive(Debug, Serialize)]
pub struct Resolution {
    pub incident: String,
    #[serde(flatten)]
    pub counts: ResolveCounts,
    /// The follow-up cases the resolution opened or moved in or out of scope.
    #[serde(flatten)]
    pub cases: crate::db::followup::CaseCounts,
    /// Letters not yet sent that the resolution withdrew, and people it took out who were
    /// already told.
    #[serde(flatten)]
    pub letters: Withdrawal,
    /// Letters rendered again for people whose data changed (right after the resolution).
    pub rerendered: u64,
    /// Why the letters withdrawn for changed data could not be rendered again (a later
    /// `letters render` renders them).
    pub rerender_error: Option<String>,
}

/// Resolves the incident's affected subjects from its scope.
pub async fn resolve(db: &Db, settings: &Settings, reference: &str) -> Result<Resolution> {
    let inc = incident::find(db, reference).await?;
    let scope = scoped(db, inc.id).await?;
    if scope.is_empty() {
        return Err(Error::bad_input(format!(
            "{} has no scope yet: say which systems were exposed with `breachdesk incident scope {} --system KEY`",
            inc.reference, inc.reference
        )));
    }
    if scope.len() > 62 {
        return Err(Error::bad_input(
            "an incident's scope can hold at most 62 systems",
        ));
    }
    let systems: Vec<ScopedSystem> = scope
        .iter()
        .map(|(_, s)| ScopedSystem {
            id: s.id,
            key: s.key.clone(),
        })
        .collect();
    let now = settings.now();
    // The audit lock first, then the set-based work, all in one transaction.
    let rec = audit::begin(db, &settings.actor, now).await?;
    let (counts, letters) = sql::resolve(rec.txn(), inc.id, &systems, now).await?;
    let cases = crate::db::followup::open_cases(
        rec.txn(),
        inc.id,
        &settings.actor,
        now,
        counts.added,
        counts.removed,
    )
    .await?;
    let mut details = serde_json::to_value(counts).unwrap_or_default();
    if let (Some(d), Ok(serde_json::Value::Object(c))) =
        (details.as_object_mut(), serde_json::to_value(cases))
    {
        d.extend(c);
    }
    rec.record(
        "affected.resolve",
        &format!("incident:{}", inc.reference),
        Some(&inc.reference),
        details,
    )
    .await?;
    if letters.withdrawn_not_affected + letters.withdrawn_changed > 0
        || !letters.told_not_affected.is_empty()
        || !letters.in_flight_not_affected.is_empty()
    {
        // Ids only: which people's letters, never who they are.
        rec.record(
            "letters.withdraw",
            &format!("incident:{}", inc.reference),
            Some(&inc.reference),
            json!({
                "by": "affected resolve",
                "not_affected": letters.withdrawn_not_affected,
                "changed": letters.withdrawn_changed,
                "subjects": letters.subjects,
                "told_not_affected": letters.told_not_affected,
                "in_flight_not_affected": letters.in_flight_not_affected,
            }),
        )
        .await?;
    }
    rec.commit().await?;
    // The letters withdrawn for changed data are rendered again now, outside the resolution's
    // transaction (rendering is paged): should this fail or stop, they stay withdrawn and the
    // next `letters render` of their kind renders them.
    let (rerendered, rerender_error) =
        match crate::outbox::rerender(db, settings, &inc.reference, &letters.to_render).await {
            Ok(n) => (n, None),
            Err(e) => (0, Some(e.to_string())),
        };
    Ok(Resolution {
        incident: inc.reference,
        counts,
        cases,
        letters,
        rerendered,
        rerender_error,
    })
}

/// The numbers the authority report needs (GDPR Art. 33(3)(a)).
#[derive(Debug, Serialize)]
pub struct Stats {
    pub incident: String,
    pub subjects: i64,
    pub records: i64,
    /// Subjects with special-category (Art. 9) or criminal (Art. 10) data exposed.
    pub special_category_subjects: i64,
    pub by_category: Vec<CategoryCount>,
    pub by_country: Vec<KeyCount>,
    pub by_jurisdiction: Vec<KeyCount>,
    pub by_system: Vec<KeyCount>,
}

#[derive(Debug, Serialize)]
pub struct CategoryCount {
    pub category: DataCategory,
    pub special: bool,
    pub subjects: i64,
}

#[derive(Debug, Serialize)]
pub struct KeyCount {
    /// `null` where unknown (no country on record).
    pub key: Option<String>,
    pub subjects: i64,
}

pub async fn stats(db: &Db, reference: &str) -> Result<Stats> {
    let inc = incident::find(db, reference).await?;
    let keys: Vec<String> = scoped(db, inc.id)
        .await?
        .into_iter()
        .map(|(_, s)| s.key)
        .collect();
    let txn = db.conn.begin().await.context("reading statistics")?;
    let raw: RawStats = affected::stats(&txn, inc.id, &keys).await?;
    txn.commit().await.context("reading statistics")?;
    let counts = |v: Vec<(Option<String>, i64)>| {
        v.into_iter()
            .map(|(key, subjects)| KeyCount { key, subjects })
            .collect()
    };
    Ok(Stats {
        incident: inc.reference,
        subjects: raw.subjects,
        records: raw.records,
        special_category_subjects: raw.special,
        by_category: raw
            .by_category
            .into_iter()
            .map(|(category, subjects)| CategoryCount {
                category,
                special: category.is_special(),
                subjects,
            })
            .collect(),
        by_country: counts(raw.by_country),
        by_jurisdiction: counts(raw.by_jurisdiction),
        by_system: raw
            .by_system
            .into_iter()
            .map(|(k, subjects)| KeyCount {
                key: Some(k),
                subjects,
            })
            .collect(),
    })
}

/// Calls `each` for every affected person of the incident, a page at a time (memory stays
/// flat however many there are).
pub async fn for_each_affected<F>(db: &Db, reference: &str, mut each: F) -> Result<u64>
where
    F: FnMut(affected::AffectedRow) -> Result<()>,
{
    const PAGE: u64 = 5_000;
    let inc = incident::find(db, reference).await?;
    let mut after = 0_i64;
    let mut n = 0_u64;
    loop {
        let page = affected::page(&db.conn, inc.id, after, PAGE).await?;
        let len = page.len() as u64;
        for row in page {
            after = row.subject_id;
            n += 1;
            each(row)?;
        }
        if len < PAGE {
            return Ok(n);
        }
    }
}
