//! Which languages the people affected read letters in, and which of them lack a translation
//! of the narrative (or of the update summary).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Field, Stored, narrative_language};
use crate::config::Settings;
use crate::db::Db;
use crate::db::narrative as sql;
use crate::error::Result;
use crate::letters::{Locale, TemplateSet};

/// A letter locale used by people affected whose letters would show untranslated text.
#[derive(Debug, Clone, Serialize)]
pub struct Gap {
    /// The template locale (`de`).
    pub locale: String,
    /// How many of the people affected get letters in it.
    pub people: i64,
    /// The fields without a translation into it.
    pub missing: Vec<Field>,
}

/// The gaps of the incident's letters telling of `update` (0: the initial letter) with the
/// template set `set`: every letter locale of the people affected, other than the narrative's
/// language, that lacks a translation of a field.
pub async fn coverage(
    db: &Db,
    settings: &Settings,
    incident_id: i64,
    set: &TemplateSet,
    stored: &Stored,
    update: i32,
) -> Result<Vec<Gap>> {
    let original = narrative_language(settings);
    let mut people: BTreeMap<String, i64> = BTreeMap::new();
    for (locale, n) in sql::affected_locales(&db.conn, incident_id).await? {
        let parsed = locale.as_deref().and_then(|l| l.parse::<Locale>().ok());
        let tl = set.resolve_locale(parsed.as_ref()).to_string();
        *people.entry(tl).or_default() += n;
    }
    Ok(people
        .into_iter()
        .filter(|(tl, _)| tl.split('-').next() != Some(original.as_str()))
        .filter_map(|(locale, people)| {
            let missing = stored.missing(&locale, update);
            (!missing.is_empty()).then_some(Gap {
                locale,
                people,
                missing,
            })
        })
        .collect())
}

/// One line naming the gaps and the command that fills them.
pub fn describe(reference: &str, original: &str, gaps: &[Gap]) -> String {
    let parts: Vec<String> = gaps
        .iter()
        .map(|g| {
            let fields: Vec<String> = g.missing.iter().map(|f| f.flag()).collect();
            format!("{} ({} people: {})", g.locale, g.people, fields.join(" "))
        })
        .collect();
    format!(
        "{reference}: letters in {} would tell the narrative untranslated, in '{original}'; translate with \
         `breachdesk incident translate {reference} --locale LOCALE --nature ... ` (or allow it with \
         --allow-untranslated)",
        parts.join(", ")
    )
}
