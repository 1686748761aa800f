//! Which languages the people affected read letters in (the template set's fallback chain
//! applied to each one's locale and country), who gets a letter in a language other than
//! their own, and which letter languages lack a translation of the narrative (or of the
//! update summary).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Field, Stored, narrative_language};
use crate::config::Settings;
use crate::db::Db;
use crate::db::narrative as sql;
use crate::error::Result;
use crate::letters::locale::{Fallback, Step};
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
    for choice in letter_languages(db, incident_id, set).await? {
        *people.entry(choice.letter).or_default() += choice.people;
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

/// People affected with the same locale and country on record, and their letters' locale.
struct Choice {
    /// Their locale on record, normalised; `None` when there is none (or it is not a tag).
    wanted: Option<Locale>,
    letter: String,
    step: Step,
    /// Whether the letter's language is another than theirs.
    fallback: bool,
    people: i64,
}

async fn letter_languages(db: &Db, incident_id: i64, set: &TemplateSet) -> Result<Vec<Choice>> {
    Ok(sql::affected_locales(&db.conn, incident_id)
        .await?
        .into_iter()
        .map(|(locale, country, people)| {
            let wanted = locale.as_deref().and_then(|l| l.parse::<Locale>().ok());
            let chosen = set.resolve_locale(wanted.as_ref(), country.as_deref());
            Choice {
                fallback: chosen.is_fallback(wanted.as_ref()),
                letter: chosen.locale.to_string(),
                step: chosen.step,
                wanted,
                people,
            }
        })
        .collect())
}

/// Who among the people the incident affects gets a letter in a language other than their
/// own, by their locale, the letter's locale and the step that chose it.
pub async fn fallbacks(db: &Db, incident_id: i64, set: &TemplateSet) -> Result<Vec<Fallback>> {
    let mut found: BTreeMap<(String, String, Step), i64> = BTreeMap::new();
    for choice in letter_languages(db, incident_id, set).await? {
        if let (true, Some(wanted)) = (choice.fallback, &choice.wanted) {
            *found
                .entry((wanted.to_string(), choice.letter, choice.step))
                .or_default() += choice.people;
        }
    }
    Ok(found
        .into_iter()
        .map(|((wanted, locale, step), people)| Fallback {
            wanted,
            locale,
            step,
            people,
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
