//! `breachdesk followup ...`: the cases of the people affected — list, show, log, status,
//! assign, next, ingest, stats, request-done, sync.

use std::io::Write;
use std::path::PathBuf;

use clap::{ArgGroup, Subcommand};

use super::followup_text::args;
use super::output::{Out, or_dash};
use crate::clock;
use crate::config::Settings;
use crate::db;
use crate::db::followup_queries::CaseFilter;
use crate::error::{Error, Result};
use crate::followup::events::{self, LogEntry};
use crate::followup::ingest::{self, MailSource};
use crate::followup::queue::{self, Assignment};
use crate::followup::{Assist, CaseStatus, EventKind, Right, cases, requests, show, stats};
use crate::incident;
use crate::resolve::export::JsonArrayWriter;

#[derive(Debug, Subcommand)]
pub enum FollowupCommand {
    /// The incident's cases: status, assignee, next action due, open requests.
    List {
        reference: String,
        #[arg(long, value_parser = args::status)]
        status: Option<CaseStatus>,
        #[arg(long, value_name = "NAME")]
        assignee: Option<String>,
        /// Only cases whose next action or an unanswered request is past due.
        #[arg(long)]
        overdue: bool,
        /// Also the cases of people no longer in the incident's scope.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// One person's whole story: data exposed, letters and their delivery, events, requests.
    Show {
        reference: String,
        /// An email address, a subject id, or the verification code of their letter.
        subject: String,
        #[arg(long)]
        json: bool,
    },
    /// Record a note, call, email or meeting; help given (--assist); a right exercised (--request).
    Log {
        reference: String,
        /// An email address, a subject id, or the verification code of their letter.
        subject: String,
        /// note, call, email-in, email-out or meeting (a call, an email in or a meeting means the
        /// person responded).
        #[arg(long, value_parser = args::kind, default_value = "note")]
        kind: EventKind,
        /// What was said or done.
        #[arg(long)]
        text: Option<String>,
        /// Help given: password-reset, card-replaced, credit-monitoring, account-locked, other.
        #[arg(long, value_parser = args::assist)]
        assist: Option<Assist>,
        /// A right exercised: access, rectification, erasure, restriction, portability,
        /// objection, complaint. Due one month after today (Art. 12(3)).
        #[arg(long, value_parser = args::right)]
        request: Option<Right>,
        /// When the next action on the case is due (TIME).
        #[arg(long, value_name = "TIME")]
        due: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Move a case by hand: open, contacted, responded, assisting, unreachable, closed.
    Status {
        reference: String,
        subject: String,
        #[arg(value_parser = args::status)]
        status: CaseStatus,
        #[arg(long)]
        text: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Give cases to someone: those in a status, those a file names, or N unassigned ones.
    #[command(group(ArgGroup::new("which").required(true).multiple(true).args(["status", "subjects", "limit"])))]
    Assign {
        reference: String,
        #[arg(long, value_name = "NAME")]
        to: String,
        #[arg(long, value_parser = args::status)]
        status: Option<CaseStatus>,
        /// One person per line: email, subject id or verification code.
        #[arg(long, value_name = "FILE", conflicts_with = "limit")]
        subjects: Option<PathBuf>,
        /// At most N cases, from the unassigned ones.
        #[arg(long, value_name = "N")]
        limit: Option<u64>,
    },
    /// The case to work on next: the earliest due first.
    Next {
        reference: String,
        #[arg(long, value_name = "NAME")]
        assignee: String,
        #[arg(long)]
        json: bool,
    },
    /// Read replies from a Maildir or an mbox file into the cases.
    #[command(group(ArgGroup::new("source").required(true).args(["maildir", "mbox"])))]
    Ingest {
        reference: String,
        #[arg(long, value_name = "DIR")]
        maildir: Option<PathBuf>,
        #[arg(long, value_name = "FILE")]
        mbox: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Reached, responded, assisted, unreachable, closed; time from awareness to first letter.
    Stats {
        reference: String,
        #[arg(long)]
        json: bool,
    },
    /// Mark a request answered.
    RequestDone {
        reference: String,
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Bring the cases up to date with the outbox's delivery results.
    Sync {
        reference: String,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(cmd: FollowupCommand, settings: &Settings, out: Out) -> Result<()> {
    let db = db::open_current(&settings.database_url).await?;
    let zone = settings.zone;
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| or_dash(t.map(|t| clock::human(t, zone)));
    match cmd {
        FollowupCommand::List {
            reference,
            status,
            assignee,
            overdue,
            all,
            json,
        } => {
            let inc = incident::find(&db, &reference).await?;
            let filter = CaseFilter {
                status,
                assignee,
                overdue_at: overdue.then(|| settings.now()),
                all,
            };
            if json {
                let mut w = JsonArrayWriter::new(std::io::stdout().lock())?;
                queue::for_each_case(&db, settings, &inc, &filter, |row| w.push(&row)).await?;
                return w.finish();
            }
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            let n = queue::for_each_case(&db, settings, &inc, &filter, |r| {
                lock.write_all(super::followup_text::list_line(&r, &when).as_bytes())
                    .map_err(|e| Error::failure(format!("cannot write: {e}")))
            })
            .await?;
            drop(lock);
            out.say(format!("{n} case(s)."));
            Ok(())
        }
        FollowupCommand::Show {
            reference,
            subject,
            json,
        } => {
            let inc = incident::find(&db, &reference).await?;
            let story = show::show(&db, settings, &inc, &subject).await?;
            if json {
                return out.json(&story);
            }
            out.raw(&super::followup_text::story(&story, zone));
            Ok(())
        }
        FollowupCommand::Log {
            reference,
            subject,
            kind,
            text,
            assist,
            request,
            due,
            json,
        } => {
            let inc = incident::find(&db, &reference).await?;
            let next_due = due.map(|d| clock::parse_time(&d, zone)).transpose()?;
            let entry = LogEntry {
                kind,
                text,
                assist,
                request,
                next_due,
            };
            let l = events::log(&db, settings, &inc, &subject, entry).await?;
            if json {
                return out.json(&l);
            }
            let moved = if l.from == l.status {
                format!("still {}", l.status)
            } else {
                format!("{} -> {}", l.from, l.status)
            };
            out.say(format!(
                "Logged event {} on subject {}'s case ({moved}); next action due {}.",
                l.event_id,
                l.subject_id,
                when(l.next_action_due)
            ));
            if let Some(r) = &l.request {
                out.say(format!(
                    "Request {} ({}) is due {}.",
                    r.id,
                    r.right.as_str(),
                    clock::human(r.due_at, zone)
                ));
            }
            Ok(())
        }
        FollowupCommand::Status {
            reference,
            subject,
            status,
            text,
            json,
        } => {
            let inc = incident::find(&db, &reference).await?;
            let t = cases::set_status(&db, settings, &inc, &subject, status, text).await?;
            if json {
                return out.json(&t);
            }
            out.say(format!("Subject {}: {} -> {}.", t.subject_id, t.from, t.to));
            Ok(())
        }
        FollowupCommand::Assign {
            reference,
            to,
            status,
            subjects,
            limit,
        } => {
            let inc = incident::find(&db, &reference).await?;
            let n = queue::assign(
                &db,
                settings,
                &inc,
                &Assignment {
                    to: to.clone(),
                    status,
                    subjects,
                    limit,
                },
            )
            .await?;
            out.say(format!("Assigned {n} case(s) of {} to {to}.", inc.reference));
            Ok(())
        }
        FollowupCommand::Next {
            reference,
            assignee,
            json,
        } => {
            let inc = incident::find(&db, &reference).await?;
            let next = queue::next(&db, settings, &inc, &assignee).await?;
            if json {
                return out.json(&next);
            }
            match next {
                Some(r) => out.raw(&super::followup_text::list_line(&r, &when)),
                None => out.say(format!(
                    "No open case of {} is assigned to {assignee}.",
                    inc.reference
                )),
            }
            Ok(())
        }
        FollowupCommand::Ingest {
            reference,
            maildir,
            mbox,
            json,
        } => {
            let inc = incident::find(&db, &reference).await?;
            let source = match (maildir, mbox) {
                (Some(d), _) => MailSource::Maildir(d),
                (None, Some(f)) => MailSource::Mbox(f),
                (None, None) => return Err(Error::bad_input("give --maildir DIR or --mbox FILE")),
            };
            crate::followup::sync_quietly(&db, settings, &inc).await?;
            let r = ingest::ingest(&db, settings, &inc, &source).await?;
            if json {
                return out.json(&r);
            }
            out.say(format!(
                "{} message(s): {} repl(ies) recorded ({} matched by sender), {} case(s) now responded, \
                 {} automatic repl(ies) noted, {} already recorded, {} bounce(s) left to the sender's bounce processing, \
                 {} unreadable, {} unmatched.",
                r.messages, r.replies, r.matched_by_sender, r.responded, r.auto_replies, r.already, r.bounces,
                r.unreadable, r.unmatched.len()
            ));
            for u in &r.unmatched {
                out.say(format!(
                    "  unmatched {} {}: from {}, subject {}",
                    u.kind,
                    u.message,
                    or_dash(u.from.as_ref()),
                    or_dash(u.subject.as_ref())
                ));
            }
            Ok(())
        }
        FollowupCommand::Stats { reference, json } => {
            let inc = incident::find(&db, &reference).await?;
            crate::followup::sync_quietly(&db, settings, &inc).await?;
            let s = stats::stats(&db, &inc).await?;
            if json {
                return out.json(&s);
            }
            out.fields(&super::followup_text::stats_fields(&s));
            Ok(())
        }
        FollowupCommand::RequestDone { reference, id, json } => {
            let inc = incident::find(&db, &reference).await?;
            let r = requests::done(&db, settings, &inc, id).await?;
            if json {
                return out.json(&r);
            }
            out.say(format!(
                "Request {} ({}) answered; it was due {}.",
                r.id,
                r.right.as_str(),
                clock::human(r.due_at, zone)
            ));
            Ok(())
        }
        FollowupCommand::Sync { reference, json } => {
            let inc = incident::find(&db, &reference).await?;
            let s = crate::followup::sync_quietly(&db, settings, &inc).await?;
            if json {
                return out.json(&s);
            }
            out.say(format!(
                "{}: {} case(s) now contacted, {} unreachable.",
                inc.reference, s.contacted, s.unreachable
            ));
            Ok(())
        }
    }
}
