//! `incident update-note`, `incident translate`, `incident translations`: what letters say
//! beyond the incident record, and in which languages.

use clap::{Args, Subcommand};
use serde_json::json;

use super::output::Out;
use crate::config::Settings;
use crate::db::Db;
use crate::error::Result;
use crate::incident;
use crate::letters::{LetterKind, Locale, TemplateSet};
use crate::narrative::{self, Field, Stored};

#[derive(Debug, Subcommand)]
pub enum NarrativeCommand {
    /// Record what is new since the letters went out: the summary an update letter
    /// (`letters render --kind update`) tells. Each call records the next update; --number
    /// corrects one.
    UpdateNote(UpdateNoteArgs),
    /// Give the narrative (and update summaries) in another language: letters in that language
    /// use it. An empty value removes a translation.
    Translate(TranslateArgs),
    /// The update summaries and translations, and the letter languages of the people
    /// affected that lack a translation.
    Translations {
        reference: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct UpdateNoteArgs {
    reference: String,
    /// What is new, in the narrative's language.
    #[arg(long, value_name = "TEXT")]
    summary: String,
    /// Correct this update's summary instead of recording a new one.
    #[arg(long, value_name = "N")]
    number: Option<i32>,
}

#[derive(Debug, Args)]
pub struct TranslateArgs {
    reference: String,
    /// The language (de) or locale (de-AT) of the translation.
    #[arg(long)]
    locale: String,
    #[arg(long, value_name = "TEXT")]
    nature: Option<String>,
    #[arg(long, value_name = "TEXT")]
    likely_consequences: Option<String>,
    #[arg(long, value_name = "TEXT")]
    measures_taken: Option<String>,
    #[arg(long, value_name = "TEXT")]
    measures_proposed: Option<String>,
    /// The summary of an update (the latest, unless --update says which).
    #[arg(long, value_name = "TEXT")]
    update_summary: Option<String>,
    #[arg(long, value_name = "N", requires = "update_summary")]
    update: Option<i32>,
}

pub async fn run(cmd: NarrativeCommand, db: &Db, settings: &Settings, out: Out) -> Result<()> {
    match cmd {
        NarrativeCommand::UpdateNote(a) => {
            let n = narrative::record_update(db, settings, &a.reference, a.number, &a.summary).await?;
            let r = incident::find(db, &a.reference).await?.reference;
            out.say(format!(
                "{r}: update {n} recorded. `breachdesk letters render {r} --kind update` writes its letters."
            ));
            Ok(())
        }
        NarrativeCommand::Translate(a) => {
            let locale: Locale = a.locale.parse()?;
            let texts: Vec<(Field, String)> = [
                (Field::Nature, a.nature),
                (Field::LikelyConsequences, a.likely_consequences),
                (Field::MeasuresTaken, a.measures_taken),
                (Field::MeasuresProposed, a.measures_proposed),
                (Field::UpdateSummary, a.update_summary),
            ]
            .into_iter()
            .filter_map(|(f, t)| t.map(|t| (f, t)))
            .collect();
            let changed = narrative::translate(db, settings, &a.reference, &locale, &texts, a.update).await?;
            let r = incident::find(db, &a.reference).await?.reference;
            if changed.is_empty() {
                out.say(format!("{r}: the '{locale}' translation is unchanged."));
            } else {
                let names: Vec<&str> = changed.iter().map(|f| f.as_str()).collect();
                out.say(format!("{r}: translated into '{locale}': {}.", names.join(", ")));
            }
            Ok(())
        }
        NarrativeCommand::Translations { reference, json } => {
            let inc = incident::find(db, &reference).await?;
            let stored = Stored::load(db, inc.id).await?;
            let dir = settings.letters.templates.clone();
            let mut set = TemplateSet::load(dir.as_deref())?;
            if let Some(lang) = &settings.letters.default_language {
                set.set_default_locale(lang)?;
            }
            let latest = stored.latest_update().unwrap_or(0);
            let gaps = narrative::coverage(db, settings, inc.id, &set, &stored, latest).await?;
            let language = narrative::narrative_language(settings);
            if json {
                return out.json(&json!({
                    "incident": inc.reference,
                    "narrative_language": language,
                    "updates": stored.notes.iter().map(|n| json!({
                        "number": n.number,
                        "summary": n.summary,
                        "recorded_at": n.recorded_at,
                        "recorded_by": n.recorded_by,
                    })).collect::<Vec<_>>(),
                    "translations": stored.translations.iter().map(|t| json!({
                        "locale": t.locale,
                        "field": t.field,
                        "update": (t.update_number > 0).then_some(t.update_number),
                        "text": t.text,
                    })).collect::<Vec<_>>(),
                    "kind": if latest > 0 { LetterKind::Update } else { LetterKind::Initial },
                    "gaps": gaps,
                }));
            }
            out.say(format!("Narrative written in '{language}'."));
            let rows = stored
                .notes
                .iter()
                .map(|n| vec![format!("update {}", n.number), "-".into(), n.summary.clone()])
                .chain(stored.translations.iter().map(|t| {
                    let field = if t.update_number > 0 {
                        format!("update {}", t.update_number)
                    } else {
                        t.field.clone()
                    };
                    vec![field, t.locale.clone(), t.text.clone()]
                }))
                .collect();
            out.table(&["FIELD", "LOCALE", "TEXT"], rows);
            for g in &gaps {
                let fields: Vec<String> = g.missing.iter().map(|f| f.flag()).collect();
                super::warn(format!(
                    "{} people get letters in '{}', which has no translation of {}",
                    g.people,
                    g.locale,
                    fields.join(" ")
                ));
            }
            Ok(())
        }
    }
}
