//! What a letter is built from: the organisation, the incident's facts and narrative (with
//! translations), the person, and what an update adds. Callers fill these from what they
//! stored; [`LetterContext::build`](super::LetterContext::build) turns them into the context.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

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
    /// Their country (ISO 3166-1 alpha-2), if known: its official languages come after their
    /// own in the choice of the letter's language.
    pub country: Option<String>,
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
