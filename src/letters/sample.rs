//! The built-in sample letter: a fictitious shop, incident and person in each language, for
//! `letters sample`, `letters lint` and the snapshot tests. Nothing here is real data.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::{DateTime, TimeZone, Utc};

use super::context::{
    IncidentFacts, LetterContext, LetterInput, Narrative, Organisation, Recipient, UpdateNote,
};
use super::render::TemplateSet;
use super::verification::VerificationCode;
use super::{Channel, LetterKind, Locale};
use crate::category::DataCategory;
use crate::error::Result;

/// The sample's fixed verification code, so that sample letters are reproducible.
pub const SAMPLE_CODE: [u8; 10] = [0x3a, 0x7f, 0x00, 0x91, 0xc4, 0x5e, 0x22, 0xb0, 0x0d, 0xff];

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .unwrap_or_default()
}

pub fn organisation() -> Organisation {
    Organisation {
        name: "Example Shop GmbH".into(),
        website: Some("https://www.example.com".into()),
        verify_url: Some("https://www.example.com/verify".into()),
        verify_phone: Some("+49 30 1234 5678".into()),
        postal_address: vec!["Musterstraße 1".into(), "10115 Berlin".into(), "Germany".into()],
    }
}

/// One language's sample person and texts (`sample.toml`).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Sample {
    name: String,
    salutation: String,
    zone: String,
    address: Vec<String>,
    nature: String,
    likely_consequences: String,
    measures_taken: String,
    measures_proposed: String,
    update: String,
}

static SAMPLES: LazyLock<BTreeMap<String, Sample>> = LazyLock::new(|| {
    // Part of the source: a mistake in it is a bug the tests catch.
    toml::from_str(include_str!("sample.toml")).expect("sample.toml is valid")
});

/// The sample of `lang`, English where there is none.
fn sample(lang: &str) -> &'static Sample {
    SAMPLES
        .get(lang)
        .or_else(|| SAMPLES.get("en"))
        .expect("sample.toml has en")
}

fn narrative(lang: &str) -> Narrative {
    let s = sample(lang);
    Narrative {
        nature: s.nature.clone(),
        likely_consequences: s.likely_consequences.clone(),
        measures_taken: s.measures_taken.clone(),
        measures_proposed: s.measures_proposed.clone(),
    }
}

/// The languages other than English the sample has texts in.
fn translated() -> impl Iterator<Item = &'static str> {
    SAMPLES.keys().map(String::as_str).filter(|l| *l != "en")
}

pub fn incident() -> IncidentFacts {
    IncidentFacts {
        reference: "BD-2026-0001".into(),
        occurred_from: Some(at(2026, 3, 2, 22, 10)),
        occurred_to: Some(at(2026, 3, 4, 6, 30)),
        detected_at: Some(at(2026, 3, 4, 7, 15)),
        aware_at: at(2026, 3, 4, 11, 0),
        dpo_name: "Dana Schmidt".into(),
        dpo_email: Some("dpo@example.com".into()),
        dpo_phone: Some("+49 30 1234 5600".into()),
        narrative: narrative("en"),
        translations: translated().map(|l| (l.to_string(), narrative(l))).collect(),
    }
}

pub fn update_note() -> UpdateNote {
    UpdateNote {
        summary: sample("en").update.clone(),
        translations: translated()
            .map(|l| (l.to_string(), sample(l).update.clone()))
            .collect(),
        previous_letter_at: Some(at(2026, 3, 6, 9, 0)),
    }
}

/// The sample person with the locale `locale` on record and the country `country`, living
/// where the letter's language `lang` is spoken (an English-speaking one for a language the
/// sample has no person for).
pub fn recipient_in(locale: &str, country: Option<&str>, lang: &str) -> Recipient {
    let s = sample(lang);
    Recipient {
        name: s.name.clone(),
        salutation: Some(s.salutation.clone()),
        locale: locale.parse().ok(),
        country: country.map(str::to_string),
        zone: s.zone.parse().unwrap_or(chrono_tz::UTC),
        postal_address: s.address.clone(),
    }
}

/// The sample person for a locale: one per language, the others get an English-speaking one
/// with the locale asked for.
pub fn recipient(locale: &str) -> Recipient {
    recipient_in(locale, None, locale.split('-').next().unwrap_or(locale))
}

pub fn categories() -> Vec<DataCategory> {
    [
        "name",
        "email",
        "postal_address",
        "credentials",
        "payment_card",
        "purchase_history",
    ]
    .iter()
    .filter_map(|k| k.parse().ok())
    .collect()
}

pub fn systems() -> Vec<String> {
    vec!["Online shop".into(), "Customer service".into()]
}

/// The sample letter's context for a person whose locale on record is `locale`.
pub fn context(set: &TemplateSet, locale: &str, kind: LetterKind, channel: Channel) -> Result<LetterContext> {
    context_in(set, locale, None, kind, channel)
}

/// The sample letter's context for a person with the locale `locale` in `country`: in the
/// language the set's fallback chain picks for them, as `letters render` would.
pub fn context_in(
    set: &TemplateSet,
    locale: &str,
    country: Option<&str>,
    kind: LetterKind,
    channel: Channel,
) -> Result<LetterContext> {
    let parsed: Option<Locale> = locale.parse().ok();
    let chosen = set.resolve_locale(parsed.as_ref(), country).locale;
    let lang = chosen.split('-').next().unwrap_or(chosen);
    let person = recipient_in(locale, country, lang);
    let (org, incident, update) = (organisation(), incident(), update_note());
    let (categories, systems) = (categories(), systems());
    let date = match kind {
        LetterKind::Initial => at(2026, 3, 6, 9, 0),
        LetterKind::Update => at(2026, 3, 20, 9, 0),
    };
    LetterContext::build(
        set,
        LetterInput {
            organisation: &org,
            incident: &incident,
            recipient: &person,
            categories: &categories,
            systems: &systems,
            kind,
            update: Some(&update),
            channel,
            code: VerificationCode::from_bytes(SAMPLE_CODE),
            date,
        },
    )
}
