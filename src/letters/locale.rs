//! Locales: a person's language tag (`de-AT`, `fr`, `en_GB.UTF-8` as systems export it),
//! normalised, and resolved against the locales a template set has: the full tag, then the
//! language, then the set's default language.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::error::Error;

/// A language tag, normalised to lower case with `-` (`de-at`). Only its shape is checked:
/// a language of 2–3 letters, then optional subtags of 1–8 letters or digits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Locale(String);

impl Locale {
    /// The language: the first subtag (`de` of `de-at`).
    pub fn language(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The tags to try, most specific first: `de-at-x` → `de-at-x`, `de-at`, `de`.
    pub fn candidates(&self) -> impl Iterator<Item = &str> {
        let tag = self.0.as_str();
        let mut ends: Vec<usize> = tag.match_indices('-').map(|(i, _)| i).collect();
        ends.push(tag.len());
        ends.into_iter().rev().map(move |end| &tag[..end])
    }
}

impl FromStr for Locale {
    type Err = Error;

    fn from_str(s: &str) -> Result<Locale, Error> {
        // `en_GB.UTF-8@euro` as POSIX systems write it: drop the encoding and modifier.
        let core = s.trim().split(['.', '@']).next().unwrap_or_default();
        let tag = core.replace('_', "-").to_ascii_lowercase();
        let mut parts = tag.split('-');
        let language = parts.next().unwrap_or_default();
        let language_ok =
            (2..=3).contains(&language.len()) && language.bytes().all(|b| b.is_ascii_lowercase());
        let rest_ok =
            parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
        if !language_ok || !rest_ok {
            return Err(Error::bad_input(format!(
                "'{s}' is not a language tag: use one such as en, de, de-AT or fr-CH"
            )));
        }
        Ok(Locale(tag))
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Locale({})", self.0)
    }
}

impl Serialize for Locale {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Picks the template locale for a person: their tag, its language, else `default`. `lookup`
/// returns the set's own name for a locale it has; `wanted` may be missing (none on record).
pub fn resolve<'s>(
    wanted: Option<&Locale>,
    lookup: impl Fn(&str) -> Option<&'s str>,
    default: &'s str,
) -> &'s str {
    wanted
        .into_iter()
        .flat_map(Locale::candidates)
        .find_map(lookup)
        .unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(s: &str) -> Locale {
        s.parse().unwrap()
    }

    #[test]
    fn tags_are_normalised_and_nonsense_refused() {
        assert_eq!(loc("de-AT").as_str(), "de-at");
        assert_eq!(loc("en_GB.UTF-8").as_str(), "en-gb");
        assert_eq!(loc(" FR ").as_str(), "fr");
        assert_eq!(loc("de-AT").language(), "de");
        for bad in ["", "x", "german", "de--at", "d3", "de-toolongsubtag"] {
            assert!(bad.parse::<Locale>().is_err(), "{bad}");
        }
    }

    #[test]
    fn resolution_falls_back_from_region_to_language_to_default() {
        let have = |t: &str| ["en", "de", "fr", "fr-ch"].into_iter().find(|h| *h == t);
        assert_eq!(resolve(Some(&loc("de-AT")), have, "en"), "de");
        assert_eq!(resolve(Some(&loc("fr-CH")), have, "en"), "fr-ch");
        assert_eq!(resolve(Some(&loc("fr-BE")), have, "en"), "fr");
        assert_eq!(resolve(Some(&loc("es-ES")), have, "en"), "en");
        assert_eq!(resolve(None, have, "en"), "en");
        let tag = loc("de-at-1996");
        let candidates: Vec<&str> = tag.candidates().collect();
        assert_eq!(candidates, ["de-at-1996", "de-at", "de"]);
    }
}
