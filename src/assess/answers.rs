//! The answers of an ENISA assessment, from an answers file (TOML) or from the prompts.
//!
//! ```toml
//! ei = "maximum"          # negligible | limited | significant | maximum (EI 0.25 .. 1.00)
//! individuals = 1200      # optional: considered after the formula, as ENISA says
//! unintelligible = false  # optional: data encrypted / unintelligible to unauthorised persons
//! notes = "free text"     # optional
//!
//! [dpc]
//! categories = ["name", "email"]   # data categories: the highest ENISA basic score is taken
//! # basic = 1                      # ... or the basic score itself, 1-4 (not both)
//! [[dpc.adjustments]]              # optional, whole steps, each with its justification
//! factor = "controller"            # raise: volume | controller | individuals
//! step = 1                         # lower: invalidity | public_availability | nature
//! justification = "an online pharmacy: the customer list reveals health conditions"
//!
//! [cb]
//! confidentiality = "unknown-recipients"  # none | known-recipients | unknown-recipients
//! integrity = "none"                      # none | recoverable | not-recoverable
//! availability = "none"                   # none | temporary | full
//! malicious = true
//! ```

use std::path::Path;

/// The answers-file format, for `incident assess --help`.
pub const FORMAT: &str = r#"Answers file (--answers FILE.toml):

  ei = "maximum"          # negligible | limited | significant | maximum (EI 0.25 .. 1.00)
  individuals = 1200      # optional: weighed after the formula, as ENISA says
  unintelligible = false  # optional: data unintelligible to unauthorised persons (key safe)
  notes = "free text"     # optional

  [dpc]
  categories = ["name", "email"]   # the highest ENISA basic score of these is taken
  # basic = 1                      # ... or the basic score itself, 1-4 (not both);
                                   # neither: the categories the affected subjects had exposed
  [[dpc.adjustments]]              # optional, whole steps, each with its justification
  factor = "controller"            # raise: volume | controller | individuals
  step = 1                         # lower: invalidity | public_availability | nature
  justification = "an online pharmacy: the list reveals health conditions"

  [cb]
  confidentiality = "unknown-recipients"  # none | known-recipients | unknown-recipients
  integrity = "none"                      # none | recoverable | not-recoverable
  availability = "none"                   # none | temporary | full
  malicious = true

SE = DPC x EI + CB; Low < 2 <= Medium < 3 <= High < 4 <= Very high. Which bands propose
notifying the authority and the people is policy, set in breachdesk.toml [assessment]
(default: the authority from medium, the people from high)."#;

use serde::{Deserialize, Serialize};

use super::enisa::{Circumstances, Ease, Factor};
use crate::category::DataCategory;
use crate::error::{Error, Result};
use crate::tomlfile::{describe_error, line_of};

/// What the assessor answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answers {
    pub dpc: DataContext,
    #[serde(rename = "ei")]
    pub ease: Ease,
    #[serde(rename = "cb")]
    pub circumstances: Circumstances,
    pub individuals: Option<u64>,
    pub unintelligible: bool,
    pub notes: Option<String>,
}

/// The data processing context: a basic score (given, or the highest of the categories) and
/// contextual adjustments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataContext {
    pub basic: i32,
    /// The categories the basic score came from, when it came from categories.
    pub categories: Vec<DataCategory>,
    pub adjustments: Vec<Adjustment>,
}

/// One contextual adjustment of the DPC, in whole steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjustment {
    pub factor: Factor,
    pub step: i32,
    pub justification: String,
}

impl DataContext {
    /// The basic score of a set of categories: the highest of their ENISA basic scores.
    pub fn basic_of(categories: &[DataCategory]) -> Option<i32> {
        categories
            .iter()
            .map(|c| i32::from(c.info().enisa_basic_dpc))
            .max()
    }

    /// Checks the basic score and the adjustments; returns the adjusted DPC, which stays
    /// within 1-4 as ENISA requires.
    pub fn score(&self) -> Result<i32> {
        if !(1..=4).contains(&self.basic) {
            return Err(Error::bad_input(format!(
                "the DPC basic score {} is outside 1-4 (1 simple, 2 behavioural, 3 financial, 4 sensitive)",
                self.basic
            )));
        }
        let mut dpc = self.basic;
        for a in &self.adjustments {
            if a.step == 0 || (a.step > 0) != a.factor.raises() {
                let way = if a.factor.raises() { "raises" } else { "lowers" };
                return Err(Error::bad_input(format!(
                    "the adjustment for '{}' has step {}: that factor only {way} the DPC, by whole steps",
                    factor_name(a.factor),
                    a.step
                )));
            }
            if a.justification.trim().is_empty() {
                return Err(Error::bad_input(format!(
                    "the adjustment for '{}' needs a justification",
                    factor_name(a.factor)
                )));
            }
            dpc += a.step;
        }
        if !(1..=4).contains(&dpc) {
            return Err(Error::bad_input(format!(
                "the adjustments take the DPC from {} to {dpc}: it must stay within 1-4",
                self.basic
            )));
        }
        Ok(dpc)
    }
}

pub fn factor_name(f: Factor) -> &'static str {
    match f {
        Factor::Volume => "volume",
        Factor::Controller => "controller",
        Factor::Individuals => "individuals",
        Factor::Invalidity => "invalidity",
        Factor::PublicAvailability => "public_availability",
        Factor::Nature => "nature",
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswersFile {
    #[serde(rename = "ei")]
    ease: Ease,
    individuals: Option<u64>,
    #[serde(default)]
    unintelligible: bool,
    notes: Option<String>,
    dpc: toml::Spanned<DpcFile>,
    #[serde(default)]
    cb: Circumstances,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DpcFile {
    basic: Option<i32>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    adjustments: Vec<Adjustment>,
}

/// Reads an answers file; errors name the file and line.
pub fn read_file(path: &Path, exposed: &[DataCategory]) -> Result<Answers> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::bad_input(format!("cannot read the answers file {}: {e}", path.display())))?;
    parse_with(&text, &path.display().to_string(), exposed)
}

