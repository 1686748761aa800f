//! Letters to the people affected (GDPR Art. 34): the default template set, the typed context
//! templates see, rendering with handlebars, and the lint that proves every letter carries
//! what Art. 34(2) requires. No database here: callers build a [`LetterContext`] from what
//! they stored and render it with a [`TemplateSet`].

mod analysis;
mod builtin;
mod clean;
pub mod context;
pub mod countries;
mod data;
mod fold;
mod inline;
mod input;
mod languages;
pub mod lint;
pub mod locale;
mod phrasing;
pub mod render;
pub mod sample;
pub mod templates;
pub mod verification;
mod wrap;

#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::error::Error;

pub(crate) use clean::line as clean_line;
pub use context::{
    IncidentFacts, LetterContext, LetterInput, Narrative, Organisation, Recipient, UpdateNote,
};
pub use locale::Locale;
pub use render::{RenderedLetter, Renderer, TemplateSet};
pub use verification::VerificationCode;

/// How a letter reaches the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Email,
    Postal,
}

impl Channel {
    pub const ALL: [Channel; 2] = [Channel::Email, Channel::Postal];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Postal => "postal",
        }
    }

    /// The parts a letter on this channel has, in the order they are hashed.
    pub fn parts(self) -> &'static [Part] {
        match self {
            Channel::Email => &[Part::Subject, Part::Text, Part::Html],
            Channel::Postal => &[Part::Text],
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Channel {
    type Err = Error;

    fn from_str(s: &str) -> Result<Channel, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "email" => Ok(Channel::Email),
            "postal" => Ok(Channel::Postal),
            _ => Err(Error::bad_input(format!(
                "unknown channel '{s}': use email or postal"
            ))),
        }
    }
}

/// Which letter: the first notice, or an update to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LetterKind {
    Initial,
    Update,
}

impl LetterKind {
    pub const ALL: [LetterKind; 2] = [LetterKind::Initial, LetterKind::Update];

    pub fn as_str(self) -> &'static str {
        match self {
            LetterKind::Initial => "initial",
            LetterKind::Update => "update",
        }
    }
}

impl fmt::Display for LetterKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LetterKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<LetterKind, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "initial" => Ok(LetterKind::Initial),
            "update" => Ok(LetterKind::Update),
            _ => Err(Error::bad_input(format!(
                "unknown letter kind '{s}': use initial or update"
            ))),
        }
    }
}

/// One part of a rendered letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    /// The email subject line (one line, no markup).
    Subject,
    /// The plain-text body: the email's text part, or the postal letter.
    Text,
    /// The email's HTML part.
    Html,
}

impl Part {
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Subject => "subject",
            Part::Text => "text",
            Part::Html => "html",
        }
    }

    /// The template file (inside `LOCALE/KIND/`) that renders this part on `channel`.
    pub fn file_name(self, channel: Channel) -> &'static str {
        match (channel, self) {
            (_, Part::Subject) => "subject.txt",
            (Channel::Email, Part::Text) => "email.txt",
            (Channel::Email, Part::Html) => "email.html",
            (Channel::Postal, _) => "postal.txt",
        }
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
