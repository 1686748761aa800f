//! The letter context as handlebars data, reused from letter to letter. Serialising the whole
//! context to JSON for every letter copies the organisation, the incident's narrative and the
//! dates again and again, though they are the same in every letter of one language and time
//! zone. [`DataCache`] keeps the JSON of recent such shared parts and writes only the fields
//! that differ into it: the data templates see is exactly `serde_json::to_value(ctx)`.

use handlebars::Context;
use serde::Serialize;
use serde_json::{Map, Value};

use super::context::LetterContext;
use crate::error::{Error, Result};

/// Shared parts kept (a few languages times a few zones).
const ENTRIES: usize = 16;

/// The fields of a context that letters share; personal fields are rewritten every time.
#[derive(PartialEq)]
struct Shared {
    kind: super::LetterKind,
    channel: super::Channel,
    locale: String,
    lang: String,
    letter_date: super::phrasing::LetterDate,
    organisation: super::context::OrganisationView,
    dpo: super::context::DpoView,
    incident: super::context::IncidentView,
    update: Option<super::context::UpdateView>,
    verification_url: Option<String>,
    verification_phone: Option<String>,
}

impl Shared {
    fn of(ctx: &LetterContext) -> Shared {
        // Every field named: a new context field must be sorted into shared or personal.
        let LetterContext {
            kind,
            channel,
            locale,
            lang,
            letter_date,
            organisation,
            dpo,
            incident,
            update,
            person: _,
            categories: _,
            any_special: _,
            systems: _,
            verification,
        } = ctx;
        let super::context::VerificationView { code: _, url, phone } = verification;
        Shared {
            kind: *kind,
            channel: *channel,
            locale: locale.clone(),
            lang: lang.clone(),
            letter_date: letter_date.clone(),
            organisation: organisation.clone(),
            dpo: dpo.clone(),
            incident: incident.clone(),
            update: update.clone(),
            verification_url: url.clone(),
            verification_phone: phone.clone(),
        }
    }

    /// Whether `ctx` shares these fields (compared in place, nothing copied).
    fn matches(&self, ctx: &LetterContext) -> bool {
        self.kind == ctx.kind
            && self.channel == ctx.channel
            && self.locale == ctx.locale
            && self.lang == ctx.lang
            && self.letter_date == ctx.letter_date
            && self.organisation == ctx.organisation
            && self.dpo == ctx.dpo
            && self.incident == ctx.incident
            && self.update == ctx.update
            && self.verification_url == ctx.verification.url
            && self.verification_phone == ctx.verification.phone
    }
}

/// Recently used shared parts with their JSON and a number no other entry of the cache
/// had, most recent last.
#[derive(Default)]
pub(crate) struct DataCache {
    entries: Vec<(Shared, Context, u64)>,
    made: u64,
}

fn json<T: Serialize>(value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::failure(format!("cannot prepare the letter: {e}")))
}

impl DataCache {
    /// The handlebars data of `ctx` (equal to `Context::wraps(ctx)`) and the number of its
    /// shared part: letters with the same number share every field but the personal ones.
    pub(crate) fn data(&mut self, ctx: &LetterContext) -> Result<(&Context, u64)> {
        let found = self
            .entries
            .iter()
            .rposition(|(shared, _, _)| shared.matches(ctx));
        let index = match found {
            Some(i) => i,
            None => {
                if self.entries.len() == ENTRIES {
                    self.entries.remove(0);
                }
                let data = Context::wraps(ctx)
                    .map_err(|e| Error::failure(format!("cannot prepare the letter: {e}")))?;
                self.made += 1;
                self.entries.push((Shared::of(ctx), data, self.made));
                let (_, data, id) = &self.entries[self.entries.len() - 1];
                return Ok((data, *id));
            }
        };
        let data = &mut self.entries[index].1;
        let Value::Object(map) = data.data_mut() else {
            return Err(Error::failure(
                "cannot prepare the letter: the context is not an object",
            ));
        };
        personal(map, ctx)?;
        let (_, data, id) = &self.entries[index];
        Ok((data, *id))
    }
}

/// Writes the fields that differ from letter to letter into `map`.
fn personal(map: &mut Map<String, Value>, ctx: &LetterContext) -> Result<()> {
    set(map, "person", json(&ctx.person)?);
    set(map, "categories", json(&ctx.categories)?);
    set(map, "any_special", Value::Bool(ctx.any_special));
    set(map, "systems", json(&ctx.systems)?);
    match map.get_mut("verification") {
        Some(Value::Object(verification)) => set(
            verification,
            "code",
            Value::String(ctx.verification.code.to_string()),
        ),
        _ => set(map, "verification", json(&ctx.verification)?),
    }
    Ok(())
}

fn set(map: &mut Map<String, Value>, key: &str, value: Value) {
    match map.get_mut(key) {
        Some(slot) => *slot = value,
        None => {
            map.insert(key.to_string(), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::context::LetterInput;
    use super::super::{Channel, LetterKind, TemplateSet, VerificationCode, sample};
    use super::*;
    use crate::category::DataCategory;

    /// Letters in every language, kind and channel, to people with different names, zones,
    /// categories and systems, in an order that revisits cached entries: the cached data is
    /// always exactly the context serialised afresh.
    #[test]
    fn cached_data_equals_the_context_serialised() {
        let set = TemplateSet::builtin().unwrap();
        let (org, incident, update) = (sample::organisation(), sample::incident(), sample::update_note());
        let all: Vec<DataCategory> = DataCategory::all().collect();
        let locales = ["en", "de-at", "fr", "de", "en-gb", "es"];
        let zones = ["Europe/Berlin", "Asia/Tokyo", "America/New_York"];
        let mut cache = DataCache::default();
        for i in 0..400usize {
            let mut person = sample::recipient(locales[i % locales.len()]);
            person.name = format!("Person {i}");
            person.salutation = (i % 3 == 0).then(|| format!("Dear {i}"));
            if i % 4 == 0 {
                person.zone = zones[i / 4 % zones.len()].parse().unwrap();
            }
            if i % 5 == 0 {
                person.postal_address.push(format!("Line {i}"));
            }
            let categories: Vec<DataCategory> =
                (0..1 + i % 4).map(|k| all[(i * 7 + k * 3) % all.len()]).collect();
            let systems: Vec<String> = (0..i % 3).map(|k| format!("System {k}")).collect();
            let mut other_org = org.clone();
            if i % 11 == 0 {
                other_org.name = format!("Org {}", i % 2);
                other_org.verify_phone = None;
            }
            let kind = LetterKind::ALL[i / 7 % 2];
            let ctx = LetterContext::build(
                &set,
                LetterInput {
                    organisation: &other_org,
                    incident: &incident,
                    recipient: &person,
                    categories: &categories,
                    systems: &systems,
                    kind,
                    update: Some(&update),
                    channel: Channel::ALL[i / 3 % 2],
                    code: VerificationCode::from_bytes([i as u8; 10]),
                    date: incident.aware_at + chrono::Duration::days((i / 50) as i64),
                },
            )
            .unwrap();
            let want = Context::wraps(&ctx).unwrap();
            assert_eq!(cache.data(&ctx).unwrap().0.data(), want.data(), "letter {i}");
        }
        assert!(cache.entries.len() <= ENTRIES);
    }
}
