//! `breachdesk letters ...`: check a template set, print the sample letter; the outbox
//! commands (`render`, `preview`, `show`) are in `outbox.rs`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::output::Out;
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::letters::lint::lint;
use crate::letters::locale::Fallback;
use crate::letters::templates::TemplateFiles;
use crate::letters::{
    Channel, LetterKind, Locale, Part, RenderedLetter, Renderer, TemplateSet, countries, sample,
};

#[derive(Debug, Subcommand)]
pub enum LettersCommand {
    /// Check a template set: every template compiles, every locale has every template, every
    /// letter says what GDPR Art. 34(2) requires, and the sample letter renders everywhere.
    /// Exits 2 when it finds problems.
    Lint {
        #[command(flatten)]
        templates: TemplatesArg,
        /// Also check that this incident's narrative (and latest update summary) is translated
        /// into every letter language of the people it affects.
        #[arg(long, value_name = "REF")]
        incident: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Print the built-in sample letter (a fictitious person and incident), as rendered by
    /// the template set.
    Sample {
        #[command(flatten)]
        templates: TemplatesArg,
        /// The person's locale, e.g. de-AT. The letter's language is chosen as `letters render`
        /// chooses it: this locale, its language, an official language of --country, then
        /// `[letters] default_language` (English if not set).
        #[arg(long, default_value = "en")]
        locale: String,
        /// The person's country (ISO 3166-1 alpha-2, e.g. AT).
        #[arg(long, value_name = "CODE")]
        country: Option<String>,
        #[arg(long, value_enum, default_value_t = ChannelArg::Email)]
        channel: ChannelArg,
        #[arg(long, value_enum, default_value_t = KindArg::Initial)]
        kind: KindArg,
        /// Print only this part (the postal letter has only `text`).
        #[arg(long, value_enum, conflicts_with = "context")]
        part: Option<PartArg>,
        /// Print the data the templates see (the letter's context) as JSON instead.
        #[arg(long)]
        context: bool,
    },
    /// Fill the outbox: render the letter of every affected person (email where there is a
    /// valid address, postal where not), store it with its hash. Re-running adds only what
    /// is missing.
    Render(super::outbox::RenderArgs),
    /// Print the letter one affected person would get now, without storing it.
    Preview(super::outbox::PreviewArgs),
    /// Print one person's letter exactly as stored in the outbox, after checking its hash.
    Show(super::outbox::LetterArgs),
    /// Write print-ready PDFs of the incident's pending postal letters (the stored text, the
    /// address placed for a window envelope), batched, with a CSV manifest for the mail house.
    /// Does not mark them sent: `letters posted` does, once the mail house has them.
    Pdf(super::postal::PdfArgs),
    /// Mark the postal letters of a `letters pdf` manifest as sent (handed to the mail house).
    Posted(super::postal::PostedArgs),
    /// Take back letters not yet sent (pending or deferred): one person's, or all. Sent letters
    /// are never touched; letters that may have reached the server are only reported.
    Withdraw(super::withdraw::WithdrawArgs),
}

#[derive(Debug, Args)]
pub struct TemplatesArg {
    /// A directory whose files override the built-in templates file by file (same layout:
    /// LOCALE/KIND/..., LOCALE/partials/..., LOCALE/advice.toml).
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ChannelArg {
    Email,
    Postal,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Initial,
    Update,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PartArg {
    Subject,
    Text,
    Html,
}

pub async fn run(cmd: LettersCommand, settings: &Settings, out: Out) -> Result<()> {
    match cmd {
        LettersCommand::Render(args) => super::outbox::render(args, settings, out).await,
        LettersCommand::Preview(args) => super::outbox::preview(args, settings, out).await,
        LettersCommand::Show(args) => super::outbox::show(args, settings, out).await,
        LettersCommand::Pdf(args) => super::postal::pdf(args, settings, out).await,
        LettersCommand::Posted(args) => super::postal::posted(args, settings, out).await,
        LettersCommand::Withdraw(args) => super::withdraw::withdraw(args, settings, out).await,
        LettersCommand::Lint {
            templates,
            incident,
            json,
        } => {
            let files = TemplateFiles::load(templates.templates.as_deref())?;
            let mut report = lint(&files);
            if let Some(reference) = incident {
                let dir = templates.templates.or_else(|| settings.letters.templates.clone());
                let (gaps, fallbacks) = translation_gaps(settings, &reference, dir.as_deref()).await?;
                report.problems.extend(gaps);
                report.without_templates = fallbacks;
            }
            if json {
                out.json(&report)?;
            } else {
                for problem in &report.problems {
                    out.result(problem);
                }
                for f in &report.without_templates {
                    out.result(format!(
                        "{}: no templates; {} letters in '{}' ({})",
                        f.wanted,
                        match f.people {
                            1 => "1 person affected with this locale gets".to_string(),
                            n => format!("{n} people affected with this locale get"),
                        },
                        f.locale,
                        f.reason()
                    ));
                }
            }
            if !report.problems.is_empty() {
                return Err(Error::bad_input(format!(
                    "the template set has {} problem(s)",
                    report.problems.len()
                )));
            }
            if !json {
                out.say(format!(
                    "{} files, locales {}: no problems. Template set version {}.",
                    report.files,
                    report.locales.join(", "),
                    &report.version[..16]
                ));
            }
            Ok(())
        }
        LettersCommand::Sample {
            templates,
            locale,
            channel,
            kind,
            part,
            context,
            country,
        } => {
            let set = letter_set(settings, templates.templates)?;
            let locale: Locale = locale.parse()?;
            let channel = match channel {
                ChannelArg::Email => Channel::Email,
                ChannelArg::Postal => Channel::Postal,
            };
            let kind = match kind {
                KindArg::Initial => LetterKind::Initial,
                KindArg::Update => LetterKind::Update,
            };
            if let Some(code) = &country
                && countries::name(code, "en").is_none()
            {
                return Err(Error::bad_input(format!(
                    "--country '{code}' is not an ISO 3166-1 alpha-2 country code such as DE or ES"
                )));
            }
            let ctx = sample::context_in(&set, locale.as_str(), country.as_deref(), kind, channel)?;
            if context {
                return out.json(&ctx);
            }
            let mut renderer = Renderer::new(&set);
            match part {
                Some(part) => {
                    let part = match part {
                        PartArg::Subject => Part::Subject,
                        PartArg::Text => Part::Text,
                        PartArg::Html => Part::Html,
                    };
                    let mut text = String::new();
                    renderer.render_one(&ctx, part, &mut text)?;
                    out.result(text.trim_end());
                }
                None => {
                    let mut letter = RenderedLetter::default();
                    renderer.render(&ctx, &mut letter)?;
                    if channel == Channel::Email {
                        out.result(format!("Subject: {}\n", letter.subject));
                        out.result(letter.text.trim_end());
                        out.result("\n----- HTML part -----\n");
                        out.result(letter.html.trim_end());
                    } else {
                        out.result(letter.text.trim_end());
                    }
                }
            }
            Ok(())
        }
    }
}

/// The template set letters are rendered with: the built-in one with `templates` (else the
/// configured directory) overriding it, and the configured default language.
fn letter_set(settings: &Settings, templates: Option<PathBuf>) -> Result<TemplateSet> {
    let dir = templates.or_else(|| settings.letters.templates.clone());
    let mut set = TemplateSet::load(dir.as_deref())?;
    if let Some(lang) = &settings.letters.default_language {
        set.set_default_locale(lang)?;
    }
    Ok(set)
}

/// The incident's letter languages without a translation, as lint problems, and the locales
/// of the people affected that have no templates.
async fn translation_gaps(
    settings: &Settings,
    reference: &str,
    templates: Option<&std::path::Path>,
) -> Result<(Vec<crate::letters::lint::Problem>, Vec<Fallback>)> {
    let db = crate::db::open_current(&settings.database_url).await?;
    let inc = crate::incident::find(&db, reference).await?;
    let stored = crate::narrative::Stored::load(&db, inc.id).await?;
    let set = letter_set(settings, templates.map(PathBuf::from))?;
    let update = stored.latest_update().unwrap_or(0);
    let gaps = crate::narrative::coverage(&db, settings, inc.id, &set, &stored, update).await?;
    let fallbacks = crate::narrative::fallbacks(&db, inc.id, &set).await?;
    let gaps = gaps
        .iter()
        .map(|g| {
            let fields: Vec<String> = g.missing.iter().map(|f| f.flag()).collect();
            crate::letters::lint::Problem {
                file: inc.reference.clone(),
                line: None,
                message: format!(
                    "{} people get letters in '{}', which has no translation of {} (`breachdesk incident \
                     translate {} --locale {} ...`)",
                    g.people,
                    g.locale,
                    fields.join(" "),
                    inc.reference,
                    g.locale
                ),
            }
        })
        .collect();
    Ok((gaps, fallbacks))
}
