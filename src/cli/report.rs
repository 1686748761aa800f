//! `breachdesk report ...`: the report to a supervisory authority, its recorded submissions,
//! and the breach register.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};

use super::output::Out;
use crate::clock;
use crate::config::Settings;
use crate::db;
use crate::error::{Error, Result};
use crate::output_guard::Protected;
use crate::report::{self, Phase, SubmittedReport, register, render};

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The notification to the supervisory authority (GDPR Art. 33(3)): nature, numbers,
    /// contact point, consequences, measures, timeline, cross-border aspects, delay reasons,
    /// and what changed since the previous submission.
    Authority {
        reference: String,
        #[arg(long, value_enum, default_value_t = PhaseArg::Initial)]
        phase: PhaseArg,
        #[arg(long, value_enum)]
        format: AuthorityFormat,
        /// The authority's jurisdiction code, e.g. DE or GB (default: lead_authority under
        /// [organisation] in breachdesk.toml).
        #[arg(long, value_name = "CODE")]
        authority: Option<String>,
        /// Write to this file (created readable by you only) instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Record that a report was submitted, with a snapshot of what it said.
    Submitted {
        reference: String,
        /// The authority's jurisdiction code, e.g. DE.
        #[arg(long, value_name = "CODE")]
        authority: String,
        /// The authority's case number or receipt.
        #[arg(long = "reference", value_name = "R")]
        their_reference: String,
        #[arg(long, value_enum, default_value_t = PhaseArg::Initial)]
        phase: PhaseArg,
        /// When it was sent (default: now).
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The breach register (GDPR Art. 33(5)): every incident, notified or not.
    Register {
        /// Incidents the organisation became aware of from this time (or date) on.
        #[arg(long, value_name = "D")]
        from: Option<String>,
        /// ... up to this time (a date means its end).
        #[arg(long, value_name = "D")]
        to: Option<String>,
        #[arg(long, value_enum)]
        format: RegisterFormat,
        /// Write to this file (created readable by you only) instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PhaseArg {
    Initial,
    FollowUp,
    Final,
}

impl From<PhaseArg> for Phase {
    fn from(p: PhaseArg) -> Phase {
        match p {
            PhaseArg::Initial => Phase::Initial,
            PhaseArg::FollowUp => Phase::FollowUp,
            PhaseArg::Final => Phase::Final,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AuthorityFormat {
    Md,
    Html,
    Json,
    /// Typeset with typst, fonts embedded; needs --output.
    Pdf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RegisterFormat {
    Csv,
    Json,
    Md,
}

pub async fn run(cmd: ReportCommand, settings: &Settings, out: Out) -> Result<()> {
    let output = match &cmd {
        ReportCommand::Authority { output, .. } | ReportCommand::Register { output, .. } => output.as_deref(),
        _ => None,
    };
    if let Some(path) = output {
        Protected::of(settings).check("--output", path)?;
    }
    let db = db::open_current(&settings.database_url).await?;
    let zone = settings.zone;
    match cmd {
        ReportCommand::Authority {
            reference,
            phase,
            format,
            authority,
            output,
        } => {
            if matches!(format, AuthorityFormat::Pdf) && output.is_none() {
                return Err(Error::bad_input(
                    "--format pdf writes a file: give --output FILE.pdf",
                ));
            }
            let r = report::build(&db, settings, &reference, phase.into(), authority.as_deref()).await?;
            let bytes = match format {
                AuthorityFormat::Md => render::markdown(&r, zone).into_bytes(),
                AuthorityFormat::Html => render::html(&r, zone).into_bytes(),
                AuthorityFormat::Json => json_bytes(&r)?,
                AuthorityFormat::Pdf => report::pdf::pdf(&r, zone)?,
            };
            emit(&bytes, output.as_deref(), out)
        }
        ReportCommand::Submitted {
            reference,
            authority,
            their_reference,
            phase,
            at,
            json,
        } => {
            let at = at.map(|t| clock::parse_time(&t, zone)).transpose()?;
            let s = report::record_submission(
                &db,
                settings,
                &reference,
                SubmittedReport {
                    authority,
                    reference: their_reference,
                    phase: phase.into(),
                    at,
                },
            )
            .await?;
            if json {
                return out.json(&s);
            }
            out.result(format!(
                "Recorded the {} report of {} to {} (reference {}) on {}.",
                s.phase.as_str(),
                reference.to_ascii_uppercase(),
                s.authority,
                s.reference,
                clock::human(s.submitted_at, zone)
            ));
            Ok(())
        }
        ReportCommand::Register {
            from,
            to,
            format,
            output,
        } => {
            let from = from.map(|t| clock::parse_time(&t, zone)).transpose()?;
            let to = to.map(|t| end_of(&t, zone)).transpose()?;
            if let (Some(f), Some(t)) = (from, to)
                && f > t
            {
                return Err(Error::bad_input("--from is after --to"));
            }
            let entries = register::register(&db, from, to).await?;
            let bytes = match format {
                RegisterFormat::Csv => register::csv(&entries, zone)?,
                RegisterFormat::Json => json_bytes(&entries)?,
                RegisterFormat::Md => register::markdown(&entries, zone).into_bytes(),
            };
            emit(&bytes, output.as_deref(), out)
        }
    }
}

/// A bare date as `--to` means the end of that day.
fn end_of(text: &str, zone: chrono_tz::Tz) -> Result<chrono::DateTime<chrono::Utc>> {
    let t = clock::parse_time(text, zone)?;
    if text.trim().len() == 10 {
        Ok(t + chrono::Duration::days(1) - chrono::Duration::microseconds(1))
    } else {
        Ok(t)
    }
}

fn json_bytes<T: serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut v =
        serde_json::to_vec_pretty(value).map_err(|e| Error::failure(format!("cannot write JSON: {e}")))?;
    v.push(b'\n');
    Ok(v)
}

/// To the file (mode 0600, also when it existed before) or to standard output.
fn emit(bytes: &[u8], output: Option<&Path>, out: Out) -> Result<()> {
    let Some(path) = output else {
        let mut stdout = std::io::stdout().lock();
        return stdout
            .write_all(bytes)
            .and_then(|()| stdout.flush())
            .map_err(|e| Error::failure(format!("cannot write to standard output: {e}")));
    };
    write_private(path, bytes)?;
    out.say(format!("Wrote {}.", path.display()));
    Ok(())
}

/// Reports hold personal data: the file is readable by its owner only.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::private_file::write(path, bytes)
        .map_err(|e| Error::bad_input(format!("cannot write {}: {e}", path.display())))
}
