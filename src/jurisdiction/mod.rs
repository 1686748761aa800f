//! Jurisdictions as data: who must be told of a breach where the affected people live, on
//! what condition, and by when. The rules live in `playbooks/jurisdictions.toml`, embedded in
//! the binary; a `jurisdictions.toml` in the configured playbook directory replaces them.

pub mod deadline;
pub mod incident;
pub mod obligations;
pub mod rules;

use std::path::Path;

use crate::error::Result;
use crate::playbook::JURISDICTIONS_FILE;
use crate::tomlfile::{Problem, problems_error};
pub use obligations::{Anchors, Decisions, Obligation, Status, obligations};
pub use rules::{Jurisdiction, Rules};

/// The built-in rules.
pub const EMBEDDED: &str = include_str!("../../playbooks/jurisdictions.toml");

/// The rules in effect, and where they came from.
pub fn load(dir: Option<&Path>) -> Result<(Rules, String)> {
    if let Some(path) = dir.map(|d| d.join(JURISDICTIONS_FILE)).filter(|p| p.exists()) {
        let rules = validate_path(&path).map_err(problems_error)?;
        return Ok((rules, path.display().to_string()));
    }
    let rules = rules::parse(EMBEDDED, "playbooks/jurisdictions.toml (built in)").map_err(problems_error)?;
    Ok((rules, "built in".to_string()))
}

