//! One person's letter: their recipient data from the inventory, the channel they are
//! reached on, and the letter rendered for the outbox.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::config::Settings;
use crate::db::affected::AffectedRow;
use crate::db::letter_pack::{Dictionary, PackedBody, Packer};
use crate::db::outbox::NewNotification;
use crate::error::{Error, Result};
use crate::incident::Incident;
use crate::inventory::fields::SubjectEmail;
use crate::letters::verification::CodeSeries;
use crate::letters::{
    Channel, IncidentFacts, LetterContext, LetterInput, LetterKind, Locale, Organisation, Recipient,
    RenderedLetter, Renderer, TemplateSet, UpdateNote, VerificationCode, clean_line, countries,
};
use crate::narrative::Stored;

/// Which channel `letters render` fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelChoice {
    /// Email where the person has a valid address, a postal letter where not.
    Auto,
    Only(Channel),
}

/// Everything every letter of one incident shares.
pub struct LetterSetup {
    pub set: TemplateSet,
    pub organisation: Organisation,
    pub facts: IncidentFacts,
    pub kind: LetterKind,
    /// The update the letters tell of (0 for initial letters).
    pub update_number: i32,
    /// What is new (update letters only).
    pub update: Option<UpdateNote>,
    /// The zone of letters to people whose country has none on record.
    pub zone: Tz,
    /// The organisation's country: letters within it carry no country line.
    pub home_country: Option<String>,
    pub date: DateTime<Utc>,
    /// The domain of Message-IDs.
    pub domain: String,
    /// The incident reference, lower-cased, for Message-IDs.
    reference: String,
    /// The dictionaries letters are stored with.
    specimens: Specimens,
    /// The run's verification codes.
    codes: CodeSeries,
}

impl LetterSetup {
    /// Loads the template set (`templates`, else the configured directory, else the built-in
    /// one) and the organisation's and incident's facts a letter of `kind` needs, with the
    /// incident's translations and (for an update letter) update `update`'s summary, the
    /// latest if `None`.
    pub fn new(
        settings: &Settings,
        incident: &Incident,
        kind: LetterKind,
        update: Option<i32>,
        stored: &Stored,
        templates: Option<PathBuf>,
    ) -> Result<Self> {
        let (update_number, update) = match kind {
            LetterKind::Initial => (0, None),
            LetterKind::Update => {
                let number = update.or(stored.latest_update()).ok_or_else(|| {
                    Error::bad_input(format!(
                        "{} has no update to tell people about: record what is new with \
                         `breachdesk incident update-note {} --summary ...`",
                        incident.reference, incident.reference
                    ))
                })?;
                let note = stored.update_note(number).ok_or_else(|| {
                    Error::bad_input(format!("{} has no update {number}", incident.reference))
                })?;
                (number, Some(note))
            }
        };
        let dir = templates.or_else(|| settings.letters.templates.clone());
        let mut set = TemplateSet::load(dir.as_deref())?;
        if let Some(lang) = &settings.letters.default_language {
            set.set_default_locale(lang)?;
        }
        let org = &settings.organisation;
        let organisation = Organisation {
            name: org.name.clone().unwrap_or_default(),
            website: org.website.clone(),
            verify_url: org.verify_url.clone(),
            verify_phone: org.verify_phone.clone(),
            postal_address: org.postal_address.clone(),
        };
        let domain = org
            .message_domain
            .clone()
            .or_else(|| org.website.as_deref().and_then(host))
            .unwrap_or_else(|| "breachdesk.invalid".to_string());
        let mut facts = IncidentFacts::from_incident(incident)?;
        facts.translations = stored.narratives(&facts.narrative);
        Ok(LetterSetup {
            set,
            organisation,
            facts,
            kind,
            update_number,
            update,
            zone: settings.zone,
            home_country: org.country.as_deref().map(|c| c.trim().to_ascii_uppercase()),
            date: settings.now(),
            domain,
            reference: incident.reference.to_ascii_lowercase(),
            specimens: Specimens::default(),
            codes: CodeSeries::new()?,
        })
    }

