//! What letters say beyond the incident record: the summary of each update (numbered; each
//! update letter tells of one), and translations of the narrative (nature, likely
//! consequences, measures taken and proposed) and of the update summaries per locale, with
//! the check that every language the people affected read has one.
//!
//! The narrative is written in one language: `[letters] narrative_language`, else the default
//! language, else English. Letters in that language use it as written; letters in another use
//! its translation, field by field falling back to the original where a field has none (which
//! `letters render` refuses unless allowed).

mod coverage;

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::json;

use crate::audit;
use crate::config::Settings;
use crate::db::Db;
use crate::db::narrative::{self as sql, TranslationRow, UpdateNoteRow};
use crate::error::{Error, Result};
use crate::incident;
use crate::letters::{Locale, Narrative, UpdateNote};
pub use coverage::{Gap, coverage, describe, fallbacks};

/// A text of the letter that can be translated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Nature,
    LikelyConsequences,
    MeasuresTaken,
    MeasuresProposed,
    UpdateSummary,
}

impl Field {
    pub const NARRATIVE: [Field; 4] = [
        Field::Nature,
        Field::LikelyConsequences,
        Field::MeasuresTaken,
        Field::MeasuresProposed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Nature => "nature",
            Field::LikelyConsequences => "likely_consequences",
            Field::MeasuresTaken => "measures_taken",
            Field::MeasuresProposed => "measures_proposed",
            Field::UpdateSummary => "update_summary",
        }
    }

    /// The option of `incident translate` that sets it.
    pub fn flag(self) -> String {
        format!("--{}", self.as_str().replace('_', "-"))
    }

    fn parse(s: &str) -> Option<Field> {
        Field::NARRATIVE
            .into_iter()
            .chain([Field::UpdateSummary])
            .find(|f| f.as_str() == s)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The language the incidents' narratives are written in.
pub fn narrative_language(settings: &Settings) -> String {
    settings
        .letters
        .narrative_language
        .clone()
        .or_else(|| settings.letters.default_language.clone())
        .and_then(|l| l.parse::<Locale>().ok())
        .map(|l| l.language().to_string())
        .unwrap_or_else(|| "en".to_string())
}

/// An incident's update summaries and translations, as stored.
#[derive(Debug, Clone, Default)]
pub struct Stored {
    pub notes: Vec<UpdateNoteRow>,
    pub translations: Vec<TranslationRow>,
}

impl Stored {
    pub async fn load(db: &Db, incident_id: i64) -> Result<Stored> {
        Ok(Stored {
            notes: sql::update_notes(&db.conn, incident_id).await?,
            translations: sql::translations(&db.conn, incident_id).await?,
        })
    }

    /// The number of the latest update, if any.
    pub fn latest_update(&self) -> Option<i32> {
        self.notes.last().map(|n| n.number)
    }

    /// The translated texts of `locale` (the narrative's with `update` 0).
    fn texts(&self, locale: &str, update: i32) -> impl Iterator<Item = (Field, &str)> {
        self.translations
            .iter()
            .filter(move |t| t.locale == locale && t.update_number == update)
            .filter_map(|t| Field::parse(&t.field).map(|f| (f, t.text.as_str())))
    }

    /// The narrative per translated locale; a field without a translation keeps `original`'s.
    pub fn narratives(&self, original: &Narrative) -> BTreeMap<String, Narrative> {
        let mut out: BTreeMap<String, Narrative> = BTreeMap::new();
        for t in self.translations.iter().filter(|t| t.update_number == 0) {
            let n = out.entry(t.locale.clone()).or_insert_with(|| original.clone());
            match Field::parse(&t.field) {
                Some(Field::Nature) => n.nature = t.text.clone(),
                Some(Field::LikelyConsequences) => n.likely_consequences = t.text.clone(),
                Some(Field::MeasuresTaken) => n.measures_taken = t.text.clone(),
                Some(Field::MeasuresProposed) => n.measures_proposed = t.text.clone(),
                _ => {}
            }
        }
        out
    }

    /// Update `number`'s summary with its translations; `None` if there is no such update.
    pub fn update_note(&self, number: i32) -> Option<UpdateNote> {
        let note = self.notes.iter().find(|n| n.number == number)?;
        let translations = self
            .translations
            .iter()
            .filter(|t| t.update_number == number && t.field == Field::UpdateSummary.as_str())
            .map(|t| (t.locale.clone(), t.text.clone()))
            .collect();
        Some(UpdateNote {
            summary: note.summary.clone(),
            translations,
            previous_letter_at: None,
        })
    }

    /// The fields `locale` (a template locale, `de` or `de-at`) has no translation of, for a
    /// letter telling of `update` (0: the initial letter).
    pub fn missing(&self, locale: &str, update: i32) -> Vec<Field> {
        let mut need: Vec<Field> = Field::NARRATIVE.to_vec();
        if update > 0 {
            need.push(Field::UpdateSummary);
        }
        let have = |f: Field, n: i32| {
            let mut tag = locale;
            loop {
                if self.texts(tag, n).any(|(g, _)| g == f) {
                    return true;
                }
                match tag.rfind('-') {
                    Some(i) => tag = &tag[..i],
                    None => return false,
                }
            }
        };
        need.into_iter()
            .filter(|f| {
                let n = if *f == Field::UpdateSummary { update } else { 0 };
                !have(*f, n)
            })
            .collect()
    }
}

/// Records the summary of an update: a new one (numbered after the last) or, with `number`,
/// a correction of that one. Returns its number.
pub async fn record_update(
    db: &Db,
    settings: &Settings,
    reference: &str,
    number: Option<i32>,
    summary: &str,
) -> Result<i32> {
    let inc = incident::find(db, reference).await?;
    let summary = summary.trim();
    if summary.is_empty() {
        return Err(Error::bad_input("--summary is empty: say what is new"));
    }
    let stored = Stored::load(db, inc.id).await?;
    let latest = stored.latest_update().unwrap_or(0);
    let number = match number {
        None => latest + 1,
        Some(n) if n >= 1 && n <= latest => n,
        Some(n) => {
            return Err(Error::bad_input(format!(
                "{} has no update {n} to correct (it has {latest}): leave out --number to record a new one",
                inc.reference
            )));
        }
    };
    let before = stored
        .notes
        .iter()
        .find(|n| n.number == number)
        .map(|n| n.summary.clone());
    if before.as_deref() == Some(summary) {
        return Ok(number);
    }
    let rec = audit::begin(db, &settings.actor, settings.now()).await?;
    sql::put_update_note(rec.txn(), inc.id, number, summary, rec.at(), &settings.actor).await?;
    rec.record(
        "incident.update_note",
        &format!("incident:{}", inc.reference),
        Some(&inc.reference),
        json!({ "number": number, "old": before, "new": summary }),
    )
    .await?;
    rec.commit().await?;
    Ok(number)
}

/// Sets translations into `locale` (an empty text removes one); `update` is the update whose
/// summary is translated (default: the latest). Returns the fields that changed.
pub async fn translate(
    db: &Db,
    settings: &Settings,
    reference: &str,
    locale: &Locale,
    texts: &[(Field, String)],
    update: Option<i32>,
) -> Result<Vec<Field>> {
    let inc = incident::find(db, reference).await?;
    if texts.is_empty() {
        return Err(Error::bad_input(
            "nothing to translate: give --nature, --likely-consequences, --measures-taken, \
             --measures-proposed or --update-summary",
        ));
    }
    let stored = Stored::load(db, inc.id).await?;
    let update_number = if texts.iter().any(|(f, _)| *f == Field::UpdateSummary) {
        let n = update.or(stored.latest_update()).ok_or_else(|| {
            Error::bad_input(format!(
                "{} has no update to translate: record one with `breachdesk incident update-note {} --summary ...`",
                inc.reference, inc.reference
            ))
        })?;
        if stored.notes.iter().all(|note| note.number != n) {
            return Err(Error::bad_input(format!("{} has no update {n}", inc.reference)));
        }
        n
    } else {
        0
    };
    let rec = audit::begin(db, &settings.actor, settings.now()).await?;
    let mut changed = Vec::new();
    let mut details = serde_json::Map::new();
    for (field, text) in texts {
        let row = TranslationRow {
            locale: locale.as_str().to_string(),
            field: field.as_str().to_string(),
            update_number: if *field == Field::UpdateSummary {
                update_number
            } else {
                0
            },
            text: text.trim().to_string(),
        };
        let before = sql::put_translation(rec.txn(), inc.id, &row, rec.at(), &settings.actor).await?;
        let after = (!row.text.is_empty()).then_some(row.text.clone());
        if before != after {
            changed.push(*field);
            details.insert(field.as_str().into(), json!({ "old": before, "new": after }));
        }
    }
    if changed.is_empty() {
        drop(rec);
        return Ok(changed);
    }
    rec.record(
        "incident.translate",
        &format!("incident:{}", inc.reference),
        Some(&inc.reference),
        json!({
            "locale": locale.as_str(),
            "update": (update_number > 0).then_some(update_number),
            "fields": details,
        }),
    )
    .await?;
    rec.commit().await?;
    Ok(changed)
}
