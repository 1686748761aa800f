//! Phrasing per language: dates, lists and category labels, as functions for the context
//! builder and as the handlebars helpers `date`, `list` and `category` that templates call.
//! Each locale's registry gets helpers bound to its language. The words and patterns come from
//! locale data (see `languages`).

use std::collections::HashMap;

use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc};
use chrono_tz::Tz;
use handlebars::{
    Context, Handlebars, Helper, HelperDef, JsonValue, RenderContext, RenderError, RenderErrorReason,
    ScopedJson,
};
use serde::Serialize;

use super::languages;

/// An instant as a letter shows it, in the person's zone and language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LetterDate {
    /// RFC 3339 with the person's offset: `2026-03-12T14:30:00+01:00`.
    pub iso: String,
    /// The day: `12 March 2026`, `12. März 2026`, `12 mars 2026`.
    pub date: String,
    /// Day and time: `12 March 2026, 14:30 CET`, `12. März 2026, 14:30 Uhr (CET)`, `12 mars 2026 à 14:30 (CET)`.
    pub datetime: String,
}

impl LetterDate {
    pub fn new(t: DateTime<Utc>, zone: Tz, lang: &str) -> LetterDate {
        let local = t.with_timezone(&zone);
        let zone_abbr = local.format("%Z").to_string();
        let fixed = local.fixed_offset();
        LetterDate {
            iso: fixed.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            date: day_text(&fixed, lang),
            datetime: datetime_text(&fixed, lang, Some(&zone_abbr)),
        }
    }
}

fn day_text(t: &DateTime<FixedOffset>, lang: &str) -> String {
    let Some(style) = languages::date_style(lang) else {
        return t.format("%Y-%m-%d").to_string();
    };
    let day = match &style.first_day {
        Some(first) if t.day() == 1 => first.clone(),
        _ => t.day().to_string(),
    };
    style
        .date
        .replace("{day}", &day)
        .replace("{month}", style.months[t.month0() as usize])
        .replace("{year}", &t.year().to_string())
}

fn datetime_text(t: &DateTime<FixedOffset>, lang: &str, zone: Option<&str>) -> String {
    let day = day_text(t, lang);
    let clock = format!("{:02}:{:02}", t.hour(), t.minute());
    let zone = zone
        .map(str::to_string)
        .unwrap_or_else(|| t.format("UTC%:z").to_string());
    let pattern = languages::date_style(lang).map_or("{date} {time} ({zone})", |s| s.datetime.as_str());
    pattern
        .replace("{date}", &day)
        .replace("{time}", &clock)
        .replace("{zone}", &zone)
}

#[cfg(test)]
/// Joins items as the language writes a list (CLDR): `a, b and c`, `a, b und c`, `a, b y c`.
pub fn join_list(items: &[&str], lang: &str) -> String {
    languages::list_formatter(lang).format_to_string(items.iter())
}

/// Registers `date`, `list` and `category` bound to `lang`, with `labels` (category key →
/// label in that language) for `category`.
pub fn register(hb: &mut Handlebars<'static>, lang: &str, labels: HashMap<String, String>) {
    hb.register_helper(
        "date",
        Box::new(DateHelper {
            lang: lang.to_string(),
        }),
    );
    hb.register_helper(
        "list",
        Box::new(ListHelper {
            formatter: languages::list_formatter(lang),
        }),
    );
    hb.register_helper("category", Box::new(CategoryHelper { labels }));
    hb.register_helper("capitalize", Box::new(capitalize));
}

handlebars::handlebars_helper!(capitalize: |text: str| {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
});

/// The helpers templates may call: ours and the harmless built-ins. `log` (which would write
/// personal data to the logs) and `raw` are not among them.
pub const ALLOWED_HELPERS: &[&str] = &[
    "if",
    "unless",
    "each",
    "with",
    "lookup",
    "eq",
    "ne",
    "gt",
    "gte",
    "lt",
    "lte",
    "and",
    "or",
    "not",
    "len",
    "date",
    "list",
    "category",
    "capitalize",
];

