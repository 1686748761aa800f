//! `breachdesk send REF`, `send status`, `send settle`, `send bounces`: the outbox handed to
//! the mail relay, and what became of it.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::watch;

use super::output::Out;
use crate::config::Settings;
use crate::db;
use crate::error::{Error, Result};
use crate::output_guard::Protected;
use crate::send::status;
use crate::send::{self, Counters, KindFilter, SendRequest, TransportChoice};

use super::send_text::{print_status, say_summary};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct SendCommand {
    #[command(subcommand)]
    action: Option<SendAction>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
enum SendAction {
    /// Letters per state, the most frequent errors, the rate, uncertain letters and live senders.
    Status {
        reference: String,
        #[arg(long)]
        json: bool,
    },
    /// Decide about letters left uncertain by a sender that stopped mid-letter.
    Settle(SettleArgs),
    /// Read delivery status notifications and mark the letters they return as bounced.
    Bounces(BounceArgs),
}

#[derive(Debug, Args)]
struct RunArgs {
    /// The incident whose email letters to send.
    #[arg(required = true)]
    reference: Option<String>,
    /// `smtp`: the relay in BREACHDESK_SMTP_URL or [send] smtp_url; `file`: .eml files.
    #[arg(long, value_enum, default_value_t = TransportArg::Smtp)]
    transport: TransportArg,
    /// Connections at once (default: [send] concurrency, else 4).
    #[arg(long, value_name = "N")]
    concurrency: Option<usize>,
    /// At most N messages per second overall (default: [send] rate, else no limit).
    #[arg(long, value_name = "N")]
    rate: Option<f64>,
    /// Say what would be sent, send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Send at most N letters in this run.
    #[arg(long, value_name = "N")]
    limit: Option<u64>,
    /// Which letters: `initial`, `update` (each only to people whose initial letter was sent),
    /// or `all` (both in one run). Default: the initial letters while any is left to send,
    /// else the update letters.
    #[arg(long, value_enum)]
    kind: Option<SendKindArg>,
    /// Do not ask for confirmation.
    #[arg(long)]
    yes: bool,
    /// Send without TLS to a relay that is not on this machine.
    #[arg(long)]
    allow_plaintext: bool,
    /// With --transport file: the directory (default: [send] file_dir, else sent-mail).
    #[arg(long, value_name = "DIR")]
    output: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SendKindArg {
    Initial,
    Update,
    All,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum TransportArg {
    Smtp,
    File,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("choice").required(true).args(["resend", "assume_sent"])))]
struct SettleArgs {
    reference: String,
    /// Send them again: some people may get the letter twice.
    #[arg(long)]
    resend: bool,
    /// Count them as sent: some people may never get the letter.
    #[arg(long)]
    assume_sent: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct BounceArgs {
    reference: String,
    /// An mbox file of returned mail.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "maildir",
        required_unless_present = "maildir"
    )]
    mbox: Option<PathBuf>,
    /// A Maildir (or a folder of .eml files) of returned mail.
    #[arg(long, value_name = "DIR")]
    maildir: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

pub async fn run(cmd: SendCommand, settings: &Settings, out: Out) -> Result<()> {
    match cmd.action {
        Some(SendAction::Status { reference, json }) => {
            let db = db::open_current(&settings.database_url).await?;
            let s = status::status(&db, settings, &reference).await?;
            if json {
                return out.json(&s);
            }
            print_status(&s, out);
            Ok(())
        }
        Some(SendAction::Settle(a)) => {
            let db = db::open_current(&settings.database_url).await?;
            let s = status::settle(&db, settings, &a.reference, a.resend).await?;
            if a.json {
                return out.json(&s);
            }
            out.say(match (s.letters.len(), s.choice) {
                (0, _) => format!("{}: no uncertain letters.", s.incident),
                (n, "resend") => format!("{}: {n} uncertain letter(s) put back in the queue.", s.incident),
                (n, _) => format!("{}: {n} uncertain letter(s) counted as sent.", s.incident),
            });
            Ok(())
        }
        Some(SendAction::Bounces(a)) => {
            let db = db::open_current(&settings.database_url).await?;
            let r = status::bounces(
                &db,
                settings,
                &a.reference,
                a.mbox.as_deref(),
                a.maildir.as_deref(),
            )
            .await?;
            if a.json {
                return out.json(&r);
            }
            out.say(format!(
                "{}: {} message(s) read; {} letter(s) marked bounced, {} already bounced, {} delay notice(s), \
                 {} not a bounce, {} unmatched.",
                r.incident, r.messages, r.bounced, r.already, r.delayed, r.not_bounces, r.unmatched.len()
            ));
            for origin in &r.unmatched {
                super::warn(format!("{origin}: a bounce for no letter of {}", r.incident));
            }
            if r.bounced > 0 {
                out.say(format!(
                    "People whose email bounced are due a postal letter: `breachdesk letters render {}` (with the \
                     bounced letter's --kind) adds one for each of them, and only them, where there is an address.",
                    r.incident
                ));
            }
            Ok(())
        }
        None => send_letters(cmd.run, settings, out).await,
    }
}

async fn send_letters(a: RunArgs, settings: &Settings, out: Out) -> Result<()> {
    let reference = a.reference.unwrap_or_default();
    if let Some(dir) = &a.output {
        Protected::of(settings).check("--output", dir)?;
    }
    let db = db::open_current(&settings.database_url).await?;
    let req = SendRequest {
        reference,
        transport: match a.transport {
            TransportArg::Smtp => TransportChoice::Smtp {
                allow_plaintext: a.allow_plaintext,
            },
            TransportArg::File => TransportChoice::File(a.output.clone()),
        },
        concurrency: a.concurrency,
        rate: a.rate,
        limit: a.limit,
        kind: a.kind.map(|k| match k {
            SendKindArg::Initial => KindFilter::Initial,
            SendKindArg::Update => KindFilter::Update,
            SendKindArg::All => KindFilter::All,
        }),
    };
    if a.output.is_some() && matches!(a.transport, TransportArg::Smtp) {
        return Err(Error::bad_input("--output is for --transport file"));
    }
    let prepared = send::prepare(&db, settings, &req).await?;
    let n = prepared.to_send();
    let what = format!(
        "{} {} letter(s) for {} via {} ({} connection(s){})",
        thousands(n),
        prepared.kinds.as_str(),
        prepared.incident.reference,
        prepared.transport_description,
        prepared.plan.concurrency,
        prepared
            .plan
            .rate
            .map(|r| format!(", at most {r}/s"))
            .unwrap_or_default()
    );
    if prepared.uncertain > 0 {
        super::warn(format!(
            "{} letter(s) may or may not have been sent by a sender that stopped: they are not sent again until \
             `breachdesk send settle {} --resend|--assume-sent`",
            prepared.uncertain, prepared.incident.reference
        ));
    }
    if !a.json {
        say_waiting(&prepared, out);
    }
    if a.dry_run {
        if a.json {
            return out.json(&serde_json::json!({
                "incident": prepared.incident.reference,
                "kind": prepared.kinds,
                "waiting": prepared.waiting,
                "update_held": prepared.update_held,
                "transport": prepared.transport_description,
                "would_send": n,
                "deferred_later": prepared.later,
                "uncertain": prepared.uncertain,
                "concurrency": prepared.plan.concurrency,
                "rate": prepared.plan.rate,
            }));
        }
        out.say(format!("Dry run: would send {what}; nothing was sent."));
        if prepared.later > 0 {
            out.say(format!("{} deferred letter(s) are not due yet.", prepared.later));
        }
        return Ok(());
    }
    if n > 0 && !a.yes && !confirm(&format!("Send {what}? [y/N] "))? {
        out.say("Nothing sent.");
        return Ok(());
    }
    let counters = Arc::new(Counters::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    let grace = prepared.plan.timeout.as_secs();
    let interrupt = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = writeln!(
                std::io::stderr(),
                "stopping: finishing the letters in flight (at most {grace} s; any still unanswered then are left uncertain)..."
            );
            let _ = stop_tx.send(true);
        }
    });
    let display = progress(Arc::clone(&counters), n, out);
    let result = send::execute(&db, settings, prepared, counters, stop_rx).await;
    display.abort();
    interrupt.abort();
    let s = result?;
    if a.json {
        return out.json(&s);
    }
    say_summary(&s, out);
    Ok(())
}

