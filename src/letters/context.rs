//! The letter context: the only data a template sees. Built from typed inputs (the
//! organisation, the incident's facts, the person, their exposed categories and systems) for
//! one letter, in the person's language and time zone, with its verification code. Text from
//! the inventory is cleaned of control characters here, so that no name can break a subject
//! line or reorder the text around it; escaping for HTML happens at rendering.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::phrasing::LetterDate;
use super::render::TemplateSet;
use super::verification::VerificationCode;
use super::{Channel, LetterKind, Locale};
use crate::category::DataCategory;
use crate::error::{Error, Result};
use crate::incident::Incident;

/// The organisation the breach happened to: who signs the letter and how a person checks it.
#[derive(Debug, Clone, Default)]
pub struct Organisation {
    pub name: String,
    pub website: Option<String>,
    /// The page where a person enters a letter's verification code.
    pub verify_url: Option<String>,
    /// The number a person can call to check a letter (one they can look up independently).
    pub verify_phone: Option<String>,
    /// The sender's address, for the return line of postal letters.
    pub postal_address: Vec<String>,
}

/// What the letter says happened and what is being done, in one language (GDPR Art. 34(2)).
#[derive(Debug, Clone, Default)]
pub struct Narrative {
    pub nature: String,
    pub likely_consequences: String,
    pub measures_taken: String,
    pub measures_proposed: String,
}

/// The incident as letters need it.
#[derive(Debug, Clone)]
pub struct IncidentFacts {
    pub reference: String,
    pub occurred_from: Option<DateTime<Utc>>,
    pub occurred_to: Option<DateTime<Utc>>,
    pub detected_at: Option<DateTime<Utc>>,
    pub aware_at: DateTime<Utc>,
    pub dpo_name: String,
    pub dpo_email: Option<String>,
    pub dpo_phone: Option<String>,
    /// The narrative as recorded on the incident.
    pub narrative: Narrative,
    /// Translations of the narrative, by locale tag or language (`de`, `fr-ch`); letters in a
    /// language without one use [`narrative`](Self::narrative).
    pub translations: BTreeMap<String, Narrative>,
}

impl IncidentFacts {
    /// The facts of a stored incident. Refuses an incident that lacks what Art. 34(2) requires
    /// a letter to say, naming every missing field and the command that sets it.
    pub fn from_incident(incident: &Incident) -> Result<IncidentFacts> {
        let fields = [
            ("nature", &incident.nature),
            ("dpo-name", &incident.dpo_name),
            ("likely-consequences", &incident.likely_consequences),
            ("measures-taken", &incident.measures_taken),
            ("measures-proposed", &incident.measures_proposed),
        ];
        let mut missing: Vec<&str> = fields
            .iter()
            .filter(|(_, v)| v.as_deref().is_none_or(|t| t.trim().is_empty()))
            .map(|(name, _)| *name)
            .collect();
        if incident.dpo_email.is_none() && incident.dpo_phone.is_none() {
            missing.push("dpo-email");
        }
        if !missing.is_empty() {
            let flags: Vec<String> = missing.iter().map(|m| format!("--{m} ...")).collect();
            return Err(Error::bad_input(format!(
                "{} lacks what a letter must tell people (GDPR Art. 34(2)): {}; set it with \
                 `breachdesk incident update {} {}`",
                incident.reference,
                missing.join(", "),
                incident.reference,
                flags.join(" ")
            )));
        }
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Ok(IncidentFacts {
            reference: incident.reference.clone(),
            occurred_from: incident.occurred_from,
            occurred_to: incident.occurred_to,
            detected_at: incident.detected_at,
            aware_at: incident.aware_at,
            dpo_name: text(&incident.dpo_name),
            dpo_email: incident.dpo_email.clone(),
            dpo_phone: incident.dpo_phone.clone(),
            narrative: Narrative {
                nature: text(&incident.nature),
                likely_consequences: text(&incident.likely_consequences),
                measures_taken: text(&incident.measures_taken),
                measures_proposed: text(&incident.measures_proposed),
            },
            translations: BTreeMap::new(),
        })
    }
}

/// The person a letter goes to.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub name: String,
    /// How to address them (`Ms Jones`, `Frau Dr. Müller`); the name when not on record.
    pub salutation: Option<String>,
    /// Their language, if known; the set's default language otherwise.
    pub locale: Option<Locale>,
    /// The zone dates are shown in.
    pub zone: Tz,
    /// Address lines below the name; required for postal letters.
    pub postal_address: Vec<String>,
}

/// What an update letter adds to the first one.
#[derive(Debug, Clone, Default)]
pub struct UpdateNote {
    /// What is new, in the incident's language.
    pub summary: String,
    /// Translations by locale tag or language.
    pub translations: BTreeMap<String, String>,
    /// When the first letter went out.
    pub previous_letter_at: Option<DateTime<Utc>>,
}

