//! From a severity band to proposed decisions. This mapping is the organisation's POLICY, set
//! in `breachdesk.toml` under `[assessment]`, not law: ENISA's method predates the GDPR and
//! does not map its levels to Art. 33 ("unless unlikely to result in a risk") or Art. 34
//! ("likely to result in a high risk"). The defaults follow a common reading: the authority
//! from Medium, the people from High.

use serde::Deserialize;

use super::answers::Answers;
use super::enisa::{Band, Severity};
use crate::db::entities::assessment::Exemption;
use crate::error::{Error, Result};

/// `[assessment]` in breachdesk.toml.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Propose notifying the supervisory authority from this band up.
    pub notify_authority_from: Band,
    /// Propose communicating to the data subjects from this band up.
    pub notify_subjects_from: Band,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            notify_authority_from: Band::Medium,
            notify_subjects_from: Band::High,
        }
    }
}

/// The `[assessment]` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySection {
    pub notify_authority_from: Option<String>,
    pub notify_subjects_from: Option<String>,
}

impl PolicySection {
    pub fn resolve(&self) -> Result<Policy> {
        let band = |name: &str, v: &Option<String>, default: Band| match v {
            None => Ok(default),
            Some(text) => Band::parse(text).ok_or_else(|| {
                Error::bad_input(format!(
                    "[assessment] {name} = '{text}': use low, medium, high or very_high"
                ))
            }),
        };
        let d = Policy::default();
        Ok(Policy {
            notify_authority_from: band(
                "notify_authority_from",
                &self.notify_authority_from,
                d.notify_authority_from,
            )?,
            notify_subjects_from: band(
                "notify_subjects_from",
                &self.notify_subjects_from,
                d.notify_subjects_from,
            )?,
        })
    }
}

/// What the assessment proposes, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub notify_authority: bool,
    pub notify_subjects: bool,
    pub exemption: Option<Exemption>,
    pub reasoning: Vec<String>,
}

/// Proposes the decisions for a scored assessment.
pub fn propose(policy: &Policy, severity: &Severity, answers: &Answers) -> Proposal {
    let band = severity.band;
    let mut reasoning = vec![format!(
        "ENISA 2013 severity: {} -> {} (bands: Low < 2 <= Medium < 3 <= High < 4 <= Very high).",
        severity.formula(),
        band.label()
    )];
    let notify_authority = band >= policy.notify_authority_from;
    reasoning.push(format!(
        "Policy (breachdesk.toml [assessment], not law): notify the supervisory authority from {}. {} {} {}: {}.",
        policy.notify_authority_from.label(),
        band.label(),
        if notify_authority { ">=" } else { "<" },
        policy.notify_authority_from.label(),
        if notify_authority {
            "propose notifying the authority (GDPR Art. 33(1): unless unlikely to result in a risk)"
        } else {
            "propose not notifying the authority; record why the breach is unlikely to result in a risk"
        }
    ));
    let mut notify_subjects = band >= policy.notify_subjects_from;
    reasoning.push(format!(
        "Policy: communicate to the data subjects from {}. {} {} {}: {}.",
        policy.notify_subjects_from.label(),
        band.label(),
        if notify_subjects { ">=" } else { "<" },
        policy.notify_subjects_from.label(),
        if notify_subjects {
            "propose telling the people (GDPR Art. 34(1): likely high risk)"
        } else {
            "propose not telling the people one by one (Art. 34(1) applies only to a likely high risk)"
        }
    ));
    let mut exemption = None;
    if answers.unintelligible {
        reasoning.push(
            "The data were unintelligible to unauthorised persons (e.g. encrypted): ENISA weighs this \
             after the formula. Art. 34(3)(a) applies only if the protection was applied to the data \
             affected and no key was compromised."
                .to_string(),
        );
        if notify_subjects {
            notify_subjects = false;
            exemption = Some(Exemption::Art34_3A);
            reasoning.push(
                "So propose relying on the Art. 34(3)(a) exemption instead of writing to the people; \
                 confirm that the key is safe."
                    .to_string(),
            );
        }
    }
    if let Some(n) = answers.individuals {
        reasoning.push(format!(
            "{n} individual(s) affected: ENISA considers the number after the formula; a large number \
             may justify raising the assessment."
        ));
    }
    reasoning.push("Whatever is decided, the breach is documented (GDPR Art. 33(5)).".to_string());
    Proposal {
        notify_authority,
        notify_subjects,
        exemption,
        reasoning,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::answers::DataContext;
    use crate::assess::enisa::{Circumstances, Ease};

    fn answers(unintelligible: bool) -> Answers {
        Answers {
            dpc: DataContext {
                basic: 4,
                categories: vec![],
                adjustments: vec![],
            },
            ease: Ease::Maximum,
            circumstances: Circumstances::default(),
            individuals: Some(3),
            unintelligible,
            notes: None,
        }
    }

    fn severity(q: i32) -> Severity {
        Severity {
            dpc: 1,
            ei_quarters: 4,
            cb_quarters: q - 4,
            score_quarters: q,
            band: Band::of_quarters(q),
        }
    }

    #[test]
    fn default_policy_authority_from_medium_subjects_from_high() {
        let p = Policy::default();
        let low = propose(&p, &severity(7), &answers(false));
        assert!(!low.notify_authority && !low.notify_subjects);
        let medium = propose(&p, &severity(8), &answers(false));
        assert!(medium.notify_authority && !medium.notify_subjects);
        let high = propose(&p, &severity(12), &answers(false));
        assert!(high.notify_authority && high.notify_subjects);
        assert!(high.reasoning.iter().any(|r| r.contains("not law")));
    }

    #[test]
    fn the_policy_is_configurable() {
        let section = PolicySection {
            notify_authority_from: Some("low".into()),
            notify_subjects_from: Some("very-high".into()),
        };
        let p = section.resolve().unwrap();
        let high = propose(&p, &severity(12), &answers(false));
        assert!(high.notify_authority && !high.notify_subjects);
        let bad = PolicySection {
            notify_authority_from: Some("severe".into()),
            notify_subjects_from: None,
        };
        assert!(bad.resolve().unwrap_err().to_string().contains("severe"));
    }

    #[test]
    fn unintelligible_data_point_to_art_34_3_a() {
        let p = propose(&Policy::default(), &severity(16), &answers(true));
        assert!(p.notify_authority && !p.notify_subjects);
        assert_eq!(p.exemption, Some(Exemption::Art34_3A));
    }
}
