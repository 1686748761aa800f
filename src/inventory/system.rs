//! The systems register: what each system is, who owns it, where it is, which categories of
//! personal data it holds about which kinds of people.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use serde_json::json;

use crate::audit;
use crate::category::DataCategory;
use crate::config::Settings;
use crate::db::Db;
use crate::db::entities::system;
use crate::error::{DbContext, Error, Result};
use crate::inventory::fields::parse_country;

pub use crate::db::entities::system::Model as System;

/// The kinds of people a system holds data about.
pub const SUBJECT_KINDS: &[&str] = &[
    "customer",
    "prospect",
    "employee",
    "former_employee",
    "applicant",
    "client_contact",
    "supplier_contact",
    "patient",
    "student",
    "member",
    "user",
    "website_visitor",
    "child",
];

/// A system key: 1–64 of `a-z 0-9 _ -`, starting with a letter or digit.
pub fn check_key(key: &str) -> Result<String> {
    let k = key.trim().to_ascii_lowercase();
    let ok = !k.is_empty()
        && k.len() <= 64
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && k.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(k)
    } else {
        Err(Error::bad_input(format!(
            "'{key}' is not a system key: use 1-64 lower-case letters, digits, '_' or '-', e.g. crm or hr-files"
        )))
    }
}

/// Reads `customer,employee`.
pub fn parse_subject_kinds(text: &str) -> Result<String> {
    let mut kinds = Vec::new();
    for word in text
        .split(',')
        .map(|w| w.trim().to_ascii_lowercase().replace('-', "_"))
        .filter(|w| !w.is_empty())
    {
        if !SUBJECT_KINDS.contains(&word.as_str()) {
            return Err(Error::bad_input(format!(
                "unknown kind of data subject '{word}': valid ones are {}",
                SUBJECT_KINDS.join(", ")
            )));
        }
        if !kinds.contains(&word) {
            kinds.push(word);
        }
    }
    Ok(kinds.join(","))
}

/// A system to register, or the changes to one (`None`: leave as it is).
#[derive(Debug, Clone, Default)]
pub struct SystemFields {
    pub name: Option<String>,
    pub categories: Option<Vec<DataCategory>>,
    pub subject_kinds: Option<String>,
    pub owner: Option<String>,
    pub purpose: Option<String>,
    pub location: Option<String>,
    pub processor: Option<String>,
    pub special_categories: Option<bool>,
    pub encrypted_at_rest: Option<bool>,
}