/// The letters this run leaves for another, and why.
fn say_waiting(p: &send::Prepared, out: Out) {
    let r = &p.incident.reference;
    match p.kinds {
        KindFilter::Initial if p.waiting > 0 => out.say(format!(
            "{} update letter(s) wait for a later run, after the initial letters: `breachdesk send {r} --kind update`.",
            p.waiting
        )),
        KindFilter::Update if p.waiting > 0 => out.say(format!(
            "{} initial letter(s) are not sent by this run: `breachdesk send {r} --kind initial`.",
            p.waiting
        )),
        _ => {}
    }
    if p.update_held > 0 {
        out.say(format!(
            "{} update letter(s) wait until the person's initial letter is sent (`send status {r}`).",
            p.update_held
        ));
    }
}

/// 12408 as "12,408": counts a person confirms at a glance.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Asks on the terminal; refuses without one.
fn confirm(question: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::bad_input(
            "send asks for confirmation, and there is no terminal to ask on: add --yes",
        ));
    }
    let mut err = std::io::stderr();
    let _ = write!(err, "{question}");
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::failure(format!("cannot read the answer: {e}")))?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

/// A bar on a terminal; a line every 10 s otherwise. Counts only, never addresses.
fn progress(counters: Arc<Counters>, total: u64, out: Out) -> tokio::task::JoinHandle<()> {
    let terminal = std::io::stderr().is_terminal();
    tokio::spawn(async move {
        if out.quiet {
            return;
        }
        let started = std::time::Instant::now();
        let bar = terminal.then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}  {per_sec}  eta {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        let every = if terminal {
            Duration::from_millis(200)
        } else {
            Duration::from_secs(10)
        };
        loop {
            tokio::time::sleep(every).await;
            let [sent, deferred, failed, uncertain] = counters.get();
            let done = sent + deferred + failed + uncertain;
            match &bar {
                Some(bar) => {
                    bar.set_position(done);
                    bar.set_message(format!("sent {sent}, deferred {deferred}, failed {failed}"));
                }
                None => {
                    let rate = sent as f64 / started.elapsed().as_secs_f64().max(0.001);
                    let _ = writeln!(
                        std::io::stderr(),
                        "send: {done}/{total} done: sent {sent}, deferred {deferred}, failed {failed}, \
                         uncertain {uncertain}; {rate:.0}/s"
                    );
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(12_408), "12,408");
        assert_eq!(super::thousands(1_000_000), "1,000,000");
    }
}