    /// The Message-ID of a letter: deterministic, unique per incident, person, channel, kind
    /// and update.
    pub fn message_id(&self, subject_id: i64, channel: Channel) -> String {
        let kind = match self.kind {
            LetterKind::Initial => "initial".to_string(),
            LetterKind::Update => format!("update-{}", self.update_number),
        };
        format!(
            "<bd-{}-{subject_id}-{channel}-{kind}@{}>",
            self.reference, self.domain
        )
    }

    /// The person as the letter addresses them: in the template locale their language and
    /// country resolve to, dated in their country's zone, the address ending with the country.
    pub fn recipient(&self, row: &AffectedRow) -> Recipient {
        let locale: Option<Locale> = row.locale.as_deref().and_then(|l| l.parse().ok());
        let lang = self
            .set
            .resolve_locale(locale.as_ref(), row.country.as_deref())
            .locale;
        let lang = lang.split('-').next().unwrap_or(lang);
        Recipient {
            name: row.name.clone().unwrap_or_default(),
            salutation: None,
            locale,
            country: row.country.clone(),
            zone: row
                .country
                .as_deref()
                .and_then(countries::zone)
                .unwrap_or(self.zone),
            postal_address: address_lines(row, lang, self.home_country.as_deref()),
        }
    }

    /// The context of `row`'s letter on `channel` with `code`.
    pub fn context(
        &self,
        row: &AffectedRow,
        channel: Channel,
        code: VerificationCode,
    ) -> Result<LetterContext> {
        let recipient = self.recipient(row);
        LetterContext::build(
            &self.set,
            LetterInput {
                organisation: &self.organisation,
                incident: &self.facts,
                recipient: &recipient,
                categories: &row.categories,
                systems: &row.systems,
                kind: self.kind,
                update: self.update.as_ref(),
                channel,
                code,
                date: self.date,
            },
        )
    }

    /// Renders `row`'s letter on `channel` with the run's next verification code, as the
    /// outbox stores it.
    pub fn render(
        &self,
        w: &mut LetterWriter<'_>,
        row: &AffectedRow,
        channel: Channel,
    ) -> Result<NewNotification> {
        let code = self.codes.next()?;
        let ctx = self.context(row, channel, code)?;
        let letter = &mut w.letter;
        w.renderer.render(&ctx, letter)?;
        let content_hash = letter.content_hash(channel);
        let dictionary = self.specimens.dictionary(self, &mut w.renderer, row, channel)?;
        let body = PackedBody {
            bytes: w.packer.pack(&letter.text, &letter.html, &dictionary),
            dictionary,
        };
        let recipient = match channel {
            Channel::Email => email_of(row).unwrap_or_default(),
            // The address block exactly as the letter prints it.
            Channel::Postal => {
                let mut lines = vec![ctx.person.name.clone()];
                lines.extend(ctx.person.postal_address.iter().cloned());
                lines.join("\n")
            }
        };
        Ok(NewNotification {
            subject_id: row.subject_id,
            channel: channel.as_str(),
            locale: ctx.locale,
            verification_code: code.to_string(),
            message_id: self.message_id(row.subject_id, channel),
            recipient,
            subject: letter.subject.clone(),
            body,
            content_hash,
        })
    }
}

/// What one render thread keeps from letter to letter: its renderer (with the templates
/// folded for each group of letters it has met) and its buffers.
pub struct LetterWriter<'a> {
    renderer: Renderer<'a>,
    letter: RenderedLetter,
    packer: Packer,
}

