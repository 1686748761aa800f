//! The built-in sample letter: a fictitious shop, incident and person in each language, for
//! `letters sample`, `letters lint` and the snapshot tests. Nothing here is real data.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};

use super::context::{
    IncidentFacts, LetterContext, LetterInput, Narrative, Organisation, Recipient, UpdateNote,
};
use super::render::TemplateSet;
use super::verification::VerificationCode;
use super::{Channel, LetterKind};
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

fn narrative(lang: &str) -> Narrative {
    match lang {
        "de" => Narrative {
            nature: "Eine unbefugte Person hat sich mit dem gestohlenen \
                     Passwort eines Mitarbeiters Zugang zu unserer Kundendatenbank verschafft und Kundendaten \
                     kopiert."
                .into(),
            likely_consequences: "Die Daten könnten für gezielte Betrugsversuche per E-Mail, Telefon oder Post \
                                  genutzt werden, etwa für Nachrichten, die vorgeben, von uns zu stammen. Mit den \
                                  Kartendaten könnten Unbefugte versuchen, im Internet zu bezahlen."
                .into(),
            measures_taken: "Wir haben den Zugang gesperrt, alle Passwörter unserer Mitarbeitenden zurückgesetzt \
                             und die Anmeldung mit einem zweiten Faktor verpflichtend gemacht. Die zuständige \
                             Datenschutzaufsichtsbehörde ist informiert."
                .into(),
            measures_proposed: "Wir setzen Ihr Passwort für unseren Shop zurück und überwachen, ob die Daten im \
                                Internet angeboten werden."
                .into(),
        },
        "fr" => Narrative {
            nature: "Une personne non autorisée a accédé à notre base de données \
                     clients à l'aide du mot de passe volé d'un employé et a copié des données de clients."
                .into(),
            likely_consequences: "Ces données pourraient servir à des tentatives de fraude ciblées par e-mail, \
                                  téléphone ou courrier, par exemple des messages se faisant passer pour nous. \
                                  Les données de carte pourraient être utilisées pour tenter des paiements en ligne."
                .into(),
            measures_taken: "Nous avons bloqué l'accès, réinitialisé les mots de passe de tous nos employés et \
                             rendu obligatoire la connexion avec un second facteur. L'autorité de protection des \
                             données compétente a été informée."
                .into(),
            measures_proposed: "Nous réinitialisons le mot de passe de votre compte client et surveillons si les \
                                données sont proposées sur Internet."
                .into(),
        },
        _ => Narrative {
            nature: "An unauthorised person used an employee's stolen password to \
                     access our customer database and copied customer records."
                .into(),
            likely_consequences: "The data could be used for targeted fraud attempts by email, telephone or post, \
                                  such as messages that pretend to come from us. The card details could be used \
                                  to attempt payments online."
                .into(),
            measures_taken: "We blocked the access, reset the passwords of all our staff and made sign-in with a \
                             second factor mandatory. We have informed the competent data protection authority."
                .into(),
            measures_proposed: "We are resetting the password of your shop account and monitoring whether the \
                                data are offered on the internet."
                .into(),
        },
    }
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
        translations: ["de", "fr"]
            .iter()
            .map(|l| (l.to_string(), narrative(l)))
            .collect(),
    }
}

pub fn update_note() -> UpdateNote {
    UpdateNote {
        summary: "Our investigation is complete. The copied data did not include card security codes (CVC), \
                  and we have found no sign that the data have been published."
            .into(),
        translations: BTreeMap::from([
            (
                "de".to_string(),
                "Unsere Untersuchung ist abgeschlossen. Die kopierten Daten enthielten keine \
                 Kartenprüfnummern (CVC), und wir haben keine Hinweise darauf, dass die Daten \
                 veröffentlicht wurden."
                    .to_string(),
            ),
            (
                "fr".to_string(),
                "Notre enquête est terminée. Les données copiées ne contenaient pas les cryptogrammes des \
                 cartes (CVC), et nous n'avons constaté aucun signe de publication des données."
                    .to_string(),
            ),
        ]),
        previous_letter_at: Some(at(2026, 3, 6, 9, 0)),
    }
}

/// The sample person for a locale: one per language, the others get an English-speaking one
/// with the locale asked for.
pub fn recipient(locale: &str) -> Recipient {
    let (name, salutation, zone, address): (&str, &str, &str, &[&str]) = match locale.split('-').next() {
        Some("de") => (
            "Erika Mustermann",
            "Frau Mustermann",
            "Europe/Berlin",
            &["Heidestraße 17", "51147 Köln"],
        ),
        Some("fr") => (
            "Marie Dupont",
            "Madame",
            "Europe/Paris",
            &["12 rue des Lilas", "75011 Paris", "France"],
        ),
        _ => (
            "Jane Doe",
            "Ms Doe",
            "Europe/London",
            &["221 Baker Street", "London NW1 6XE", "United Kingdom"],
        ),
    };
    Recipient {
        name: name.into(),
        salutation: Some(salutation.into()),
        locale: locale.parse().ok(),
        zone: zone.parse().unwrap_or(chrono_tz::UTC),
        postal_address: address.iter().map(|l| l.to_string()).collect(),
    }
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

/// The sample letter's context in `locale`.
pub fn context(set: &TemplateSet, locale: &str, kind: LetterKind, channel: Channel) -> Result<LetterContext> {
    let (org, incident, person, update) = (organisation(), incident(), recipient(locale), update_note());
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
