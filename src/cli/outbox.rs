//! `letters render`, `letters preview`, `letters show`: the outbox from the command line.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::letters::{KindArg, PartArg};
use super::output::Out;
use crate::config::Settings;
use crate::db;
use crate::error::Result;
use crate::letters::{Channel, LetterKind, Part};
use crate::outbox::{self, ChannelChoice, RenderRequest, RenderSummary, Shown};

#[derive(Debug, Args)]
pub struct RenderArgs {
    reference: String,
    /// `auto`: email where the person has a valid address, a postal letter where not.
    #[arg(long, value_enum, default_value_t = RenderChannel::Auto)]
    channel: RenderChannel,
    #[arg(long, value_enum, default_value_t = KindArg::Initial)]
    kind: KindArg,
    /// Which update's letters (with --kind update; default: the latest `incident update-note`).
    #[arg(long, value_name = "N")]
    update: Option<i32>,
    /// Render letters in languages the narrative has no translation into (they tell it in the
    /// language it was written in) instead of refusing.
    #[arg(long)]
    allow_untranslated: bool,
    /// Template overrides (default: [letters] templates in breachdesk.toml, else built-in).
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Render again the pending letters that were rendered with another template set.
    #[arg(long)]
    rerender_pending: bool,
    /// Only this person's letter: their email address or subject id.
    #[arg(long, value_name = "EMAIL|ID")]
    subject: Option<String>,
    /// With --channel postal and no --subject: also add postal letters for people who already
    /// have an email letter sent or on its way (refused otherwise).
    #[arg(long)]
    include_reached: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RenderChannel {
    Auto,
    Email,
    Postal,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LetterChannel {
    Email,
    Postal,
}

#[derive(Debug, Args)]
pub struct LetterArgs {
    reference: String,
    /// The person: their email address or subject id (`affected list` shows both).
    #[arg(long, value_name = "EMAIL|ID")]
    subject: String,
    /// Default: email if the person has a valid address, else postal.
    #[arg(long, value_enum)]
    channel: Option<LetterChannel>,
    #[arg(long, value_enum, default_value_t = KindArg::Initial)]
    kind: KindArg,
    /// Which update's letter (with --kind update; default: the latest).
    #[arg(long, value_name = "N")]
    update: Option<i32>,
    /// Print only this part, exactly (the postal letter has only `text`).
    #[arg(long, value_enum)]
    part: Option<PartArg>,
    /// Print the letter's facts and parts as JSON.
    #[arg(long, conflicts_with = "part")]
    json: bool,
}

#[derive(Debug, Args)]
pub struct PreviewArgs {
    #[command(flatten)]
    letter: LetterArgs,
    /// Template overrides (default: [letters] templates in breachdesk.toml, else built-in).
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
}

fn kind(k: KindArg) -> LetterKind {
    match k {
        KindArg::Initial => LetterKind::Initial,
        KindArg::Update => LetterKind::Update,
    }
}

fn channel(c: Option<LetterChannel>) -> Option<Channel> {
    c.map(|c| match c {
        LetterChannel::Email => Channel::Email,
        LetterChannel::Postal => Channel::Postal,
    })
}

pub async fn render(args: RenderArgs, settings: &Settings, out: Out) -> Result<()> {
    let db = db::open_current(&settings.database_url).await?;
    let subjects = match &args.subject {
        Some(who) => {
            let inc = crate::incident::find(&db, &args.reference).await?;
            let id = outbox::find_subject(&db, &inc, who).await?.subject_id;
            Some(std::collections::HashMap::from([(id, None)]))
        }
        None => None,
    };
    let req = RenderRequest {
        reference: args.reference,
        channel: match args.channel {
            RenderChannel::Auto => ChannelChoice::Auto,
            RenderChannel::Email => ChannelChoice::Only(Channel::Email),
            RenderChannel::Postal => ChannelChoice::Only(Channel::Postal),
        },
        kind: kind(args.kind),
        update: args.update,
        allow_untranslated: args.allow_untranslated,
        templates: args.templates,
        rerender_pending: args.rerender_pending,
        subjects,
        include_reached: args.include_reached,
    };
    let bar = if std::io::stderr().is_terminal() && !out.quiet {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40} {human_pos}/{human_len} people  {elapsed} elapsed, eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let summary = outbox::render(&db, settings, &req, &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await;
    bar.finish_and_clear();
    let s = summary?;
    if args.json {
        return out.json(&s);
    }
    say_summary(&s, out);
    Ok(())
}

fn say_summary(s: &RenderSummary, out: Out) {
    let added = s.added_email + s.added_postal;
    let rate = if s.seconds > 0.0 {
        added as f64 / s.seconds
    } else {
        0.0
    };
    out.say(format!(
        "{}: {} {}{} letter(s) added to the outbox ({} email, {} postal) for {} affected people in {:.1} s \
         ({:.0} letters/s); {} already there; template set {}.",
        s.incident,
        added,
        s.kind,
        s.update.map(|n| format!(" {n}")).unwrap_or_default(),
        s.added_email,
        s.added_postal,
        s.subjects,
        s.seconds,
        rate,
        s.already,
        &s.template_version[..16]
    ));
    if s.rerendered > 0 {
        out.say(format!(
            "{} pending letter(s) from an older template set were rendered again.",
            s.rerendered
        ));
    }
    for line in crate::letters::locale::describe_fallbacks(&s.fallbacks) {
        out.say(line);
    }
    for g in &s.untranslated {
        let fields: Vec<String> = g.missing.iter().map(|f| f.flag()).collect();
        super::warn(format!(
            "{} letter(s) in '{}' tell untranslated text (no translation of {})",
            g.people,
            g.locale,
            fields.join(" ")
        ));
    }
    if s.unreachable > 0 {
        super::warn(format!(
            "{} affected people have no address for this channel: no letter for them (`affected list {}` shows who)",
            s.unreachable, s.incident
        ));
    }
    if s.cannot_reach > 0 {
        super::warn(format!(
            "{} affected people cannot be reached: their email letter bounced or was refused and there is no \
             postal address (`followup list {} --status unreachable` shows them)",
            s.cannot_reach, s.incident
        ));
    }
    for o in &s.other_versions {
        let mut text = format!(
            "{} letter(s) were rendered with template version {}; current is {}",
            o.pending + o.not_pending,
            &o.template_version[..16.min(o.template_version.len())],
            &s.template_version[..16]
        );
        if o.pending > 0 {
            text.push_str(&format!(
                "; use --rerender-pending to re-render the {} not yet sent",
                o.pending
            ));
        }
        if o.not_pending > 0 {
            text.push_str(&format!(
                "; {} are past pending and stay as they were",
                o.not_pending
            ));
        }
        super::warn(text);
    }
}

pub async fn preview(args: PreviewArgs, settings: &Settings, out: Out) -> Result<()> {
    let db = db::open_current(&settings.database_url).await?;
    let a = args.letter;
    let shown = outbox::preview(
        &db,
        settings,
        &a.reference,
        &a.subject,
        channel(a.channel),
        kind(a.kind),
        a.update,
        args.templates,
    )
    .await?;
    print(&shown, a.part, a.json, out)
}

pub async fn show(args: LetterArgs, settings: &Settings, out: Out) -> Result<()> {
    let db = db::open_current(&settings.database_url).await?;
    let shown = outbox::show(
        &db,
        &args.reference,
        &args.subject,
        channel(args.channel),
        kind(args.kind),
        args.update,
    )
    .await?;
    print(&shown, args.part, args.json, out)
}

fn print(shown: &Shown, part: Option<PartArg>, json: bool, out: Out) -> Result<()> {
    if json {
        let mut value = serde_json::to_value(shown).unwrap_or_default();
        for p in shown.channel.parts() {
            value[p.as_str()] = shown.letter.part(*p).into();
        }
        return out.json(&value);
    }
    if let Some(part) = part {
        let part = match part {
            PartArg::Subject => Part::Subject,
            PartArg::Text => Part::Text,
            PartArg::Html => Part::Html,
        };
        if !shown.channel.parts().contains(&part) {
            return Err(crate::error::Error::bad_input(format!(
                "a {} letter has no {part} part",
                shown.channel
            )));
        }
        // Exactly the bytes of the part: no newline added.
        out.raw(shown.letter.part(part));
        return Ok(());
    }
    out.say(format!(
        "{} letter to subject {} ({}, {}), template set {}, verification code {}, {}{}\ncontent hash {}\n",
        shown.kind,
        shown.subject_id,
        shown.channel,
        shown.locale,
        &shown.template_version[..16],
        shown.verification_code,
        shown.message_id,
        shown
            .status
            .as_deref()
            .map(|s| format!(", {s}"))
            .unwrap_or_default(),
        shown.content_hash
    ));
    if shown.channel == Channel::Email {
        out.result(format!("Subject: {}\n", shown.letter.subject));
        out.result(shown.letter.text.trim_end());
        out.result("\n----- HTML part -----\n");
        out.result(shown.letter.html.trim_end());
    } else {
        out.result(shown.letter.text.trim_end());
    }
    Ok(())
}