/// Reads and checks a rules file.
pub fn validate_path(path: &Path) -> std::result::Result<Rules, Vec<Problem>> {
    let text = std::fs::read_to_string(path).map_err(|e| vec![Problem::file(path, e)])?;
    rules::parse(&text, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::rules::Anchor;
    use super::*;
    use crate::clock;

    fn rules() -> Rules {
        load(None).unwrap().0
    }

    fn anchors() -> Anchors {
        let t = |s| clock::parse_time(s, chrono_tz::UTC).unwrap();
        Anchors(BTreeMap::from([
            (Anchor::Awareness, t("2026-03-28T09:00:00Z")),
            (Anchor::Discovery, t("2026-03-28T09:00:00Z")),
            (Anchor::Determination, t("2026-03-29T09:00:00Z")),
        ]))
    }

    fn owed(list: &[Obligation], code: &str, key: &str) -> Status {
        list.iter()
            .find(|o| o.jurisdiction == code && o.key == key)
            .unwrap_or_else(|| panic!("no {code}/{key}"))
            .status
    }

    #[test]
    fn the_built_in_rules_cover_the_required_jurisdictions() {
        let r = rules();
        for code in [
            "EU", "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
            "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO", "GB",
            "CH", "US-CA", "US-NY", "US-TX", "US-FL", "US-MA", "US-WA", "US-HIPAA", "CA", "AU", "BR", "SG",
            "JP", "IN",
        ] {
            let j = r.get(code).unwrap_or_else(|| panic!("{code} missing"));
            assert!(!j.obligations.is_empty(), "{code}");
        }
        assert_eq!(r.get("de").unwrap().obligations.len(), 2, "inherited from EU");
    }

    #[test]
    fn thresholds_are_exact_at_500() {
        let r = rules();
        let d = Decisions::default();
        let at =
            |code: &str, n: u64| obligations(&r, &BTreeMap::from([(code.to_string(), n)]), &anchors(), d);
        // California: more than 500.
        assert_eq!(
            owed(&at("US-CA", 500), "US-CA", "attorney-general"),
            Status::NotOwed
        );
        assert_eq!(owed(&at("US-CA", 501), "US-CA", "attorney-general"), Status::Owed);
        // Florida: 500 or more.
        assert_eq!(owed(&at("US-FL", 499), "US-FL", "department"), Status::NotOwed);
        assert_eq!(owed(&at("US-FL", 500), "US-FL", "department"), Status::Owed);
        // HIPAA: HHS now from 500, the annual log below 500; media more than 500.
        let h500 = at("US-HIPAA", 500);
        assert_eq!(owed(&h500, "US-HIPAA", "hhs"), Status::Owed);
        assert_eq!(owed(&h500, "US-HIPAA", "hhs-annual-log"), Status::NotOwed);
        assert_eq!(owed(&h500, "US-HIPAA", "media"), Status::NotOwed);
        assert_eq!(
            owed(&at("US-HIPAA", 499), "US-HIPAA", "hhs-annual-log"),
            Status::Owed
        );
        // Singapore: 500 or more makes it notifiable whatever the harm test says.
        assert_eq!(owed(&at("SG", 500), "SG", "authority"), Status::Owed);
        assert_eq!(
            owed(&at("SG", 499), "SG", "authority"),
            Status::NeedsDetermination
        );
        // Texas: 250 or more; Japan: more than 1,000.
        assert_eq!(owed(&at("US-TX", 250), "US-TX", "attorney-general"), Status::Owed);
        assert_eq!(
            owed(&at("US-TX", 249), "US-TX", "attorney-general"),
            Status::NotOwed
        );
        assert_eq!(
            owed(&at("JP", 1000), "JP", "final-report"),
            Status::NeedsDetermination
        );
        assert_eq!(owed(&at("JP", 1001), "JP", "final-report"), Status::Owed);
    }

    #[test]
    fn gdpr_obligations_follow_the_decisions_and_run_72_hours() {
        let r = rules();
        let counts = BTreeMap::from([("DE".to_string(), 3), ("FR".to_string(), 0)]);
        let undecided = obligations(&r, &counts, &anchors(), Decisions::default());
        assert_eq!(undecided.len(), 2, "no residents in FR, nothing owed there");
        assert_eq!(owed(&undecided, "DE", "authority"), Status::AwaitingDecision);
        let decided = Decisions {
            notify_authority: Some(true),
            notify_subjects: Some(false),
        };
        let list = obligations(&r, &counts, &anchors(), decided);
        let authority = list.iter().find(|o| o.key == "authority").unwrap();
        assert_eq!(authority.status, Status::Owed);
        assert!(authority.recipient.contains("Land"), "{}", authority.recipient);
        assert_eq!(
            clock::utc_text(authority.due.as_ref().unwrap().at.unwrap()),
            "2026-03-31T09:00:00Z"
        );
        assert_eq!(owed(&list, "DE", "individuals"), Status::NotOwed);
    }

    #[test]
    fn missing_anchors_and_unknown_codes_are_reported() {
        let r = rules();
        let counts = BTreeMap::from([("US-CA".to_string(), 900), ("XX".to_string(), 1)]);
        let list = obligations(&r, &counts, &anchors(), Decisions::default());
        // The AG copy runs from the notice to individuals, not yet sent.
        let ag = list.iter().find(|o| o.key == "attorney-general").unwrap();
        assert_eq!(ag.status, Status::Owed);
        assert!(ag.due.is_none());
        let ind = list
            .iter()
            .find(|o| o.jurisdiction == "US-CA" && o.key == "individuals")
            .unwrap();
        let la: chrono_tz::Tz = "America/Los_Angeles".parse().unwrap();
        assert_eq!(
            clock::zoned_text(ind.due.as_ref().unwrap().at.unwrap(), la),
            "2026-04-27T23:59:59-07:00"
        );
        assert_eq!(owed(&list, "XX", "-"), Status::NoRules);
    }

    #[test]
    fn brazil_counts_business_days_from_awareness() {
        let r = rules();
        let counts = BTreeMap::from([("BR".to_string(), 10)]);
        let list = obligations(&r, &counts, &anchors(), Decisions::default());
        let anpd = list.iter().find(|o| o.key == "authority").unwrap();
        assert_eq!(anpd.status, Status::NeedsDetermination);
        // Aware Saturday 28 March 2026 (06:00 in São Paulo): Mon 30, Tue 31, Wed 1 April.
        let sp: chrono_tz::Tz = "America/Sao_Paulo".parse().unwrap();
        assert_eq!(
            clock::zoned_text(anpd.due.as_ref().unwrap().at.unwrap(), sp),
            "2026-04-01T23:59:59-03:00"
        );
    }

    #[test]
    fn problems_name_file_and_line() {
        let bad = EMBEDDED.replacen("calendar = \"BR\"", "calendar = \"XX\"", 1);
        let p = rules::parse(&bad, "j.toml").unwrap_err();
        let line = EMBEDDED
            .lines()
            .position(|l| l.contains("code = \"BR\""))
            .unwrap();
        assert!(
            p[0].to_string().contains("unknown holiday calendar 'XX'"),
            "{p:?}"
        );
        assert!(p[0].line.unwrap() > line, "{p:?}");
        let bad = EMBEDDED.replacen(
            "threshold = { more_than = 500 }",
            "threshold = { more_than = 500, at_least = 500 }",
            1,
        );
        let p = rules::parse(&bad, "j.toml").unwrap_err();
        assert!(
            p[0].to_string().starts_with("j.toml:") && p[0].message.contains("exactly one"),
            "{p:?}"
        );
    }
}
