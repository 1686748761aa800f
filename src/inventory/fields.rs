//! The values an inventory row carries, parsed at the edge: an email address, a country, a
//! locale, a date. Each constructor checks; nothing unchecked goes further in.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use lettre::Address;
use lettre::address::AddressError;
use lettre::message::Mailbox;

use super::countries::COUNTRIES;

/// An email address as the person wrote it, with the domain lower-cased. Two addresses are the
/// same person when they are equal ignoring case ([`SubjectEmail::match_key`]): the local
/// part is kept as written, for letters, but compared case-insensitively, as every large
/// mailbox provider does.
///
/// The one address check of breachdesk: the import, the outbox and the sender all take an
/// address through [`SubjectEmail::parse`], so an address accepted at import is one the mail
/// library takes at send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectEmail(Address);

impl SubjectEmail {
    /// Checks the syntax with the mail library's parser (lettre's [`Address`]: RFC 5321 local
    /// part, internationalised domains), then that the domain is a deliverable name: no IP
    /// literal, at least two labels, a top-level label that is not all digits. Surrounding
    /// spaces and angle brackets are dropped; `mailto:` too. The error never repeats the value.
    pub fn parse(text: &str) -> Result<SubjectEmail, &'static str> {
        let t = text
            .trim()
            .trim_start_matches("mailto:")
            .trim_matches(|c| c == '<' || c == '>')
            .trim();
        let (local, domain) = t.rsplit_once('@').ok_or("invalid email address: no @")?;
        let domain = domain.to_lowercase();
        let address = Address::new(local, &domain).map_err(|e| match e {
            AddressError::InvalidDomain => "invalid email address: bad domain",
            _ => "invalid email address: bad local part",
        })?;
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2
            || domain.starts_with('[')
            || labels
                .last()
                .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
        {
            return Err("invalid email address: bad domain");
        }
        Ok(SubjectEmail(address))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }

    /// The identity-resolution key: the whole address lower-cased.
    pub fn match_key(&self) -> String {
        self.as_str().to_lowercase()
    }

    /// The address as the mail library sends to it.
    pub fn mailbox(&self) -> Mailbox {
        Mailbox::new(None, self.0.clone())
    }
}

/// Reads a country: an ISO 3166-1 alpha-2 or alpha-3 code, or a name in English, German or
/// French (`Germany`, `Deutschland`, `Allemagne`), ignoring case and accents of spacing.
pub fn parse_country(text: &str) -> Option<&'static str> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    // Codes first (the common case), then names through a map built once.
    if (2..=3).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphabetic()) {
        let upper = t.to_ascii_uppercase();
        if let Some((a2, _, _)) = COUNTRIES.iter().find(|(a2, a3, _)| *a2 == upper || *a3 == upper) {
            return Some(a2);
        }
    }
    static NAMES: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
        COUNTRIES
            .iter()
            .flat_map(|(a2, _, names)| names.iter().map(move |n| (fold(n), *a2)))
            .collect()
    });
    NAMES.get(&fold(t)).copied()
}

fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Reads a locale such as `de`, `de-AT`, `de_at`, `fr-CH` into `de-AT` form.
pub fn parse_locale(text: &str) -> Option<String> {
    let t = text.trim().replace('_', "-");
    let mut parts = t.split('-');
    let lang = parts.next()?.to_ascii_lowercase();
    if !(2..=3).contains(&lang.len()) || !lang.chars().all(|c| c.is_ascii_lowercase()) {
        return None;
    }
    match parts.next() {
        None => Some(lang),
        Some(region)
            if region.len() == 2
                && region.chars().all(|c| c.is_ascii_alphabetic())
                && parts.next().is_none() =>
        {
            Some(format!("{lang}-{}", region.to_ascii_uppercase()))
        }
        Some(_) => None,
    }
}

/// Reads a first/last-seen date: RFC 3339, `YYYY-MM-DD[ HH:MM[:SS]]` (UTC), or `DD.MM.YYYY`.
pub fn parse_seen(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if t.len() == 10 {
        return ["%Y-%m-%d", "%d.%m.%Y"]
            .iter()
            .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|n| Utc.from_utc_datetime(&n));
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(n) = chrono::NaiveDateTime::parse_from_str(t, format) {
            return Some(Utc.from_utc_datetime(&n));
        }
    }
    ["%Y-%m-%d", "%d.%m.%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|n| Utc.from_utc_datetime(&n))
}

/// Puts back the leading zeros a spreadsheet ate from numeric postal codes of countries whose
/// codes are all digits of one length (`1067` in Germany is `01067`).
pub fn repair_postal_code(code: &str, country: Option<&str>) -> String {
    let digits = match country {
        Some("DE" | "FR" | "IT" | "ES" | "US" | "FI" | "EE" | "HR" | "MX") => 5,
        Some("AT" | "CH" | "BE" | "DK" | "LU" | "NO" | "HU" | "SI" | "AU" | "ZA" | "BG" | "CY") => 4,
        _ => 0,
    };
    let c = code.trim();
    if digits > 0 && !c.is_empty() && c.len() < digits && c.chars().all(|ch| ch.is_ascii_digit()) {
        format!("{c:0>digits$}")
    } else {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_keep_their_local_part_and_match_ignoring_case() {
        let a = SubjectEmail::parse("  Jane.Doe@Example.ORG ").unwrap();
        assert_eq!(a.as_str(), "Jane.Doe@example.org");
        let b = SubjectEmail::parse("<jane.doe@example.org>").unwrap();
        assert_eq!(a.match_key(), b.match_key());
        assert_eq!(
            SubjectEmail::parse("mailto:x@müller.de").unwrap().as_str(),
            "x@müller.de"
        );
        for bad in [
            "",
            "jane",
            "jane@",
            "@example.org",
            "jane@@x.org",
            "ja ne@x.org",
            "jane@x",
            "jane@-x.org",
            "j..d@x.org",
            "jane@x.123",
            "a@b,c.org",
            "a(b)@example.org",
            "not-an-email",
            "jane@[127.0.0.1]",
        ] {
            assert!(SubjectEmail::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn countries_by_code_or_name_in_three_languages() {
        for (text, code) in [
            ("de", "DE"),
            ("DEU", "DE"),
            ("Germany", "DE"),
            ("Deutschland", "DE"),
            ("allemagne", "DE"),
            ("Österreich", "AT"),
            ("United Kingdom", "GB"),
            ("USA", "US"),
            ("Pays-Bas", "NL"),
        ] {
            assert_eq!(parse_country(text), Some(code), "{text}");
        }
        assert_eq!(parse_country("Atlantis"), None);
        assert_eq!(parse_country(""), None);
    }

    #[test]
    fn locales_dates_and_postal_codes() {
        assert_eq!(parse_locale("de_at").as_deref(), Some("de-AT"));
        assert_eq!(parse_locale("FR").as_deref(), Some("fr"));
        assert_eq!(parse_locale("german"), None);
        assert_eq!(
            parse_seen("2025-01-31").unwrap().to_rfc3339(),
            "2025-01-31T00:00:00+00:00"
        );
        assert_eq!(
            parse_seen("31.01.2025").unwrap().to_rfc3339(),
            "2025-01-31T00:00:00+00:00"
        );
        assert!(parse_seen("01/31/2025").is_none());
        assert_eq!(repair_postal_code("1067", Some("DE")), "01067");
        assert_eq!(repair_postal_code("SW1A 1AA", Some("GB")), "SW1A 1AA");
        assert_eq!(repair_postal_code("801", Some("AT")), "0801");
    }
}
