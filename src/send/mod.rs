//! `breachdesk send`: the incident's email letters handed to the organisation's mail relay
//! (or written as `.eml` files), fast, rate-limited, resumable and never twice. See
//! `run` for the tasks, `ledger` for why a killed run leaves at most `concurrency` letters
//! uncertain, and `db::send` for claiming with leases across several workers.

mod bounded;
mod file;
mod ledger;
mod message;
mod mime;
mod progress;
mod rate;
mod run;
pub mod settings;
mod smtp;
pub mod status;
pub mod target;
mod tls;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use serde_json::json;
use tokio::sync::watch;

use crate::audit;
use crate::config::Settings;
pub use crate::db::send::KindFilter;
use crate::db::{self, Db, Location};
use crate::error::{Error, Result};
use crate::incident::{self, Incident};
pub use run::Counters;
use run::{Clock, Run, Transport};
use settings::SendPlan;

/// The page cache of each of a sending run's connections, in KiB: the run needs the pages of
/// the letters in flight and the ends of the indexes it walks, not the whole outbox.
const SENDER_CACHE_KIB: u32 = 2048;

/// How letters are handed over.
#[derive(Debug, Clone)]
pub enum TransportChoice {
    Smtp {
        allow_plaintext: bool,
    },
    /// `.eml` files; the directory, else `[send] file_dir`, else `sent-mail`.
    File(Option<PathBuf>),
}

/// What `send` is asked to do.
#[derive(Debug, Clone)]
pub struct SendRequest {
    pub reference: String,
    pub transport: TransportChoice,
    pub concurrency: Option<usize>,
    pub rate: Option<f64>,
    pub limit: Option<u64>,
    /// Which letters; `None`: initial letters while any is due, else update letters.
    pub kind: Option<KindFilter>,
}

/// A run ready to go: what it will send, and where.
pub struct Prepared {
    pub incident: Incident,
    pub transport_description: String,
    /// Email letters due now.
    pub due: u64,
    /// Deferred letters not yet due.
    pub later: u64,
    /// Letters whose fate is uncertain: never sent again until settled.
    pub uncertain: u64,
    /// The letters this run sends.
    pub kinds: KindFilter,
    /// Email letters not yet sent that this run leaves for a later one: initial letters (in an
    /// update run) and update letters (in an initial run).
    pub waiting: u64,
    /// Update letters that wait until the person's initial letter is sent.
    pub update_held: u64,
    pub plan: SendPlan,
    transport: Transport,
    head: message::Letterhead,
    limit: Option<u64>,
}

impl Prepared {
    /// How many letters this run would send, given `--limit`.
    pub fn to_send(&self) -> u64 {
        self.limit.map_or(self.due, |l| l.min(self.due))
    }
}

/// Checks the settings and counts what is due, sending nothing.
pub async fn prepare(db: &Db, settings: &Settings, req: &SendRequest) -> Result<Prepared> {
    let inc = incident::find(db, &req.reference).await?;
    let plan = SendPlan::resolve(settings, req.concurrency, req.rate)?;
    let head = message::Letterhead::from_settings(settings, &inc)?;
    let transport = match &req.transport {
        TransportChoice::Smtp { allow_plaintext } => {
            let target = target::SmtpTarget::from_settings(settings, *allow_plaintext)?;
            let ca = match &settings.send.ca_file {
                Some(path) => Some(
                    std::fs::read(path)
                        .map_err(|e| Error::bad_input(format!("[send] ca_file {}: {e}", path.display())))?,
                ),
                None => None,
            };
            let helo = settings
                .send
                .helo_name
                .clone()
                .unwrap_or_else(|| head.sender_domain());
            Transport::Smtp(smtp::Connector::new(target, helo, ca, plan.timeout)?)
        }
        TransportChoice::File(dir) => {
            let base = dir
                .clone()
                .or_else(|| settings.send.file_dir.clone())
                .unwrap_or_else(|| PathBuf::from("sent-mail"));
            Transport::File(base.join(&inc.reference))
        }
    };
    // Counting reads the whole outbox: through a small page cache, like the run itself.
    let conn = db.bounded(SENDER_CACHE_KIB).await?.conn;
    let first = req.kind.unwrap_or(KindFilter::Initial);
    let mut counts = db::send_status::due(&conn, inc.id, settings.now(), first).await?;
    // By default a run sends one kind: the initial letters while any is left to send, so that
    // nobody gets an update in the same run as (or before) the letter it updates.
    let kinds = match req.kind {
        Some(k) => k,
        None if counts.due + counts.later > 0 => KindFilter::Initial,
        None => {
            counts = db::send_status::due(&conn, inc.id, settings.now(), KindFilter::Update).await?;
            KindFilter::Update
        }
    };
    let waiting = match kinds {
        KindFilter::Initial => counts.update_open,
        KindFilter::Update => counts.initial_open,
        KindFilter::All => 0,
    };
    Ok(Prepared {
        transport_description: transport.describe(),
        incident: inc,
        due: counts.due,
        later: counts.later,
        uncertain: counts.uncertain,
        kinds,
        waiting,
        update_held: if kinds == KindFilter::Initial {
            0
        } else {
            counts.update_held
        },
        plan,
        transport,
        head,
        limit: req.limit,
    })
}

