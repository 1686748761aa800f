//! What letters take from locale data per language: the date patterns of `languages.toml`
//! (CLDR's long date formats), month names from glibc's LC_TIME (the pure-rust-locales crate)
//! and list patterns from CLDR (ICU4X's icu_list). No hand-written tables of month names or
//! conjunctions: a language the data know is a line in `languages.toml`.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use icu_list::options::{ListFormatterOptions, ListLength};
use icu_list::{ListFormatter, ListFormatterPreferences};
use serde::Deserialize;

/// One language's entry in `languages.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    date: String,
    datetime: String,
    #[serde(default)]
    first_day: Option<String>,
    months: String,
    cldr: String,
}

/// How a language writes dates.
#[derive(Debug)]
pub(crate) struct DateStyle {
    /// `{day} {month} {year}`.
    pub date: String,
    /// `{date}, {time} {zone}`.
    pub datetime: String,
    /// The first of the month, where the language writes it another way (`1er`).
    pub first_day: Option<String>,
    /// January first, in the form used inside a date.
    pub months: &'static [&'static str],
}

struct Languages {
    dates: BTreeMap<String, DateStyle>,
    /// The CLDR locale whose list patterns each language uses.
    cldr: BTreeMap<String, String>,
}

static LANGUAGES: LazyLock<Languages> = LazyLock::new(|| {
    // The file is part of the source: a mistake in it is a bug, caught by the tests below.
    let entries: BTreeMap<String, Entry> =
        toml::from_str(include_str!("languages.toml")).expect("languages.toml is valid");
    let mut dates = BTreeMap::new();
    let mut cldr = BTreeMap::new();
    for (lang, e) in entries {
        if let Some(months) = month_names(&e.months) {
            dates.insert(
                lang.clone(),
                DateStyle {
                    date: e.date,
                    datetime: e.datetime,
                    first_day: e.first_day,
                    months,
                },
            );
        }
        cldr.insert(lang, e.cldr);
    }
    Languages { dates, cldr }
});

/// The month names of a glibc locale (`es_ES`).
fn month_names(glibc: &str) -> Option<&'static [&'static str]> {
    let locale = pure_rust_locales::Locale::try_from(glibc).ok()?;
    let months: &'static [&'static str] = pure_rust_locales::locale_match!(locale => LC_TIME::MON);
    (months.len() == 12).then_some(months)
}

/// How `lang` writes dates; `None` for a language `languages.toml` does not have.
pub(crate) fn date_style(lang: &str) -> Option<&'static DateStyle> {
    LANGUAGES.dates.get(lang)
}

/// The languages `languages.toml` describes.
#[cfg(test)]
fn known() -> impl Iterator<Item = &'static str> {
    LANGUAGES.cldr.keys().map(String::as_str)
}

/// A formatter of "and" lists in `lang`, from CLDR: `a, b and c`, `a, b y c`, `a, b i c`.
/// A language CLDR does not know gets its root patterns (`a, b, c`).
pub(crate) fn list_formatter(lang: &str) -> ListFormatter {
    let tag = LANGUAGES.cldr.get(lang).map(String::as_str).unwrap_or(lang);
    let options = ListFormatterOptions::default().with_length(ListLength::Wide);
    let prefs = tag
        .parse::<icu_locale_core::Locale>()
        .map(ListFormatterPreferences::from)
        .unwrap_or_default();
    ListFormatter::try_new_and(prefs, options).unwrap_or_else(|_| {
        ListFormatter::try_new_and(Default::default(), options).expect("CLDR root list patterns")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_month_names_and_a_list_pattern() {
        for lang in known() {
            let style = date_style(lang).unwrap_or_else(|| panic!("{lang}: no month names"));
            assert!(
                style.date.contains("{day}") && style.date.contains("{month}"),
                "{lang}"
            );
            assert!(
                style.datetime.contains("{date}") && style.datetime.contains("{time}"),
                "{lang}"
            );
            let joined = list_formatter(lang).format_to_string(["a", "b", "c"].iter());
            assert!(
                joined.starts_with("a, b") && joined.ends_with('c'),
                "{lang}: {joined}"
            );
        }
        assert_eq!(date_style("pl").unwrap().months[2], "marca");
        assert_eq!(date_style("es").unwrap().months[0], "enero");
    }
}
