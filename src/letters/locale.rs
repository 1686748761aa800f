//! Locales: a person's language tag (`de-AT`, `fr`, `en_GB.UTF-8` as systems export it),
//! normalised, and resolved against the locales a template set has. The one fallback chain,
//! the same for `letters sample`, `preview` and `render`: the person's full tag, then its
//! language, then the official languages of the person's country (see
//! `countries::official_languages`), then the organisation's default language.

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

/// Which step of the fallback chain chose a person's letter locale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Their locale on record, or a shorter form of it (`de` for `de-at`).
    Locale,
    /// An official language of their country: their own locale has no templates, or there is
    /// none on record.
    Country,
    /// The organisation's default language: nothing else matched.
    Default,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Locale => "locale",
            Step::Country => "country",
            Step::Default => "default",
        }
    }
}

/// A person's letter locale and how it was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved<'s> {
    pub locale: &'s str,
    pub step: Step,
}

impl Resolved<'_> {
    /// Whether the letter is in a language other than the one on record (`wanted`): `false`
    /// when there is none on record.
    pub fn is_fallback(&self, wanted: Option<&Locale>) -> bool {
        wanted.is_some_and(|w| w.language() != self.locale.split('-').next().unwrap_or(self.locale))
    }
}

/// People who get their letter in a language other than their own: the template set has none
/// for their locale (nor its language).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fallback {
    /// Their locale on record (`tr`, `uk-ua`).
    pub wanted: String,
    /// The template locale their letters are in instead (`de`).
    pub locale: String,
    /// Which step of the fallback chain chose it: an official language of their country, or
    /// the organisation's default language.
    pub step: Step,
    pub people: i64,
}

impl Fallback {
    /// Why the letter is in its language, in words.
    pub fn reason(&self) -> &'static str {
        match self.step {
            Step::Country => "an official language of their country",
            _ => "the default language",
        }
    }
}

/// One line per letter locale that people read instead of their own language, for the
/// summary of `letters render`: `5 people get letters in 'de' instead of their own
/// language: tr 3 (the default language), uk 2 (...)`.
pub fn describe_fallbacks(fallbacks: &[Fallback]) -> Vec<String> {
    let mut by_letter: Vec<(&str, i64, Vec<String>)> = Vec::new();
    for f in fallbacks {
        let part = format!("{} {} ({})", f.wanted, f.people, f.reason());
        match by_letter.iter_mut().find(|(l, _, _)| *l == f.locale) {
            Some((_, people, parts)) => {
                *people += f.people;
                parts.push(part);
            }
            None => by_letter.push((&f.locale, f.people, vec![part])),
        }
    }
    by_letter
        .into_iter()
        .map(|(locale, people, parts)| {
            let who = match people {
                1 => "1 person gets".to_string(),
                n => format!("{n} people get"),
            };
            format!(
                "{who} letters in '{locale}' instead of their own language, which has no templates: {}",
                parts.join(", ")
            )
        })
        .collect()
}

/// Picks the template locale for a person: their tag and its shorter forms, then the official
/// languages of `country` (ISO 3166-1 alpha-2, if on record), then `default`. `lookup` returns
/// the set's own name for a locale it has.
pub fn resolve<'s>(
    wanted: Option<&Locale>,
    country: Option<&str>,
    lookup: impl Fn(&str) -> Option<&'s str>,
    default: &'s str,
) -> Resolved<'s> {
    if let Some(locale) = wanted.into_iter().flat_map(Locale::candidates).find_map(&lookup) {
        return Resolved {
            locale,
            step: Step::Locale,
        };
    }
    let official = country
        .map(super::countries::official_languages)
        .unwrap_or_default();
    if let Some(locale) = official.iter().find_map(|l| lookup(l)) {
        return Resolved {
            locale,
            step: Step::Country,
        };
    }
    Resolved {
        locale: default,
        step: Step::Default,
    }
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
    fn resolution_falls_back_from_region_to_language_to_country_to_default() {
        let have = |t: &str| ["en", "de", "fr", "fr-ch"].into_iter().find(|h| *h == t);
        let pick = |l: Option<&str>, c: Option<&str>| {
            let r = resolve(l.map(loc).as_ref(), c, have, "en");
            (r.locale, r.step)
        };
        assert_eq!(pick(Some("de-AT"), None), ("de", Step::Locale));
        assert_eq!(pick(Some("fr-CH"), Some("DE")), ("fr-ch", Step::Locale));
        assert_eq!(pick(Some("fr-BE"), None), ("fr", Step::Locale));
        assert_eq!(pick(Some("es-ES"), None), ("en", Step::Default));
        assert_eq!(pick(Some("tr"), Some("at")), ("de", Step::Country));
        // Belgium: Dutch first (no templates here), then French.
        assert_eq!(pick(Some("uk"), Some("BE")), ("fr", Step::Country));
        assert_eq!(pick(None, Some("CH")), ("de", Step::Country));
        assert_eq!(pick(None, Some("JP")), ("en", Step::Default));
        assert_eq!(pick(None, None), ("en", Step::Default));
        let r = resolve(Some(&loc("tr")), Some("AT"), have, "en");
        assert!(r.is_fallback(Some(&loc("tr"))));
        assert!(!r.is_fallback(None));
        assert!(!resolve(Some(&loc("de-AT")), None, have, "en").is_fallback(Some(&loc("de-AT"))));
        let tag = loc("de-at-1996");
        let candidates: Vec<&str> = tag.candidates().collect();
        assert_eq!(candidates, ["de-at-1996", "de-at", "de"]);
    }
}
