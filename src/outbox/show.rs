//! One person's letter: previewed (rendered now, not stored) or shown as stored, with its
//! content hash checked.

use std::path::PathBuf;

use serde::Serialize;

use super::letter::{self, ChannelChoice, LetterSetup};
use crate::config::Settings;
use crate::db::Db;
use crate::db::affected::{self, AffectedRow};
use crate::db::outbox as sql;
use crate::error::{Error, Result};
use crate::incident::{self, Incident};
use crate::letters::{Channel, LetterKind, RenderedLetter, Renderer, VerificationCode};

/// A letter as printed by `letters preview` and `letters show`.
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    pub incident: String,
    pub subject_id: i64,
    pub channel: Channel,
    pub kind: LetterKind,
    /// The update an update letter tells of.
    pub update: Option<i32>,
    pub locale: String,
    pub template_version: String,
    pub verification_code: String,
    pub message_id: String,
    pub content_hash: String,
    /// The stored letter's status (`letters show` only).
    pub status: Option<String>,
    #[serde(skip)]
    pub letter: RenderedLetter,
}

/// The affected person `who` names: an email address or a subject id.
pub async fn find_subject(db: &Db, inc: &Incident, who: &str) -> Result<AffectedRow> {
    let who = who.trim();
    let id = if who.contains('@') {
        sql::subject_by_email(&db.conn, who).await?
    } else {
        Some(who.parse::<i64>().map_err(|_| {
            Error::bad_input(format!(
                "--subject '{who}' is neither an email address nor a subject id (`affected list` shows the ids)"
            ))
        })?)
    };
    let not_affected = || {
        Error::bad_input(format!(
            "--subject {who} is not among the people affected by {}: `breachdesk affected list {}` shows them",
            inc.reference, inc.reference
        ))
    };
    let id = id.ok_or_else(not_affected)?;
    let mut rows = affected::page(&db.conn, inc.id, id - 1, 1).await?;
    match rows.pop() {
        Some(row) if row.subject_id == id => Ok(row),
        _ => Err(not_affected()),
    }
}

/// Renders the letter `who` would get now, without storing it (with a fresh verification
/// code). The channel is the one `render --channel auto` would choose unless given.
#[allow(clippy::too_many_arguments)]
pub async fn preview(
    db: &Db,
    settings: &Settings,
    reference: &str,
    who: &str,
    channel: Option<Channel>,
    kind: LetterKind,
    update: Option<i32>,
    templates: Option<PathBuf>,
) -> Result<Shown> {
    let inc = incident::find(db, reference).await?;
    let row = find_subject(db, &inc, who).await?;
    let stored = crate::narrative::Stored::load(db, inc.id).await?;
    let setup = LetterSetup::new(settings, &inc, kind, update, &stored, templates)?;
    let choice = channel.map(ChannelChoice::Only).unwrap_or(ChannelChoice::Auto);
    let channel = letter::channel_for(&row, choice).ok_or_else(|| {
        Error::bad_input(match channel {
            Some(c) => format!("subject {} has no {c} address", row.subject_id),
            None => format!(
                "subject {} has neither an email nor a postal address",
                row.subject_id
            ),
        })
    })?;
    let code = VerificationCode::generate()?;
    let ctx = setup.context(&row, channel, code)?;
    let mut letter = RenderedLetter::default();
    Renderer::new(&setup.set).render(&ctx, &mut letter)?;
    Ok(Shown {
        incident: inc.reference.clone(),
        subject_id: row.subject_id,
        channel,
        kind,
        update: (setup.update_number > 0).then_some(setup.update_number),
        locale: ctx.locale.clone(),
        template_version: setup.set.version().to_string(),
        verification_code: code.to_string(),
        message_id: setup.message_id(row.subject_id, channel),
        content_hash: letter.content_hash(channel),
        status: None,
        letter,
    })
}

/// The stored letter of `who`, exactly as stored; fails when it no longer matches its hash.
pub async fn show(
    db: &Db,
    reference: &str,
    who: &str,
    channel: Option<Channel>,
    kind: LetterKind,
    update: Option<i32>,
) -> Result<Shown> {
    let inc = incident::find(db, reference).await?;
    let row = find_subject(db, &inc, who).await?;
    let update_number = match kind {
        LetterKind::Initial => 0,
        LetterKind::Update => match update {
            Some(n) => n,
            None => crate::narrative::Stored::load(db, inc.id)
                .await?
                .latest_update()
                .unwrap_or(1),
        },
    };
    let stored = sql::letters_of(&db.conn, inc.id, row.subject_id, kind.as_str(), update_number).await?;
    let found = stored
        .into_iter()
        .find(|n| channel.is_none_or(|c| n.channel == c.as_str()))
        .ok_or_else(|| {
            Error::bad_input(format!(
                "subject {} has no {}{kind} letter for {} in the outbox: `breachdesk letters render {}` writes them",
                row.subject_id,
                channel.map(|c| format!("{c} ")).unwrap_or_default(),
                inc.reference,
                inc.reference
            ))
        })?;
    let channel: Channel = found.channel.parse()?;
    let content = sql::content_of(&db.conn, found.id).await?;
    let letter = RenderedLetter {
        subject: content.subject,
        text: content.body_text,
        html: content.body_html,
    };
    let hash = letter.content_hash(channel);
    if hash != found.content_hash {
        return Err(Error::failure(format!(
            "notification {} of {} does not match its content hash (stored {}, now {}): it was altered \
             after it was rendered",
            found.id, inc.reference, found.content_hash, hash
        )));
    }
    Ok(Shown {
        incident: inc.reference,
        subject_id: row.subject_id,
        channel,
        kind,
        update: (update_number > 0).then_some(update_number),
        locale: found.locale,
        template_version: found.template_version,
        verification_code: found.verification_code,
        message_id: found.message_id,
        content_hash: found.content_hash,
        status: Some(found.status.as_str().to_string()),
        letter,
    })
}
