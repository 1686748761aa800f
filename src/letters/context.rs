//! The letter context: the only data a template sees. Built from typed inputs (the
//! organisation, the incident's facts, the person, their exposed categories and systems) for
//! one letter, in the person's language and time zone, with its verification code. Text from
//! the inventory is cleaned on the way in (see `clean`); escaping for HTML happens at
//! rendering.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::clean::{line, paragraphs, phone};
use super::phrasing::LetterDate;
use super::render::TemplateSet;
use super::verification::VerificationCode;
use super::{Channel, LetterKind, Locale};
use crate::error::{Error, Result};

pub use super::input::{IncidentFacts, LetterInput, Narrative, Organisation, Recipient, UpdateNote};

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

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrganisationView {
    pub name: String,
    pub website: Option<String>,
    pub postal_address: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DpoView {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
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

#[derive(Debug, Clone, PartialEq, Serialize)]
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
        let recipient = input.recipient;
        let locale = set
            .resolve_locale(recipient.locale.as_ref(), recipient.country.as_deref())
            .locale
            .to_string();
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
                "letters need a way for people to check them: give the organisation a verification page \
                 (verify_url) or phone number (verify_phone)",
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

        let person = recipient;
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

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;
    use crate::category::DataCategory;

    #[test]
    fn letters_without_what_they_need_are_refused() {
        let set = TemplateSet::builtin().unwrap();
        let (org, incident, person, update) = (
            sample::organisation(),
            sample::incident(),
            sample::recipient("en"),
            sample::update_note(),
        );
        let (categories, systems) = (sample::categories(), sample::systems());
        let base = LetterInput {
            organisation: &org,
            incident: &incident,
            recipient: &person,
            categories: &categories,
            systems: &systems,
            kind: LetterKind::Initial,
            update: None,
            channel: Channel::Postal,
            code: VerificationCode::from_bytes(sample::SAMPLE_CODE),
            date: incident.aware_at,
        };
        let err = |input: LetterInput<'_>| LetterContext::build(&set, input).unwrap_err().to_string();
        assert!(LetterContext::build(&set, base).is_ok());
        assert!(
            err(LetterInput {
                kind: LetterKind::Update,
                ..base
            })
            .contains("summary of what is new")
        );
        assert!(
            LetterContext::build(
                &set,
                LetterInput {
                    kind: LetterKind::Update,
                    update: Some(&update),
                    ..base
                }
            )
            .is_ok()
        );
        assert!(
            err(LetterInput {
                categories: &[],
                ..base
            })
            .contains("at least one exposed data category")
        );
        let homeless = Recipient {
            postal_address: vec![" ".into()],
            ..person.clone()
        };
        assert!(
            err(LetterInput {
                recipient: &homeless,
                ..base
            })
            .contains("postal address")
        );
        assert!(
            LetterContext::build(
                &set,
                LetterInput {
                    recipient: &homeless,
                    channel: Channel::Email,
                    ..base
                }
            )
            .is_ok()
        );
        let unverifiable = Organisation {
            verify_url: None,
            verify_phone: None,
            ..org.clone()
        };
        assert!(
            err(LetterInput {
                organisation: &unverifiable,
                ..base
            })
            .contains("verify_url")
        );
        let phishy = Organisation {
            verify_url: Some("javascript:alert(1)".into()),
            ..org.clone()
        };
        assert!(
            err(LetterInput {
                organisation: &phishy,
                ..base
            })
            .contains("is not a web address")
        );
        let no_contact = IncidentFacts {
            dpo_email: None,
            dpo_phone: None,
            ..incident.clone()
        };
        assert!(
            err(LetterInput {
                incident: &no_contact,
                ..base
            })
            .contains("contact point")
        );
        // Duplicates go, and categories follow the vocabulary's order.
        let twice: Vec<DataCategory> = ["health", "email", "health"]
            .iter()
            .map(|k| k.parse().unwrap())
            .collect();
        let ctx = LetterContext::build(
            &set,
            LetterInput {
                categories: &twice,
                ..base
            },
        )
        .unwrap();
        let keys: Vec<&str> = ctx.categories.iter().map(|c| c.key).collect();
        assert_eq!(keys, ["email", "health"]);
        assert!(ctx.any_special);
    }

    #[test]
    fn translations_fall_back_from_region_to_language() {
        let map: BTreeMap<String, u8> = [("de".to_string(), 1), ("fr-ch".to_string(), 2)].into();
        assert_eq!(pick(&map, "de-at"), Some(&1));
        assert_eq!(pick(&map, "fr-ch"), Some(&2));
        assert_eq!(pick(&map, "fr"), None);
    }
}