impl<'a> LetterWriter<'a> {
    pub fn new(setup: &'a LetterSetup) -> LetterWriter<'a> {
        LetterWriter {
            renderer: Renderer::new(&setup.set),
            letter: RenderedLetter::default(),
            packer: Packer::default(),
        }
    }
}

/// The dictionaries letters are stored with (see `db::letter_pack`): for each language,
/// country and channel, a specimen letter rendered for a made-up person exposed in every
/// data category, so that it holds every paragraph a real letter may have and no one's data.
#[derive(Default)]
struct Specimens {
    made: Mutex<HashMap<SpecimenKey, Arc<Dictionary>>>,
}

/// What a specimen letter depends on besides the run: language, country, channel.
type SpecimenKey = (Option<String>, Option<String>, Channel);

impl Specimens {
    fn dictionary(
        &self,
        setup: &LetterSetup,
        renderer: &mut Renderer<'_>,
        row: &AffectedRow,
        channel: Channel,
    ) -> Result<Arc<Dictionary>> {
        let key = (row.locale.clone(), row.country.clone(), channel);
        if let Some(d) = self.made.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(d);
        }
        let specimen = AffectedRow {
            subject_id: 0,
            name: Some("Specimen Person".into()),
            email: Some("specimen@example.invalid".into()),
            locale: row.locale.clone(),
            country: row.country.clone(),
            region: None,
            jurisdiction: None,
            address_line1: Some("Specimen Street 1".into()),
            address_line2: None,
            postal_code: Some("00000".into()),
            city: Some("Specimen Town".into()),
            phone: None,
            categories: crate::category::DataCategory::all().collect(),
            systems: Vec::new(),
            records: 0,
            special: false,
        };
        let ctx = setup.context(&specimen, channel, VerificationCode::from_bytes([0; 10]))?;
        let mut letter = RenderedLetter::default();
        renderer.render(&ctx, &mut letter)?;
        let dict = Arc::new(Dictionary::of(&letter.text, &letter.html));
        if let Ok(mut made) = self.made.lock() {
            made.insert(key, Arc::clone(&dict));
        }
        Ok(dict)
    }
}

/// The channel `row` is reached on under `choice`; `None` when it cannot be.
pub fn channel_for(row: &AffectedRow, choice: ChannelChoice) -> Option<Channel> {
    let email = email_of(row).is_some();
    let postal = !address_lines(row, "en", None).is_empty();
    match choice {
        ChannelChoice::Auto if email => Some(Channel::Email),
        ChannelChoice::Auto if postal => Some(Channel::Postal),
        ChannelChoice::Only(Channel::Email) if email => Some(Channel::Email),
        ChannelChoice::Only(Channel::Postal) if postal => Some(Channel::Postal),
        _ => None,
    }
}

/// The person's address if it is a valid one.
fn email_of(row: &AffectedRow) -> Option<String> {
    let text = row.email.as_deref()?;
    SubjectEmail::parse(text).ok().map(|e| e.as_str().to_string())
}

/// The postal address below the name: street lines, postal code and city, and (unless the
/// letter stays in `home`, the organisation's country) the country's name in capitals in the
/// letter's language `lang`, as the UPU asks for the last line of international mail. Empty
/// unless there is a street line and a city or postal code.
pub fn address_lines(row: &AffectedRow, lang: &str, home: Option<&str>) -> Vec<String> {
    let clean = |v: &Option<String>| v.as_deref().map(clean_line).filter(|t| !t.is_empty());
    let street: Vec<String> = [&row.address_line1, &row.address_line2]
        .into_iter()
        .filter_map(clean)
        .collect();
    let town = [clean(&row.postal_code), clean(&row.city)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if street.is_empty() || town.is_empty() {
        return Vec::new();
    }
    let mut lines = street;
    lines.push(town);
    if let Some(code) = clean(&row.country)
        && home.is_none_or(|h| !h.eq_ignore_ascii_case(&code))
    {
        let name = countries::name(&code, lang).unwrap_or(&code);
        lines.push(name.to_uppercase());
    }
    lines
}

/// The host of a web address.
fn host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', ':', '?']).next()?.trim_start_matches("www.");
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}
