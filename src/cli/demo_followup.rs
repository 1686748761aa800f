//! The demo's follow-up step: a few people get in touch about the sample incident — a reply by
//! email (read from a Maildir the demo writes), calls with a request and with help given —
//! and the numbers for the report.

use std::path::Path;

use super::output::Out;
use crate::clock;
use crate::config::Settings;
use crate::db::Db;
use crate::db::followup_queries::{self as queries, CaseFilter};
use crate::error::{Error, Result};
use crate::followup::events::{self, LogEntry};
use crate::followup::ingest::{self, MailSource};
use crate::followup::{Assist, EventKind, Right, cases, stats};
use crate::incident;

/// Logs the sample contacts on `reference` and prints what they did.
pub async fn run(db: &Db, settings: &Settings, reference: &str, out: Out) -> Result<()> {
    let inc = incident::find(db, reference).await?;
    let people = queries::page(&db.conn, inc.id, &CaseFilter::default(), 0, 3).await?;
    let [first, second, third] = &people[..] else {
        return Ok(());
    };
    // The first person answers their letter by email.
    let letters = crate::db::outbox::letters_of(&db.conn, inc.id, first.subject_id, "initial", 0).await?;
    if let Some(letter) = letters.first() {
        let dir = Path::new("breachdesk-demo").join("replies");
        for sub in ["new", "cur", "tmp"] {
            crate::private_file::create_dir(&dir.join(sub))
                .map_err(|e| Error::failure(format!("cannot create {}: {e}", dir.display())))?;
        }
        let reply = format!(
            "Message-ID: <demo-reply-{}-{}@example.net>\r\nFrom: {}\r\nTo: dpo@example.org\r\n\
             Subject: Re: your letter\r\nIn-Reply-To: {id}\r\nReferences: {id}\r\n\r\n\
             Which of my documents were on that server? I would like a copy of what you hold about me.\r\n",
            inc.reference.to_lowercase(),
            first.subject_id,
            first.email.as_deref().unwrap_or("someone@example.net"),
            id = letter.message_id
        );
        let file = dir
            .join("new")
            .join(format!("{}-{}.eml", inc.reference, first.subject_id));
        crate::private_file::write(&file, reply.as_bytes())
            .map_err(|e| Error::failure(format!("cannot write {}: {e}", file.display())))?;
        let r = ingest::ingest(db, settings, &inc, &MailSource::Maildir(dir.clone())).await?;
        out.say(format!(
            "Read {} reply from {}: {} case(s) now responded.",
            r.replies,
            dir.display(),
            r.responded
        ));
        let logged = log(
            db,
            settings,
            &inc,
            first.subject_id,
            EventKind::EmailOut,
            "Sent the list of documents; access request noted.",
            None,
            Some(Right::Access),
        )
        .await?;
        if let Some(req) = logged.request {
            out.say(format!(
                "  subject {}: access request, answer due {} (one month, Art. 12(3)).",
                first.subject_id,
                clock::human(req.due_at, settings.zone)
            ));
        }
    }
    log(
        db,
        settings,
        &inc,
        second.subject_id,
        EventKind::Call,
        "Called the hotline; worried about phishing. Password reset together.",
        Some(Assist::PasswordReset),
        None,
    )
    .await?;
    out.say(format!(
        "  subject {}: called, password reset: assisting.",
        second.subject_id
    ));
    log(
        db,
        settings,
        &inc,
        third.subject_id,
        EventKind::Call,
        "Called to check the letter was genuine (verification code read out).",
        None,
        None,
    )
    .await?;
    cases::set_status(
        db,
        settings,
        &inc,
        &third.subject_id.to_string(),
        crate::followup::CaseStatus::Closed,
        Some("Nothing more to do.".into()),
    )
    .await?;
    out.say(format!(
        "  subject {}: called to verify the letter, closed.",
        third.subject_id
    ));
    let s = stats::stats(db, &inc).await?;
    out.say(format!(
        "{} cases: {} responded, {} assisted, {} closed; {} reached by a sent letter (sending is not part of the demo).",
        s.cases, s.responded.count, s.assisted.count, s.closed.count, s.first_letter.people
    ));
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn log(
    db: &Db,
    settings: &Settings,
    inc: &incident::Incident,
    subject_id: i64,
    kind: EventKind,
    text: &str,
    assist: Option<Assist>,
    request: Option<Right>,
) -> Result<events::Logged> {
    let entry = LogEntry {
        kind,
        text: Some(text.into()),
        assist,
        request,
        next_due: None,
    };
    events::log(db, settings, inc, &subject_id.to_string(), entry).await
}
