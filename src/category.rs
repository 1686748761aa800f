//! The vocabulary of personal-data categories. Systems declare which they hold, records which
//! they carry, incidents which were exposed; letters, the severity assessment and the reports
//! read the same keys. Each category belongs to a group, may be special (GDPR Art. 9) or
//! criminal (Art. 10), and carries the ENISA 2013 basic data-processing-context score of its
//! kind (simple 1, behavioural 2, financial 3, sensitive 4).
//!
//! The database stores sets of categories as bit masks, bit N being entry N of
//! [`CATEGORIES`]: the list is append-only, an entry is never moved or removed.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::error::Error;

/// The group a category belongs to, for reports and letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Identity,
    Contact,
    Credentials,
    Financial,
    GovernmentId,
    Professional,
    Behavioural,
    Location,
    Communications,
    /// GDPR Art. 9 special categories.
    Special,
    /// GDPR Art. 10: criminal convictions and offences.
    Criminal,
}

/// How the law treats a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sensitivity {
    Ordinary,
    /// GDPR Art. 9(1).
    SpecialArt9,
    /// GDPR Art. 10.
    CriminalArt10,
}

/// One category of the vocabulary.
#[derive(Debug, PartialEq, Eq)]
pub struct CategoryInfo {
    pub key: &'static str,
    pub group: Group,
    pub sensitivity: Sensitivity,
    /// ENISA basic DPC score of the kind of data (1 simple, 2 behavioural, 3 financial, 4 sensitive).
    pub enisa_basic_dpc: u8,
    /// Plain-language labels: English, German, French.
    pub label_en: &'static str,
    pub label_de: &'static str,
    pub label_fr: &'static str,
}

macro_rules! categories {
    ($( $key:literal, $group:ident, $sens:ident, $dpc:literal, $en:literal, $de:literal, $fr:literal; )*) => {
        /// Every category, in the order reports list them.
        pub static CATEGORIES: &[CategoryInfo] = &[
            $( CategoryInfo {
                key: $key,
                group: Group::$group,
                sensitivity: Sensitivity::$sens,
                enisa_basic_dpc: $dpc,
                label_en: $en,
                label_de: $de,
                label_fr: $fr,
            }, )*
        ];
    };
}

categories! {
    "name", Identity, Ordinary, 1, "name", "Name", "nom";
    "date_of_birth", Identity, Ordinary, 1, "date of birth", "Geburtsdatum", "date de naissance";
    "photo", Identity, Ordinary, 1, "photograph", "Foto", "photographie";
    "email", Contact, Ordinary, 1, "email address", "E-Mail-Adresse", "adresse e-mail";
    "phone", Contact, Ordinary, 1, "telephone number", "Telefonnummer", "numéro de téléphone";
    "postal_address", Contact, Ordinary, 1, "postal address", "Postanschrift", "adresse postale";
    "credentials", Credentials, Ordinary, 1, "user name and password", "Benutzername und Passwort", "identifiant et mot de passe";
    "security_answers", Credentials, Ordinary, 1, "security questions and answers", "Sicherheitsfragen und -antworten", "questions et réponses de sécurité";
    "bank_account", Financial, Ordinary, 3, "bank account details", "Bankverbindung", "coordonnées bancaires";
    "payment_card", Financial, Ordinary, 3, "payment card details", "Zahlungskartendaten", "données de carte de paiement";
    "financial_history", Financial, Ordinary, 3, "income, transactions or credit history", "Einkommen, Umsätze oder Bonitätsdaten", "revenus, transactions ou historique de crédit";
    "national_id", GovernmentId, Ordinary, 1, "national identity or social security number", "Personalausweis- oder Sozialversicherungsnummer", "numéro d'identité ou de sécurité sociale";
    "passport", GovernmentId, Ordinary, 1, "passport details", "Reisepassdaten", "données de passeport";
    "driving_licence", GovernmentId, Ordinary, 1, "driving licence details", "Führerscheindaten", "données de permis de conduire";
    "tax_id", GovernmentId, Ordinary, 1, "tax identification number", "Steuer-Identifikationsnummer", "numéro fiscal";
    "employment", Professional, Ordinary, 1, "employment records", "Beschäftigungsdaten", "données d'emploi";
    "job_application", Professional, Ordinary, 1, "job application documents", "Bewerbungsunterlagen", "dossier de candidature";
    "education", Professional, Ordinary, 1, "education records", "Ausbildungsdaten", "données de formation";
    "online_activity", Behavioural, Ordinary, 2, "online activity and usage data", "Online-Aktivitäten und Nutzungsdaten", "activité en ligne et données d'utilisation";
    "purchase_history", Behavioural, Ordinary, 2, "purchase history", "Kaufhistorie", "historique d'achats";
    "location", Location, Ordinary, 2, "location data", "Standortdaten", "données de localisation";
    "communications", Communications, Ordinary, 2, "contents of messages", "Inhalte von Nachrichten", "contenu des messages";
    "health", Special, SpecialArt9, 4, "health data", "Gesundheitsdaten", "données de santé";
    "genetic", Special, SpecialArt9, 4, "genetic data", "genetische Daten", "données génétiques";
    "biometric", Special, SpecialArt9, 4, "biometric data", "biometrische Daten", "données biométriques";
    "racial_ethnic_origin", Special, SpecialArt9, 4, "racial or ethnic origin", "ethnische Herkunft", "origine raciale ou ethnique";
    "political_opinions", Special, SpecialArt9, 4, "political opinions", "politische Meinungen", "opinions politiques";
    "religious_beliefs", Special, SpecialArt9, 4, "religious or philosophical beliefs", "religiöse oder weltanschauliche Überzeugungen", "convictions religieuses ou philosophiques";
    "trade_union_membership", Special, SpecialArt9, 4, "trade union membership", "Gewerkschaftszugehörigkeit", "appartenance syndicale";
    "sex_life_orientation", Special, SpecialArt9, 4, "sex life or sexual orientation", "Sexualleben oder sexuelle Orientierung", "vie sexuelle ou orientation sexuelle";
    "criminal_records", Criminal, CriminalArt10, 4, "criminal convictions and offences", "strafrechtliche Verurteilungen und Straftaten", "condamnations pénales et infractions";
}

