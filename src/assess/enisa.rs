//! The ENISA 2013 severity methodology: SE = DPC x EI + CB, with the levels and scores of
//! ENISA's *Recommendations for a methodology of the assessment of severity of personal data
//! breaches* (v1.0, December 2013). Scores are multiples of 0.25 and are computed in whole
//! quarters, so that the band boundaries at exactly 2, 3 and 4 are exact.

use serde::{Deserialize, Serialize};

pub use crate::db::entities::assessment::Band;

impl Band {
    /// The band of a score given in quarters: Low < 2 <= Medium < 3 <= High < 4 <= Very high.
    pub fn of_quarters(score_quarters: i32) -> Band {
        match score_quarters {
            q if q < 8 => Band::Low,
            q if q < 12 => Band::Medium,
            q if q < 16 => Band::High,
            _ => Band::VeryHigh,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Band::Low => "Low",
            Band::Medium => "Medium",
            Band::High => "High",
            Band::VeryHigh => "Very high",
        }
    }

    pub fn parse(text: &str) -> Option<Band> {
        match text.trim().to_ascii_lowercase().replace(['-', ' '], "_").as_str() {
            "low" => Some(Band::Low),
            "medium" => Some(Band::Medium),
            "high" => Some(Band::High),
            "very_high" => Some(Band::VeryHigh),
            _ => None,
        }
    }
}

/// Ease of identification: a correcting factor of DPC, four levels with a linear score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ease {
    /// 0.25: extremely difficult to match the data to a person.
    Negligible,
    /// 0.50: possible with difficulty or additional information.
    Limited,
    /// 0.75: reasonably easy.
    Significant,
    /// 1.00: directly from the breached data.
    Maximum,
}

impl Ease {
    pub fn quarters(self) -> i32 {
        match self {
            Ease::Negligible => 1,
            Ease::Limited => 2,
            Ease::Significant => 3,
            Ease::Maximum => 4,
        }
    }
}

/// Loss of confidentiality.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidentiality {
    /// 0: exposed, without evidence of illegal processing.
    #[default]
    None,
    /// +0.25: disclosed to a known, limited number of recipients.
    KnownRecipients,
    /// +0.5: disclosed to an unknown number of recipients (e.g. published).
    UnknownRecipients,
}

/// Loss of integrity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Integrity {
    /// 0: altered, but no incorrect or illegal use identified, or recovered before use.
    #[default]
    None,
    /// +0.25: altered and possibly misused, recoverable.
    Recoverable,
    /// +0.5: altered and possibly misused, not recoverable.
    NotRecoverable,
}

/// Loss of availability.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Availability {
    /// 0: recoverable without difficulty (another copy, easily rebuilt).
    #[default]
    None,
    /// +0.25: temporarily unavailable.
    Temporary,
    /// +0.5: fully unavailable, recoverable neither from the controller nor the individuals.
    Full,
}

/// The circumstances of the breach: each element adds to the severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Circumstances {
    #[serde(default)]
    pub confidentiality: Confidentiality,
    #[serde(default)]
    pub integrity: Integrity,
    #[serde(default)]
    pub availability: Availability,
    /// Intentional or malicious (theft, hacking to harm, selling data): +0.5.
    #[serde(default)]
    pub malicious: bool,
}

impl Circumstances {
    pub fn quarters(&self) -> i32 {
        let c = match self.confidentiality {
            Confidentiality::None => 0,
            Confidentiality::KnownRecipients => 1,
            Confidentiality::UnknownRecipients => 2,
        };
        let i = match self.integrity {
            Integrity::None => 0,
            Integrity::Recoverable => 1,
            Integrity::NotRecoverable => 2,
        };
        let a = match self.availability {
            Availability::None => 0,
            Availability::Temporary => 1,
            Availability::Full => 2,
        };
        c + i + a + if self.malicious { 2 } else { 0 }
    }
}

/// A contextual factor that moves the DPC basic score up or down by whole steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    /// Increases: volume of data for the same individual (time span, completeness).
    Volume,
    /// Increases: special characteristics of the controller (e.g. an online pharmacy).
    Controller,
    /// Increases: special characteristics of the individuals (minors, vulnerable, public figures).
    Individuals,
    /// Decreases: the data are known to be invalid or inaccurate.
    Invalidity,
    /// Decreases: the data were publicly available before the breach.
    PublicAvailability,
    /// Decreases: the data reveal less than their category suggests.
    Nature,
}

impl Factor {
    /// Whether the factor can only raise the score (otherwise it can only lower it).
    pub fn raises(self) -> bool {
        matches!(self, Factor::Volume | Factor::Controller | Factor::Individuals)
    }
}