fn param<'a>(h: &'a Helper<'_>, idx: usize, helper: &'static str) -> Result<&'a JsonValue, RenderError> {
    h.param(idx)
        .map(|p| p.value())
        .ok_or_else(|| RenderErrorReason::ParamNotFoundForIndex(helper, idx).into())
}

fn invalid(helper: &str, why: &str) -> RenderError {
    RenderErrorReason::Other(format!("{helper}: {why}")).into()
}

/// `{{date incident.occurred_from}}` → the day; `{{date incident.occurred_from "datetime"}}` →
/// day and time. Takes a context date or an RFC 3339 string.
struct DateHelper {
    lang: String,
}

impl HelperDef for DateHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let value = param(h, 0, "date")?;
        let style = h.param(1).and_then(|p| p.value().as_str()).unwrap_or("date");
        // A context date carries both forms already written in the letter's language.
        if let JsonValue::Object(o) = value
            && let Some(JsonValue::String(text)) = o.get(style)
        {
            return Ok(ScopedJson::Derived(JsonValue::String(text.clone())));
        }
        let iso = match value {
            JsonValue::String(s) => s.as_str(),
            JsonValue::Object(o) => o.get("iso").and_then(JsonValue::as_str).unwrap_or_default(),
            _ => "",
        };
        let t = DateTime::parse_from_rfc3339(iso).map_err(|_| {
            invalid(
                "date",
                "expects a date from the context (such as incident.aware_at)",
            )
        })?;
        let style = h.param(1).and_then(|p| p.value().as_str()).unwrap_or("date");
        let text = match style {
            "date" => day_text(&t, &self.lang),
            "datetime" => datetime_text(&t, &self.lang, None),
            _ => return Err(invalid("date", "the style is \"date\" or \"datetime\"")),
        };
        Ok(ScopedJson::Derived(JsonValue::String(text)))
    }
}

/// `{{list systems "name"}}` → `Shop, Newsletter and Support`; `{{list some_strings}}`.
struct ListHelper {
    formatter: icu_list::ListFormatter,
}

impl HelperDef for ListHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let items = param(h, 0, "list")?
            .as_array()
            .ok_or_else(|| invalid("list", "expects a list such as categories or systems"))?;
        let field = h.param(1).and_then(|p| p.value().as_str());
        let texts: Vec<&str> = items
            .iter()
            .map(|item| match (field, item) {
                (Some(f), JsonValue::Object(o)) => o.get(f).and_then(JsonValue::as_str),
                (None, JsonValue::String(s)) => Some(s.as_str()),
                _ => None,
            })
            .collect::<Option<_>>()
            .ok_or_else(|| invalid("list", "items have no such text field"))?;
        Ok(ScopedJson::Derived(JsonValue::String(
            self.formatter.format_to_string(texts.iter()),
        )))
    }
}

/// `{{category "payment_card"}}` → the category's label in the letter's language.
struct CategoryHelper {
    labels: HashMap<String, String>,
}

