//! One person's letter: their recipient data from the inventory, the channel they are
//! reached on, and the letter rendered for the outbox.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::config::Settings;
use crate::db::outbox::NewNotification;
use crate::db::resolve::AffectedRow;
use crate::error::{Error, Result};
use crate::incident::Incident;
use crate::inventory::fields::SubjectEmail;
use crate::letters::{
    Channel, IncidentFacts, LetterContext, LetterInput, LetterKind, Organisation, Recipient, RenderedLetter,
    Renderer, TemplateSet, VerificationCode,
};

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
    pub zone: Tz,
    pub date: DateTime<Utc>,
    /// The domain of Message-IDs.
    pub domain: String,
    /// The incident reference, lower-cased, for Message-IDs.
    reference: String,
}

impl LetterSetup {
    /// Loads the template set (`templates`, else the configured directory, else the built-in
    /// one) and the organisation's and incident's facts a letter of `kind` needs.
    pub fn new(
        settings: &Settings,
        incident: &Incident,
        kind: LetterKind,
        templates: Option<PathBuf>,
    ) -> Result<Self> {
        if kind == LetterKind::Update {
            return Err(Error::bad_input(
                "update letters need the update's summary, which breachdesk does not store yet: \
                 render the initial letters (--kind initial)",
            ));
        }
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
        Ok(LetterSetup {
            set,
            organisation,
            facts: IncidentFacts::from_incident(incident)?,
            kind,
            zone: settings.zone,
            date: settings.now(),
            domain,
            reference: incident.reference.to_ascii_lowercase(),
        })
    }

    /// The Message-ID of a letter: deterministic, unique per incident, person, channel, kind.
    pub fn message_id(&self, subject_id: i64, channel: Channel) -> String {
        format!(
            "<bd-{}-{subject_id}-{channel}-{}@{}>",
            self.reference,
            self.kind.as_str(),
            self.domain
        )
    }

    /// The context of `row`'s letter on `channel` with `code`.
    pub fn context(
        &self,
        row: &AffectedRow,
        channel: Channel,
        code: VerificationCode,
    ) -> Result<LetterContext> {
        let recipient = recipient(row, self.zone);
        LetterContext::build(
            &self.set,
            LetterInput {
                organisation: &self.organisation,
                incident: &self.facts,
                recipient: &recipient,
                categories: &row.categories,
                systems: &row.systems,
                kind: self.kind,
                update: None,
                channel,
                code,
                date: self.date,
            },
        )
    }

    /// Renders `row`'s letter on `channel` with a fresh verification code, as the outbox
    /// stores it.
    pub fn render(
        &self,
        renderer: &mut Renderer<'_>,
        row: &AffectedRow,
        channel: Channel,
    ) -> Result<NewNotification> {
        let code = VerificationCode::generate()?;
        let ctx = self.context(row, channel, code)?;
        let mut letter = RenderedLetter::default();
        renderer.render(&ctx, &mut letter)?;
        let content_hash = letter.content_hash(channel);
        let recipient = match channel {
            Channel::Email => email_of(row).unwrap_or_default(),
            Channel::Postal => {
                let mut lines = vec![row.name.clone().unwrap_or_default()];
                lines.extend(address_lines(row));
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
            subject: letter.subject,
            body_text: letter.text,
            body_html: letter.html,
            content_hash,
        })
    }
}

/// The channel `row` is reached on under `choice`; `None` when it cannot be.
pub fn channel_for(row: &AffectedRow, choice: ChannelChoice) -> Option<Channel> {
    let email = email_of(row).is_some();
    let postal = !address_lines(row).is_empty();
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

/// The postal address below the name: street lines, postal code and city, country code.
/// Empty unless there is a street line and a city or postal code.
pub fn address_lines(row: &AffectedRow) -> Vec<String> {
    let clean = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    };
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
    lines.extend(clean(&row.country));
    lines
}

fn recipient(row: &AffectedRow, zone: Tz) -> Recipient {
    Recipient {
        name: row.name.clone().unwrap_or_default(),
        salutation: None,
        locale: row.locale.as_deref().and_then(|l| l.parse().ok()),
        zone,
        postal_address: address_lines(row),
    }
}

/// The host of a web address.
fn host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', ':', '?']).next()?.trim_start_matches("www.");
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}