/// The scored severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Severity {
    /// Data processing context, 1-4.
    pub dpc: i32,
    pub ei_quarters: i32,
    pub cb_quarters: i32,
    pub score_quarters: i32,
    pub band: Band,
}

impl Severity {
    /// SE = DPC x EI + CB.
    pub fn compute(dpc: i32, ease: Ease, circumstances: &Circumstances) -> Severity {
        let ei_quarters = ease.quarters();
        let cb_quarters = circumstances.quarters();
        let score_quarters = dpc * ei_quarters + cb_quarters;
        Severity {
            dpc,
            ei_quarters,
            cb_quarters,
            score_quarters,
            band: Band::of_quarters(score_quarters),
        }
    }

    /// `DPC 4 x EI 1.00 + CB 0.75 = 4.75`.
    pub fn formula(&self) -> String {
        format!(
            "DPC {} x EI {} + CB {} = {}",
            self.dpc,
            quarters_text(self.ei_quarters),
            quarters_text(self.cb_quarters),
            quarters_text(self.score_quarters)
        )
    }
}

/// A score in quarters as a decimal: 19 -> `4.75`.
pub fn quarters_text(q: i32) -> String {
    format!("{:.2}", f64::from(q) / 4.0)
}

/// A score in quarters as a number, for JSON (exact: quarters are binary fractions).
pub fn quarters_value(q: i32) -> f64 {
    f64::from(q) / 4.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cb(c: Confidentiality, i: Integrity, a: Availability, malicious: bool) -> Circumstances {
        Circumstances {
            confidentiality: c,
            integrity: i,
            availability: a,
            malicious,
        }
    }

    #[test]
    fn worked_example_customer_list_posted_on_a_forum_is_medium() {
        let c = cb(
            Confidentiality::UnknownRecipients,
            Integrity::None,
            Availability::None,
            true,
        );
        let s = Severity::compute(1, Ease::Maximum, &c);
        assert_eq!(s.score_quarters, 8);
        assert_eq!(quarters_text(s.score_quarters), "2.00");
        assert_eq!(s.band, Band::Medium);
    }

    #[test]
    fn worked_example_hospital_ransomware_is_very_high() {
        let c = cb(
            Confidentiality::None,
            Integrity::None,
            Availability::Temporary,
            true,
        );
        let s = Severity::compute(4, Ease::Maximum, &c);
        assert_eq!(quarters_text(s.score_quarters), "4.75");
        assert_eq!(s.band, Band::VeryHigh);
        assert_eq!(s.formula(), "DPC 4 x EI 1.00 + CB 0.75 = 4.75");
    }

    #[test]
    fn worked_example_encrypted_laptop_modelled_through_ei_is_low() {
        let c = cb(Confidentiality::None, Integrity::None, Availability::None, true);
        let s = Severity::compute(2, Ease::Negligible, &c);
        assert_eq!(quarters_text(s.score_quarters), "1.00");
        assert_eq!(s.band, Band::Low);
    }

    #[test]
    fn bands_are_half_open_at_two_three_and_four() {
        assert_eq!(Band::of_quarters(7), Band::Low); // 1.75
        assert_eq!(Band::of_quarters(8), Band::Medium); // exactly 2
        assert_eq!(Band::of_quarters(11), Band::Medium); // 2.75
        assert_eq!(Band::of_quarters(12), Band::High); // exactly 3
        assert_eq!(Band::of_quarters(15), Band::High); // 3.75
        assert_eq!(Band::of_quarters(16), Band::VeryHigh); // exactly 4
        assert_eq!(Band::of_quarters(24), Band::VeryHigh); // the maximum, 6
        // Exactly 3 and exactly 4 reached through the formula.
        let none = Circumstances::default();
        assert_eq!(Severity::compute(3, Ease::Maximum, &none).band, Band::High);
        assert_eq!(Severity::compute(4, Ease::Maximum, &none).band, Band::VeryHigh);
        assert_eq!(Severity::compute(4, Ease::Limited, &none).band, Band::Medium);
    }

    #[test]
    fn circumstances_add_up_to_two() {
        let all = cb(
            Confidentiality::UnknownRecipients,
            Integrity::NotRecoverable,
            Availability::Full,
            true,
        );
        assert_eq!(all.quarters(), 8);
        assert_eq!(Severity::compute(4, Ease::Maximum, &all).score_quarters, 24);
        let known = cb(
            Confidentiality::KnownRecipients,
            Integrity::Recoverable,
            Availability::None,
            false,
        );
        assert_eq!(known.quarters(), 2);
    }
}