/// Everything one letter is built from.
#[derive(Debug, Clone, Copy)]
pub struct LetterInput<'a> {
    pub organisation: &'a Organisation,
    pub incident: &'a IncidentFacts,
    pub recipient: &'a Recipient,
    pub categories: &'a [DataCategory],
    pub systems: &'a [String],
    pub kind: LetterKind,
    /// Required for [`LetterKind::Update`].
    pub update: Option<&'a UpdateNote>,
    pub channel: Channel,
    pub code: VerificationCode,
    /// The letter's date.
    pub date: DateTime<Utc>,
}

/// The data templates see. Field by field in `docs/templates.md`.
#[derive(Debug, Clone, Serialize)]
pub struct LetterContext {
    pub kind: LetterKind,
    pub channel: Channel,
    /// The template locale chosen for the person (`de`).
    pub locale: String,
    /// Its language (`de`).
    pub lang: String,
    pub letter_date: LetterDate,
    pub organisation: OrganisationView,
    pub dpo: DpoView,
    pub incident: IncidentView,
    pub update: Option<UpdateView>,
    pub person: PersonView,
    pub categories: Vec<CategoryView>,
    /// Whether any exposed category is special (GDPR Art. 9) or criminal (Art. 10) data.
    pub any_special: bool,
    pub systems: Vec<SystemView>,
    pub verification: VerificationView,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrganisationView {
    pub name: String,
    pub website: Option<String>,
    pub postal_address: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DpoView {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IncidentView {
    pub reference: String,
    pub nature: String,
    pub likely_consequences: String,
    pub measures_taken: String,
    pub measures_proposed: String,
    pub occurred_from: Option<LetterDate>,
    pub occurred_to: Option<LetterDate>,
    pub detected_at: Option<LetterDate>,
    pub aware_at: LetterDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct UpdateView {
    pub summary: String,
    pub previous_letter: Option<LetterDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    pub name: String,
    pub salutation: Option<String>,
    /// The locale on record (`de-at`), before fallback; `null` when none.
    pub locale: Option<Locale>,
    pub postal_address: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryView {
    pub key: &'static str,
    pub label: String,
    pub advice: String,
    pub special: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SystemView {
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerificationView {
    pub code: VerificationCode,
    pub url: Option<String>,
    pub phone: Option<String>,
}

impl LetterContext {
    /// Builds the context for one letter, in the locale `set` resolves for the person.
    pub fn build(set: &TemplateSet, input: LetterInput<'_>) -> Result<LetterContext> {
        let locale = set.resolve_locale(input.recipient.locale.as_ref()).to_string();
        let lang = locale.split('-').next().unwrap_or(&locale).to_string();
        let zone = input.recipient.zone;
        let date = |t: DateTime<Utc>| LetterDate::new(t, zone, &lang);
        let org = input.organisation;
        let incident = input.incident;

        let org_name = line(&org.name);
        if org_name.is_empty() {
            return Err(Error::bad_input(
                "the organisation has no name: set [organisation] name in breachdesk.toml",
            ));
        }
        for url in [&org.website, &org.verify_url].into_iter().flatten() {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(Error::bad_input(format!(
                    "'{url}' is not a web address: it must start with https://"
                )));
            }
        }
        if org.verify_url.is_none() && org.verify_phone.is_none() {
            return Err(Error::bad_input(
                "letters need a way for people to check them: set the organisation's verification page or phone",
            ));
        }
        let dpo = DpoView {
            name: line(&incident.dpo_name),
            email: incident.dpo_email.as_deref().map(line),
            phone: incident.dpo_phone.as_deref().map(phone),
        };
        if dpo.name.is_empty() || (dpo.email.is_none() && dpo.phone.is_none()) {
            return Err(Error::bad_input(format!(
                "{}: letters need the contact point's name and an email address or phone number",
                incident.reference
            )));
        }

        let narrative = pick(&incident.translations, &locale).unwrap_or(&incident.narrative);
        let update = match (input.kind, input.update) {
            (LetterKind::Initial, _) => None,
            (LetterKind::Update, None) => {
                return Err(Error::bad_input(format!(
                    "{}: an update letter needs a summary of what is new",
                    incident.reference
                )));
            }
            (LetterKind::Update, Some(note)) => Some(UpdateView {
                summary: paragraphs(pick(&note.translations, &locale).unwrap_or(&note.summary)),
                previous_letter: note.previous_letter_at.map(date),
            }),
        };

        let person = input.recipient;
        let postal_address: Vec<String> = person
            .postal_address
            .iter()
            .map(|l| line(l))
            .filter(|l| !l.is_empty())
            .collect();
        if input.channel == Channel::Postal && postal_address.is_empty() {
            return Err(Error::bad_input(
                "a postal letter needs the person's postal address",
            ));
        }
        let name = line(&person.name);
        let salutation = person.salutation.as_deref().map(line).filter(|s| !s.is_empty());
        let salutation = salutation.or_else(|| Some(name.clone()).filter(|n| !n.is_empty()));

        let mut keys = input.categories.to_vec();
        keys.sort();
        keys.dedup();
        if keys.is_empty() {
            return Err(Error::bad_input(
                "a letter needs at least one exposed data category",
            ));
        }
        let categories: Vec<CategoryView> = keys
            .iter()
            .map(|c| CategoryView {
                key: c.key(),
                label: set.label(&locale, *c).to_string(),
                advice: set.advice(&locale, *c).to_string(),
                special: c.is_special(),
            })
            .collect();

        Ok(LetterContext {
            kind: input.kind,
            channel: input.channel,
            letter_date: date(input.date),
            organisation: OrganisationView {
                name: org_name,
                website: org.website.as_deref().map(line),
                postal_address: org.postal_address.iter().map(|l| line(l)).collect(),
            },
            dpo,
            incident: IncidentView {
                reference: line(&incident.reference),
                nature: paragraphs(&narrative.nature),
                likely_consequences: paragraphs(&narrative.likely_consequences),
                measures_taken: paragraphs(&narrative.measures_taken),
                measures_proposed: paragraphs(&narrative.measures_proposed),
                occurred_from: incident.occurred_from.map(date),
                occurred_to: incident.occurred_to.map(date),
                detected_at: incident.detected_at.map(date),
                aware_at: date(incident.aware_at),
            },
            update,
            person: PersonView {
                name,
                salutation,
                locale: person.locale.clone(),
                postal_address,
            },
            any_special: categories.iter().any(|c| c.special),
            categories,
            systems: input
                .systems
                .iter()
                .map(|s| SystemView { name: line(s) })
                .collect(),
            verification: VerificationView {
                code: input.code,
                url: org.verify_url.as_deref().map(line),
                phone: org.verify_phone.as_deref().map(phone),
            },
            locale,
            lang,
        })
    }
}

/// The translation for `locale`: the tag itself, then its shorter forms (`de-at`, `de`).
fn pick<'a, T>(translations: &'a BTreeMap<String, T>, locale: &str) -> Option<&'a T> {
    let mut tag = locale;
    loop {
        if let Some(t) = translations.get(tag) {
            return Some(t);
        }
        tag = &tag[..tag.rfind('-')?];
    }
}

/// Explicit bidirectional embeddings, overrides and isolates: they can make text display in
/// another order than it is written (a name that reverses the line after it).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// One line of text: control characters (line breaks included) become spaces, bidi controls
/// go, runs of spaces shrink to one.
pub(crate) fn line(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .filter(|c| !is_bidi_control(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A phone number on one line: its spaces become no-break spaces, so wrapping never splits it.
fn phone(text: &str) -> String {
    line(text).replace(' ', "\u{a0}")
}

/// Text in paragraphs: line breaks normalised to `\n`, other control characters and bidi
/// controls removed, surrounding blank space trimmed.
pub(crate) fn paragraphs(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .filter(|c| !is_bidi_control(*c))
        .map(|c| if c == '\r' || c == '\t' { ' ' } else { c })
        .filter(|c| *c == '\n' || !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cleaned_but_kept() {
        assert_eq!(line("Jane\r\nBcc: x@evil.example"), "Jane Bcc: x@evil.example");
        assert_eq!(line("  \u{202E}evil\u{202C}  name "), "evil name");
        assert_eq!(line("مرحبا 👩‍🔬"), "مرحبا 👩‍🔬");
        assert_eq!(paragraphs("a\r\n\r\nb\u{7}\tc\n"), "a\n\nb c");
    }

    #[test]
    fn an_incident_without_art_34_facts_is_refused_with_the_fix() {
        use crate::incident::{Cause, IncidentStatus};
        let t = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 4, 11, 0, 0).unwrap();
        let mut incident = Incident {
            id: 1,
            reference: "BD-2026-0001".into(),
            ref_year: 2026,
            ref_seq: 1,
            title: "t".into(),
            status: IncidentStatus::Open,
            nature: Some("n".into()),
            cause: Cause::Unknown,
            breach_confidentiality: true,
            breach_integrity: false,
            breach_availability: false,
            occurred_from: None,
            occurred_to: None,
            detected_at: None,
            aware_at: t,
            declared_at: t,
            declared_by: "x".into(),
            playbook: None,
            dpo_name: Some("Dana".into()),
            dpo_email: None,
            dpo_phone: None,
            likely_consequences: Some("c".into()),
            measures_taken: Some(" ".into()),
            measures_proposed: None,
            delay_reasons: None,
            closed_at: None,
            closed_by: None,
            updated_at: t,
        };
        let err = IncidentFacts::from_incident(&incident).unwrap_err().to_string();
        assert!(
            err.contains("measures-taken, measures-proposed, dpo-email"),
            "{err}"
        );
        assert!(
            err.contains("`breachdesk incident update BD-2026-0001 --measures-taken ..."),
            "{err}"
        );
        incident.measures_taken = Some("m".into());
        incident.measures_proposed = Some("p".into());
        incident.dpo_phone = Some("+49 1".into());
        let facts = IncidentFacts::from_incident(&incident).unwrap();
        assert_eq!(facts.narrative.measures_proposed, "p");
    }

    #[test]
    fn translations_fall_back_from_region_to_language() {
        let map: BTreeMap<String, u8> = [("de".to_string(), 1), ("fr-ch".to_string(), 2)].into();
        assert_eq!(pick(&map, "de-at"), Some(&1));
        assert_eq!(pick(&map, "fr-ch"), Some(&2));
        assert_eq!(pick(&map, "fr"), None);
    }
}