impl HelperDef for CategoryHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let key = param(h, 0, "category")?.as_str().unwrap_or_default();
        let label = self
            .labels
            .get(key)
            .ok_or_else(|| invalid("category", &format!("unknown data category '{key}'")))?;
        Ok(ScopedJson::Derived(JsonValue::String(label.clone())))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn dates_read_as_each_language_writes_them() {
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 13, 5, 0).unwrap();
        let paris: Tz = "Europe/Paris".parse().unwrap();
        let en = LetterDate::new(t, "Europe/London".parse().unwrap(), "en");
        assert_eq!(
            (en.date.as_str(), en.datetime.as_str()),
            ("1 March 2026", "1 March 2026, 13:05 GMT")
        );
        let de = LetterDate::new(t, "Europe/Berlin".parse().unwrap(), "de");
        assert_eq!(de.datetime, "1. März 2026, 14:05 Uhr (CET)");
        assert_eq!(de.iso, "2026-03-01T14:05:00+01:00");
        let fr = LetterDate::new(t, paris, "fr");
        assert_eq!(fr.datetime, "1er mars 2026 à 14:05 (CET)");
        assert_eq!(LetterDate::new(t, paris, "tr").date, "2026-03-01");
        let madrid: Tz = "Europe/Madrid".parse().unwrap();
        let es = LetterDate::new(t, madrid, "es");
        assert_eq!(es.datetime, "1 de marzo de 2026, a las 14:05 (CET)");
        let warsaw: Tz = "Europe/Warsaw".parse().unwrap();
        assert_eq!(LetterDate::new(t, warsaw, "pl").date, "1 marca 2026");
        let rome: Tz = "Europe/Rome".parse().unwrap();
        assert_eq!(
            LetterDate::new(t, rome, "it").datetime,
            "1 marzo 2026, ore 14:05 (CET)"
        );
        let lisbon: Tz = "Europe/Lisbon".parse().unwrap();
        assert_eq!(LetterDate::new(t, lisbon, "pt").date, "1 de março de 2026");
        let stockholm: Tz = "Europe/Stockholm".parse().unwrap();
        assert_eq!(
            LetterDate::new(t, stockholm, "sv").datetime,
            "1 mars 2026 kl. 14:05 (CET)"
        );
        // Late in the evening UTC is already the next day in Tokyo.
        let late = Utc.with_ymd_and_hms(2026, 3, 1, 20, 0, 0).unwrap();
        assert_eq!(
            LetterDate::new(late, "Asia/Tokyo".parse().unwrap(), "en").date,
            "2 March 2026"
        );
    }

    #[test]
    fn helpers_speak_the_registry_s_language() {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        register(
            &mut hb,
            "de",
            HashMap::from([("email".to_string(), "E-Mail-Adresse".to_string())]),
        );
        let data = serde_json::json!({
            "d": LetterDate::new(Utc.with_ymd_and_hms(2026, 3, 1, 13, 5, 0).unwrap(), "Europe/Berlin".parse().unwrap(), "de"),
            "items": [{"n": "a"}, {"n": "b"}, {"n": "c"}],
        });
        let render = |t: &str| hb.render_template(t, &data).unwrap();
        assert_eq!(
            render("{{date d}} / {{date d \"datetime\"}}"),
            "1. März 2026 / 1. März 2026, 14:05 Uhr (CET)"
        );
        assert_eq!(
            render("{{date \"2026-12-24T18:00:00+01:00\" \"datetime\"}}"),
            "24. Dezember 2026, 18:00 Uhr (UTC+01:00)"
        );
        assert_eq!(render("{{list items \"n\"}}"), "a, b und c");
        assert_eq!(
            render("{{category \"email\"}} {{capitalize \"éa\"}}"),
            "E-Mail-Adresse Éa"
        );
        assert!(hb.render_template("{{date items}}", &data).is_err());
        assert!(hb.render_template("{{category \"shoe_size\"}}", &data).is_err());
    }

    #[test]
    fn lists_use_the_language_conjunction() {
        assert_eq!(join_list(&["a", "b", "c"], "en"), "a, b and c");
        assert_eq!(join_list(&["a", "b", "c"], "de"), "a, b und c");
        assert_eq!(join_list(&["a", "b"], "fr"), "a et b");
        assert_eq!(join_list(&["a"], "fr"), "a");
        assert_eq!(join_list(&[], "en"), "");
        assert_eq!(join_list(&["a", "b", "c"], "es"), "a, b y c");
        // CLDR knows that Spanish writes "e" before a word starting with an "i" sound.
        assert_eq!(join_list(&["nombre", "idioma"], "es"), "nombre e idioma");
        assert_eq!(join_list(&["a", "b", "c"], "it"), "a, b e c");
        assert_eq!(join_list(&["a", "b", "c"], "nl"), "a, b en c");
        assert_eq!(join_list(&["a", "b", "c"], "pl"), "a, b i c");
        assert_eq!(join_list(&["a", "b", "c"], "pt"), "a, b e c");
        assert_eq!(join_list(&["a", "b", "c"], "sv"), "a, b och c");
    }
}