/// Registers a system.
pub async fn add(db: &Db, settings: &Settings, key: &str, f: SystemFields) -> Result<System> {
    let key = check_key(key)?;
    let name = f
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| Error::bad_input("--name is required"))?;
    let categories = f.categories.clone().filter(|c| !c.is_empty()).ok_or_else(|| {
        Error::bad_input(
            "--categories is required: the categories of personal data the system holds, e.g. name,email",
        )
    })?;
    let now = settings.now();
    let rec = audit::begin(db, &settings.actor, now).await?;
    if system::Entity::find()
        .filter(system::Column::Key.eq(&key))
        .one(rec.txn())
        .await
        .context("reading systems")?
        .is_some()
    {
        return Err(Error::bad_input(format!(
            "system '{key}' is already registered: change it with `breachdesk inventory system update {key}`"
        )));
    }
    let location = f.location.as_deref().map(country).transpose()?;
    let model = system::ActiveModel {
        key: Set(key.clone()),
        name: Set(name.trim().to_string()),
        categories: Set(DataCategory::mask(&categories)),
        subject_kinds: Set(f.subject_kinds.clone().unwrap_or_default()),
        owner: Set(text(f.owner)),
        purpose: Set(text(f.purpose)),
        location: Set(location),
        processor: Set(text(f.processor)),
        special_categories: Set(
            f.special_categories.unwrap_or(false) || categories.iter().any(|c| c.is_special())
        ),
        encrypted_at_rest: Set(f.encrypted_at_rest.unwrap_or(false)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(rec.txn())
    .await
    .context("registering the system")?;
    rec.record(
        "system.add",
        &format!("system:{key}"),
        None,
        json!({ "name": model.name, "categories": DataCategory::join(&categories) }),
    )
    .await?;
    rec.commit().await?;
    Ok(model)
}

/// Changes a registered system.
pub async fn update(db: &Db, settings: &Settings, key: &str, f: SystemFields) -> Result<System> {
    let now = settings.now();
    let rec = audit::begin(db, &settings.actor, now).await?;
    let current = find_in(rec.txn(), key).await?;
    let mut m: system::ActiveModel = current.clone().into();
    if let Some(name) = f.name.filter(|n| !n.trim().is_empty()) {
        m.name = Set(name.trim().to_string());
    }
    if let Some(categories) = &f.categories {
        if categories.is_empty() {
            return Err(Error::bad_input("--categories must name at least one category"));
        }
        m.categories = Set(DataCategory::mask(categories));
        if categories.iter().any(|c| c.is_special()) {
            m.special_categories = Set(true);
        }
    }
    if let Some(kinds) = f.subject_kinds {
        m.subject_kinds = Set(kinds);
    }
    for (value, field) in [
        (f.owner, &mut m.owner),
        (f.purpose, &mut m.purpose),
        (f.processor, &mut m.processor),
    ] {
        if let Some(v) = value {
            *field = Set(text(Some(v)));
        }
    }
    if let Some(location) = f.location {
        m.location = Set(if location.trim().is_empty() {
            None
        } else {
            Some(country(&location)?)
        });
    }
    if let Some(flag) = f.special_categories {
        m.special_categories = Set(flag);
    }
    if let Some(flag) = f.encrypted_at_rest {
        m.encrypted_at_rest = Set(flag);
    }
    if !m.is_changed() {
        return Ok(current);
    }
    m.updated_at = Set(now);
    let saved = m.update(rec.txn()).await.context("updating the system")?;
    rec.record(
        "system.update",
        &format!("system:{}", saved.key),
        None,
        json!({ "name": saved.name, "categories": saved.categories }),
    )
    .await?;
    rec.commit().await?;
    Ok(saved)
}

pub async fn list(db: &Db) -> Result<Vec<System>> {
    system::Entity::find()
        .order_by_asc(system::Column::Key)
        .all(&db.conn)
        .await
        .context("listing systems")
}

pub async fn find(db: &Db, key: &str) -> Result<System> {
    find_in(&db.conn, key).await
}

async fn find_in<C: sea_orm::ConnectionTrait>(conn: &C, key: &str) -> Result<System> {
    let k = key.trim().to_ascii_lowercase();
    system::Entity::find()
        .filter(system::Column::Key.eq(&k))
        .one(conn)
        .await
        .context("reading systems")?
        .ok_or_else(|| {
            Error::bad_input(format!(
                "no system '{k}': `breachdesk inventory system list` shows the registered ones"
            ))
        })
}

fn country(text: &str) -> Result<String> {
    parse_country(text).map(str::to_string).ok_or_else(|| {
        Error::bad_input(format!(
            "unknown country '{text}': use an ISO code such as DE, or a name"
        ))
    })
}

fn text(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A system as `system list/show --json` shows it.
#[derive(Debug, Serialize)]
pub struct SystemView {
    pub key: String,
    pub name: String,
    pub categories: Vec<DataCategory>,
    pub subject_kinds: Vec<String>,
    pub owner: Option<String>,
    pub purpose: Option<String>,
    pub location: Option<String>,
    pub processor: Option<String>,
    pub special_categories: bool,
    pub encrypted_at_rest: bool,
    /// Records imported for this system (filled by `show`/`list`).
    pub records: i64,
}

impl SystemView {
    pub fn new(s: System, records: i64) -> Self {
        SystemView {
            key: s.key,
            name: s.name,
            categories: DataCategory::from_mask(s.categories),
            subject_kinds: s
                .subject_kinds
                .split(',')
                .filter(|k| !k.is_empty())
                .map(str::to_string)
                .collect(),
            owner: s.owner,
            purpose: s.purpose,
            location: s.location,
            processor: s.processor,
            special_categories: s.special_categories,
            encrypted_at_rest: s.encrypted_at_rest,
            records,
        }
    }
}
