//! `letters withdraw`: take back letters not yet sent, one person's or all, with a dry run.

use clap::{ArgGroup, Args};

use super::output::Out;
use crate::config::Settings;
use crate::db;
use crate::error::Result;
use crate::outbox::{self, WithdrawRequest};

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("whom").required(true).args(["subject", "all_pending"])))]
pub struct WithdrawArgs {
    reference: String,
    /// The person whose unsent letters to withdraw: their email address or subject id.
    #[arg(long, value_name = "EMAIL|ID")]
    subject: Option<String>,
    /// Every letter of the incident not yet sent (pending or deferred).
    #[arg(long)]
    all_pending: bool,
    /// Say what would be withdrawn, change nothing.
    #[arg(long)]
    dry_run: bool,
    #[arg(long)]
    json: bool,
}

pub async fn withdraw(args: WithdrawArgs, settings: &Settings, out: Out) -> Result<()> {
    let db = db::open_current(&settings.database_url).await?;
    let req = WithdrawRequest {
        reference: args.reference,
        subject: args.subject,
        dry_run: args.dry_run,
    };
    let w = outbox::withdraw(&db, settings, &req).await?;
    if args.json {
        return out.json(&w);
    }
    out.say(if w.dry_run {
        format!(
            "Dry run: would withdraw {} letter(s) not yet sent, for {} person(s), from {}; nothing was changed.",
            w.letters, w.subjects, w.incident
        )
    } else {
        format!(
            "{}: {} letter(s) not yet sent withdrawn, for {} person(s). A later `letters render` renders the \
             letters of people still affected again.",
            w.incident, w.letters, w.subjects
        )
    });
    if !w.in_flight.is_empty() {
        super::warn(format!(
            "{} letter(s) may already have reached the mail server and were not withdrawn: settle them with \
             `breachdesk send settle {} --resend|--assume-sent` (`send status {}` lists them)",
            w.in_flight.len(),
            w.incident,
            w.incident
        ));
    }
    Ok(())
}