/// A category key from the vocabulary (`email`, `health`, ...).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DataCategory(u8);

impl DataCategory {
    pub fn info(self) -> &'static CategoryInfo {
        &CATEGORIES[self.0 as usize]
    }

    pub fn key(self) -> &'static str {
        self.info().key
    }

    /// Special (Art. 9) or criminal (Art. 10) data.
    pub fn is_special(self) -> bool {
        self.info().sensitivity != Sensitivity::Ordinary
    }

    /// The label in `lang` (`en`, `de`, `fr`; English otherwise).
    pub fn label(self, lang: &str) -> &'static str {
        let info = self.info();
        match lang {
            "de" => info.label_de,
            "fr" => info.label_fr,
            _ => info.label_en,
        }
    }

    pub fn all() -> impl Iterator<Item = DataCategory> {
        (0..CATEGORIES.len()).map(|i| DataCategory(i as u8))
    }

    /// Reads a comma-separated list (`email,name`); duplicates are dropped, order follows the
    /// vocabulary.
    pub fn parse_list(text: &str) -> Result<Vec<DataCategory>, Error> {
        let mut list: Vec<DataCategory> = text
            .split(',')
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()?;
        list.sort();
        list.dedup();
        Ok(list)
    }

    /// This category's bit in a stored mask.
    pub fn bit(self) -> i64 {
        1_i64 << self.0
    }

    /// The mask of a set of categories.
    pub fn mask(list: &[DataCategory]) -> i64 {
        list.iter().fold(0, |m, c| m | c.bit())
    }

    /// The categories of a stored mask, in vocabulary order.
    pub fn from_mask(mask: i64) -> Vec<DataCategory> {
        DataCategory::all().filter(|c| mask & c.bit() != 0).collect()
    }

    /// The mask of every special (Art. 9) and criminal (Art. 10) category.
    pub fn special_mask() -> i64 {
        DataCategory::all()
            .filter(|c| c.is_special())
            .fold(0, |m, c| m | c.bit())
    }

    /// The categories an inventory field holds, by the category's key: `name`, `email`,
    /// `phone`, `postal_address`. Whether a record has them is read from its values.
    pub fn of_field(key: &str) -> i64 {
        key.parse::<DataCategory>().map(DataCategory::bit).unwrap_or(0)
    }

    /// What one record exposes: its own categories (or, when it lists none, its system's)
    /// without those whose field the file carried empty for it (`unheld`), plus those whose
    /// field it has a value in (`held`). The resolution computes the same in SQL.
    pub fn of_record(own: i64, system: i64, held: i64, unheld: i64) -> i64 {
        let base = if own == 0 { system } else { own };
        (base & !unheld) | held
    }

    /// The list as stored and printed: keys joined by commas.
    pub fn join(list: &[DataCategory]) -> String {
        list.iter().map(|c| c.key()).collect::<Vec<_>>().join(",")
    }
}

impl FromStr for DataCategory {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let wanted = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        CATEGORIES
            .iter()
            .position(|c| c.key == wanted)
            .map(|i| DataCategory(i as u8))
            .ok_or_else(|| {
                let valid: Vec<&str> = CATEGORIES.iter().map(|c| c.key).collect();
                Error::bad_input(format!(
                    "unknown data category '{s}': valid ones are {}",
                    valid.join(", ")
                ))
            })
    }
}

impl fmt::Display for DataCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl fmt::Debug for DataCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl Serialize for DataCategory {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_parse() {
        let mut keys: Vec<&str> = CATEGORIES.iter().map(|c| c.key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), CATEGORIES.len());
        for c in DataCategory::all() {
            assert_eq!(c.key().parse::<DataCategory>().unwrap(), c);
            assert!((1..=4).contains(&c.info().enisa_basic_dpc));
        }
    }

    #[test]
    fn lists_are_normalised_and_unknown_names_list_the_valid_ones() {
        let list = DataCategory::parse_list("postal-address, Email ,name,email").unwrap();
        assert_eq!(DataCategory::join(&list), "name,email,postal_address");
        let err = DataCategory::parse_list("email,shoe_size")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("'shoe_size'") && err.contains("health") && err.contains("payment_card"),
            "{err}"
        );
        assert!("health".parse::<DataCategory>().unwrap().is_special());
        assert!("criminal_records".parse::<DataCategory>().unwrap().is_special());
        assert!(!"email".parse::<DataCategory>().unwrap().is_special());
        assert_eq!(
            "email".parse::<DataCategory>().unwrap().label("de"),
            "E-Mail-Adresse"
        );
    }
}