/// Parses answers; `origin` names the text in errors (`answers.toml:7: ...`).
pub fn parse(text: &str, origin: &str) -> Result<Answers> {
    parse_with(text, origin, &[])
}

/// Parses answers; a `[dpc]` with neither `basic` nor `categories` takes the `exposed`
/// categories (the union over the incident's affected subjects) when there are any.
pub fn parse_with(text: &str, origin: &str, exposed: &[DataCategory]) -> Result<Answers> {
    let file: AnswersFile =
        toml::from_str(text).map_err(|e| Error::bad_input(describe_error(origin, text, &e)))?;
    let dpc_line = line_of(text, file.dpc.span().start);
    let at = |e: Error| Error::bad_input(format!("{origin}:{dpc_line}: {e}"));
    let dpc = file.dpc.into_inner();
    let mut categories = dpc
        .categories
        .iter()
        .map(|c| c.parse::<DataCategory>())
        .collect::<Result<Vec<_>>>()
        .map_err(at)?;
    if categories.is_empty() && dpc.basic.is_none() {
        categories = exposed.to_vec();
    }
    let basic = match (dpc.basic, DataContext::basic_of(&categories)) {
        (Some(_), Some(_)) => {
            return Err(at(Error::bad_input(
                "give the DPC basic score or the data categories, not both",
            )));
        }
        (Some(b), None) => b,
        (None, Some(b)) => b,
        (None, None) => {
            return Err(at(Error::bad_input(
                "[dpc] needs `categories = [...]` or `basic = 1..4` (or affected subjects to take the categories from: `affected resolve`)",
            )));
        }
    };
    let context = DataContext {
        basic,
        categories,
        adjustments: dpc.adjustments,
    };
    context.score().map_err(at)?;
    Ok(Answers {
        dpc: context,
        ease: file.ease,
        circumstances: file.cb,
        individuals: file.individuals,
        unintelligible: file.unintelligible,
        notes: file.notes.filter(|n| !n.trim().is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::enisa::Confidentiality;

    const EXAMPLE: &str = r#"
ei = "maximum"
individuals = 1200

[dpc]
categories = ["name", "email"]
[[dpc.adjustments]]
factor = "controller"
step = 1
justification = "online pharmacy"

[cb]
confidentiality = "unknown-recipients"
malicious = true
"#;

    #[test]
    fn reads_the_documented_format() {
        let a = parse(EXAMPLE, "a.toml").unwrap();
        assert_eq!(a.dpc.basic, 1);
        assert_eq!(a.dpc.score().unwrap(), 2);
        assert_eq!(a.ease, Ease::Maximum);
        assert_eq!(
            a.circumstances.confidentiality,
            Confidentiality::UnknownRecipients
        );
        assert!(a.circumstances.malicious);
        assert_eq!(a.individuals, Some(1200));
    }

    #[test]
    fn the_documented_format_parses() {
        let body: String = FORMAT
            .lines()
            .skip(1)
            .take_while(|l| !l.starts_with("SE ="))
            .map(|l| format!("{l}\n"))
            .collect();
        let a = parse(&body, "help").unwrap();
        assert_eq!(a.dpc.score().unwrap(), 2);
        assert_eq!(a.circumstances.quarters(), 4);
    }

    #[test]
    fn categories_give_the_highest_basic_score() {
        let cats = DataCategory::parse_list("email,purchase_history,health").unwrap();
        assert_eq!(DataContext::basic_of(&cats), Some(4));
        let cats = DataCategory::parse_list("email,payment_card").unwrap();
        assert_eq!(DataContext::basic_of(&cats), Some(3));
    }

    #[test]
    fn errors_name_file_and_line() {
        let bad = EXAMPLE.replace("\"maximum\"", "\"total\"");
        let e = parse(&bad, "a.toml").unwrap_err().to_string();
        assert!(e.starts_with("a.toml:2:"), "{e}");
        let bad = EXAMPLE.replace("step = 1", "step = -1");
        let e = parse(&bad, "a.toml").unwrap_err().to_string();
        assert!(e.starts_with("a.toml:5:") && e.contains("only raises"), "{e}");
        let bad = EXAMPLE.replace(
            "categories = [\"name\", \"email\"]",
            "basic = 4\ncategories = [\"name\"]",
        );
        let e = parse(&bad, "a.toml").unwrap_err().to_string();
        assert!(e.contains("not both"), "{e}");
        let bad = EXAMPLE.replace("\"email\"]", "\"shoe_size\"]");
        let e = parse(&bad, "a.toml").unwrap_err().to_string();
        assert!(e.contains("shoe_size"), "{e}");
    }

    #[test]
    fn dpc_categories_default_to_the_exposed_ones() {
        let text = EXAMPLE.replace("categories = [\"name\", \"email\"]", "");
        assert!(parse(&text, "a.toml").is_err());
        let exposed = DataCategory::parse_list("email,payment_card").unwrap();
        let a = parse_with(&text, "a.toml", &exposed).unwrap();
        assert_eq!(a.dpc.categories, exposed);
        assert_eq!(a.dpc.basic, 3);
    }

    #[test]
    fn adjustments_stay_within_one_to_four() {
        let bad = EXAMPLE.replace("categories = [\"name\", \"email\"]", "basic = 4");
        let e = parse(&bad, "a.toml").unwrap_err().to_string();
        assert!(e.contains("from 4 to 5"), "{e}");
    }
}