/// What a run did.
#[derive(Debug, Clone, Serialize)]
pub struct SendSummary {
    pub incident: String,
    /// The letters the run sent: `initial`, `update` or `all`.
    pub kind: KindFilter,
    pub transport: String,
    pub worker: String,
    pub sent: u64,
    pub deferred: u64,
    pub failed: u64,
    pub uncertain: u64,
    /// Letters left in flight by a sender that died, found at the start: now uncertain.
    pub reclaimed: u64,
    /// Stopped by Ctrl-C before the outbox was drained.
    pub interrupted: bool,
    /// The whole run, from the start to the follow-up bookkeeping at the end.
    pub seconds: f64,
    /// Letters sent per second while sending (the connections at work).
    pub per_second: f64,
    /// Email letters still due or deferred after the run.
    pub remaining_due: u64,
    pub deferred_later: u64,
    pub next_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Sends. `counters` are updated as letters go; `stop` turning true finishes the letters in
/// flight and ends the run.
pub async fn execute(
    db: &Db,
    settings: &Settings,
    prepared: Prepared,
    counters: Arc<Counters>,
    stop: watch::Receiver<bool>,
) -> Result<SendSummary> {
    let started = Instant::now();
    let clock = Clock::new(settings.now());
    let inc = prepared.incident;
    // One sender per incident on SQLite: an OS lock the kernel releases when the process dies.
    let _lock = match &db.location {
        Location::Sqlite(path) => Some(sqlite_lock(path, &inc.reference)?),
        Location::Postgres(_) => None,
    };
    let bounded = db.bounded(SENDER_CACHE_KIB).await?;
    let db = &bounded;
    let worker = worker_id();
    let transport_name = match prepared.transport {
        Transport::Smtp(_) => "smtp",
        Transport::File(_) => "file",
    };
    if let Transport::File(dir) = &prepared.transport {
        crate::private_file::create_dir(dir)
            .map_err(|e| Error::failure(format!("cannot create {}: {e}", dir.display())))?;
    }
    let now = clock.now();
    let rec = audit::begin(db, &settings.actor, now).await?;
    db::send::register_worker(
        rec.txn(),
        &db::send::WorkerRow {
            id: worker.clone(),
            incident_id: inc.id,
            host: host_name(),
            pid: i64::from(std::process::id()),
            transport: transport_name.to_string(),
        },
        now,
    )
    .await?;
    let sole = _lock.is_some();
    if sole {
        db::send_status::stop_dead_workers(rec.txn(), inc.id, &worker, now).await?;
    }
    let reclaimed = db::send::reclaim(rec.txn(), inc.id, sole, &worker, now).await?;
    rec.record(
        "send.started",
        &format!("incident:{}", inc.reference),
        Some(&inc.reference),
        json!({
            "worker": worker,
            "transport": prepared.transport_description,
            "concurrency": prepared.plan.concurrency,
            "rate": prepared.plan.rate,
            "limit": prepared.limit,
            "kind": prepared.kinds,
            "reclaimed_uncertain": reclaimed,
        }),
    )
    .await?;
    rec.commit().await?;

    // The writer's own connection (on SQLite): it writes a group of steps as one transaction
    // in one trip.
    let single = db.single(SENDER_CACHE_KIB).await?;
    let (ledger, writer) = ledger::Ledger::start(
        single.conn.clone(),
        inc.id,
        prepared.kinds,
        worker.clone(),
        prepared.plan.concurrency,
    );
    let due_conn = db.conn.clone();
    let incident_id = inc.id;
    let kinds = prepared.kinds;
    let next_due: Box<dyn Fn() -> futures_util::future::BoxFuture<'static, _> + Send + Sync> =
        Box::new(move || {
            let conn = due_conn.clone();
            Box::pin(async move {
                db::send_status::next_due(&conn, incident_id, kinds)
                    .await
                    .ok()
                    .flatten()
            })
        });
    let mut run = Run::new(
        ledger,
        prepared.transport,
        prepared.head,
        prepared.plan,
        Arc::clone(&counters),
        clock,
        prepared.limit,
        stop.clone(),
        next_due,
    );
    if !sole {
        run.shared = Some((db.conn.clone(), inc.id, worker.clone()));
    }
    let run = Arc::new(run);
    let sending = Instant::now();
    let ending = Arc::clone(&run).drive().await;
    let sending_seconds = sending.elapsed().as_secs_f64();
    drop(run);
    let _ = writer.await;

    let now = clock.now();
    let rec = audit::begin(db, &settings.actor, now).await?;
    db::send::release(rec.txn(), &worker, now).await?;
    let [sent, deferred, failed, uncertain] = counters.get();
    rec.record(
        "send.finished",
        &format!("incident:{}", inc.reference),
        Some(&inc.reference),
        json!({
            "worker": worker,
            "sent": sent,
            "deferred": deferred,
            "failed": failed,
            "uncertain": uncertain,
            "interrupted": *stop.borrow(),
            "error": ending.connect_error.as_ref().or(ending.ledger_error.as_ref()),
        }),
    )
    .await?;
    rec.commit().await?;
    // The people reached: their follow-up cases move to contacted.
    crate::followup::cases::sync_deliveries(db, inc.id, &settings.actor, now).await?;

    if let Some(e) = ending.ledger_error {
        return Err(Error::failure(format!(
            "sending stopped: the outbox could not be written ({e}); letters in flight are settled by the next run"
        )));
    }
    if let Some(e) = ending.connect_error
        && sent + deferred + failed + uncertain == 0
    {
        return Err(Error::failure(format!(
            "cannot reach the mail server: {e}; nothing was sent"
        )));
    }
    let after = db::send_status::due(&db.conn, inc.id, now, kinds).await?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(SendSummary {
        incident: inc.reference.clone(),
        kind: kinds,
        transport: transport_name.to_string(),
        worker,
        sent,
        deferred,
        failed,
        uncertain,
        reclaimed: reclaimed.len() as u64,
        interrupted: *stop.borrow(),
        seconds,
        per_second: if sending_seconds > 0.0 {
            sent as f64 / sending_seconds
        } else {
            0.0
        },
        remaining_due: after.due,
        deferred_later: after.later,
        next_attempt_at: after.next_attempt_at,
    })
}

/// Holds `<database>.send-<REF>.lock` locked for the run, or says who holds it.
fn sqlite_lock(db_file: &Path, reference: &str) -> Result<std::fs::File> {
    let mut name = db_file.as_os_str().to_owned();
    name.push(format!(".send-{reference}.lock"));
    let path = PathBuf::from(name);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .and_then(|f| {
            drop(crate::private_file::open(&path, false)?);
            Ok(f)
        })
        .map_err(|e| Error::failure(format!("cannot create the lock file {}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::bad_input(format!(
            "another `breachdesk send {reference}` is running on this database; on SQLite one sender \
             at a time works on an incident (several workers need PostgreSQL)"
        ))),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(Error::failure(format!("cannot lock {}: {e}", path.display())))
        }
    }
}

fn worker_id() -> String {
    format!("{}:{}:{:08x}", host_name(), std::process::id(), fastrand::u32(..))
}

fn host_name() -> String {
    whoami::fallible::hostname().unwrap_or_else(|_| "localhost".to_string())
}
