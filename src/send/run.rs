//! A sending run: a fixed number of tasks, each owning one connection, take claimed letters
//! from a shared queue, wait for the rate limits, have the letter's start committed, hand it
//! over, and report the result with the start of their next letter (see `ledger`).

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use tokio::sync::{Mutex, watch};

use super::file::write_file;
use super::ledger::Ledger;
use super::message::{Built, Letterhead};
use super::mime::Transfer;
pub use super::progress::{Clock, Counters};
use super::rate::{RateLimiter, domain_of};
use super::settings::SendPlan;
use super::smtp::{Connection, Connector, Delivery};
use crate::db::entities::notification::NotificationStatus;
use crate::db::send::{Finish, Outgoing};

/// Where letters are handed over.
pub enum Transport {
    Smtp(Connector),
    /// `.eml` files in this directory.
    File(PathBuf),
}

impl Transport {
    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp(c) => c.describe(),
            Transport::File(dir) => format!("files in {}", dir.display()),
        }
    }
}

/// Everything the tasks share.
pub struct Run {
    pub ledger: Ledger,
    pub transport: Transport,
    pub head: Letterhead,
    pub plan: SendPlan,
    pub limiter: RateLimiter,
    pub counters: Arc<Counters>,
    pub clock: Clock,
    pub limit: Option<u64>,
    pub stop: watch::Receiver<bool>,
    /// Asks the caller whether deferred letters come due soon; see [`Run::refill`].
    pub next_due:
        Box<dyn Fn() -> futures_util::future::BoxFuture<'static, Option<DateTime<Utc>>> + Send + Sync>,
    /// On PostgreSQL, where other workers may die mid-run: reclaims their expired leases.
    pub shared: Option<(sea_orm::DatabaseConnection, i64, String)>,
    queue: Mutex<Queue>,
    /// The last reason a connection could not be opened, when every task gave up on it.
    connect_error: std::sync::Mutex<Option<String>>,
    ledger_error: std::sync::Mutex<Option<String>>,
    failing: AtomicBool,
    /// When this run saw the stop (Ctrl-C): letters still unanswered `plan.timeout` later are
    /// left uncertain, so that a run ends within the timeout of being stopped.
    stopped_at: std::sync::OnceLock<tokio::time::Instant>,
}

#[derive(Default)]
struct Queue {
    rows: VecDeque<Outgoing>,
    claimed: u64,
    /// The highest pending id claimed: the next claim scans on from there.
    after: i64,
    /// Letters claimed and not yet started: a second claim must not queue them twice (on
    /// SQLite claims read without leasing).
    held: std::collections::HashSet<i64>,
    /// Whether the last pass started from the beginning (letters below `after` that another
    /// worker gave back are only seen by such a pass).
    from_start: bool,
    done: bool,
}

/// How a run ended, beyond the counters.
pub struct Ending {
    pub connect_error: Option<String>,
    pub ledger_error: Option<String>,
}

impl Run {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        ledger: Ledger,
        transport: Transport,
        head: Letterhead,
        plan: SendPlan,
        counters: Arc<Counters>,
        clock: Clock,
        limit: Option<u64>,
        stop: watch::Receiver<bool>,
        next_due: Box<
            dyn Fn() -> futures_util::future::BoxFuture<'static, Option<DateTime<Utc>>> + Send + Sync,
        >,
    ) -> Run {
        let limiter = RateLimiter::new(plan.rate, &plan.domain_rates, plan.default_domain_rate);
        Run {
            ledger,
            transport,
            head,
            plan,
            limiter,
            counters,
            clock,
            limit,
            stop,
            next_due,
            shared: None,
            queue: Mutex::new(Queue::default()),
            connect_error: std::sync::Mutex::new(None),
            ledger_error: std::sync::Mutex::new(None),
            failing: AtomicBool::new(false),
            stopped_at: std::sync::OnceLock::new(),
        }
    }

    /// Runs the tasks to the end: nothing left that is due (or due within a few seconds),
    /// the limit reached, a stop asked for, or the relay unreachable.
    pub async fn drive(self: Arc<Self>) -> Ending {
        let mut tasks = Vec::new();
        for _ in 0..self.plan.concurrency {
            let run = Arc::clone(&self);
            tasks.push(tokio::spawn(async move { run.task().await }));
        }
        let renewer = {
            let run = Arc::clone(&self);
            tokio::spawn(async move {
                let every = run.plan.lease / 3;
                loop {
                    tokio::time::sleep(every).await;
                    let now = run.clock.now();
                    if let Err(e) = run.ledger.renew(run.lease_until(now), now).await {
                        run.ledger_failed(e);
                    }
                    // Letters a dead worker left in flight become uncertain while we run.
                    if let Some((conn, incident_id, worker)) = &run.shared
                        && let Ok(ids) =
                            crate::db::send::reclaim(conn, *incident_id, false, worker, now).await
                        && !ids.is_empty()
                    {
                        tracing::warn!(
                            "{} letter(s) of a sender that stopped are now uncertain",
                            ids.len()
                        );
                    }
                }
            })
        };
        for t in tasks {
            let _ = t.await;
        }
        renewer.abort();
        Ending {
            connect_error: self.connect_error.lock().map(|e| e.clone()).unwrap_or_default(),
            ledger_error: self.ledger_error.lock().map(|e| e.clone()).unwrap_or_default(),
        }
    }

    fn lease_until(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + chrono::Duration::from_std(self.plan.lease).unwrap_or_else(|_| chrono::Duration::seconds(60))
    }

    fn stopping(&self) -> bool {
        *self.stop.borrow() || self.failing.load(Ordering::Relaxed)
    }

    /// Returns `plan.timeout` after the stop was asked for; never without a stop.
    async fn hard_stop(&self) {
        let mut stop = self.stop.clone();
        if stop.wait_for(|s| *s).await.is_err() {
            return std::future::pending().await;
        }
        let at = *self.stopped_at.get_or_init(tokio::time::Instant::now);
        tokio::time::sleep_until(at + self.plan.timeout).await;
    }

    fn ledger_failed(&self, e: String) {
        tracing::error!("outbox writer: {e}");
        if let Ok(mut slot) = self.ledger_error.lock() {
            slot.get_or_insert(e);
        }
        self.failing.store(true, Ordering::Relaxed);
    }

    /// The next claimed letter, claiming more when the queue is empty.
    async fn next(&self, pending: &mut Option<Finish>) -> Option<Outgoing> {
        let mut q = self.queue.lock().await;
        loop {
            if self.stopping() {
                return None;
            }
            if let Some(row) = q.rows.pop_front() {
                return Some(row);
            }
            if q.done {
                return None;
            }
            // Record what this task finished before it may wait.
            if pending.is_some()
                && let Err(e) = self.ledger.step(pending.take(), None).await
            {
                self.ledger_failed(e);
                return None;
            }
            // Small enough that several workers share an outbox, large enough to be cheap.
            let batch = (self.plan.concurrency as u64 * 8).clamp(16, 500);
            let want = match self.limit {
                Some(limit) => batch.min(limit.saturating_sub(q.claimed)),
                None => batch,
            };
            if want == 0 {
                q.done = true;
                return None;
            }
            let now = self.clock.now();
            match self.ledger.claim(q.after, want, self.lease_until(now), now).await {
                Ok(rows) if rows.iter().any(|r| !q.held.contains(&r.id)) => {
                    q.after = q.after.max(rows.iter().map(|r| r.id).max().unwrap_or(0));
                    q.from_start = false;
                    for row in rows {
                        if q.held.insert(row.id) {
                            q.claimed += 1;
                            q.rows.push_back(row);
                        }
                    }
                }
                Ok(_) if !q.from_start => {
                    // One more pass from the start before calling it done.
                    q.after = 0;
                    q.from_start = true;
                }
                Ok(_) => {
                    // Nothing due now: wait for deferred letters that come due soon.
                    match (self.next_due)().await {
                        Some(at) if at - now <= chrono::Duration::seconds(10) => {
                            let wait = (at - now).to_std().unwrap_or_default() + Duration::from_millis(5);
                            drop(q);
                            tokio::time::sleep(wait).await;
                            q = self.queue.lock().await;
                        }
                        _ => {
                            q.done = true;
                            return None;
                        }
                    }
                }
                Err(e) => {
                    self.ledger_failed(e);
                    return None;
                }
            }
        }
    }

    async fn task(&self) {
        let mut conn: Option<Connection> = None;
        let mut pending: Option<Finish> = None;
        let mut connect_failures = 0u32;
        loop {
            if self.stopping() {
                break;
            }
            if let Transport::Smtp(connector) = &self.transport
                && conn.as_ref().is_none_or(|c| !c.is_open())
            {
                let connected = tokio::select! {
                    c = connector.connect() => c,
                    () = self.hard_stop() => Err("stopped while connecting".to_string()),
                };
                match connected {
                    Ok(c) => {
                        conn = Some(c);
                        connect_failures = 0;
                    }
                    Err(why) => {
                        connect_failures += 1;
                        tracing::debug!("cannot connect to the mail server: {why}");
                        if connect_failures >= 3 {
                            if let Ok(mut slot) = self.connect_error.lock() {
                                *slot = Some(why);
                            }
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(500 * u64::from(connect_failures))).await;
                        continue;
                    }
                }
            }
            let Some(row) = self.next(&mut pending).await else {
                break;
            };
            self.limiter.acquire(&domain_of(&row.recipient)).await;
            // Files take 8-bit text as it is.
            let transfer = conn.as_ref().map_or(Transfer::EightBit, |c| c.transfer());
            let built = self
                .head
                .build(&row, SystemTime::from(self.clock.now()), transfer);
            let started_at = self.clock.now();
            let lease_until = self.lease_until(started_at);
            let step = self.ledger.step(pending.take(), Some((row.id, lease_until)));
            // The envelope (MAIL, RCPT, DATA) goes to the server while the start is committed:
            // nothing is delivered before the message's final dot, written only once the
            // letter is `sending` in the database.
            let (started, opened) = match (conn.as_mut(), &built) {
                (Some(c), Ok(built)) => {
                    let open = async {
                        tokio::select! {
                            o = c.open(&built.envelope, built.eight_bit) => o,
                            () = self.hard_stop() => Err(Delivery::NotDelivered("stopped before the message was sent".into())),
                        }
                    };
                    let (started, opened) = tokio::join!(step, open);
                    (started, Some(opened))
                }
                _ => (step.await, None),
            };
            // Started (now `sending` in the database) or lost: no claim returns it as due
            // until its attempt is recorded.
            self.queue.lock().await.held.remove(&row.id);
            if !matches!(started, Ok(true))
                && matches!(opened, Some(Ok(())))
                && let Some(c) = conn.as_mut()
            {
                c.abandon().await;
            }
            match started {
                Ok(true) => {}
                Ok(false) => {
                    self.counters.lost.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                Err(e) => {
                    self.ledger_failed(e);
                    break;
                }
            }
            let delivery = match built {
                Err(why) => Delivery::Refused {
                    permanent: true,
                    reply: why,
                },
                Ok(Built { text, .. }) => match (&self.transport, conn.as_mut(), opened) {
                    (Transport::Smtp(_), Some(c), Some(Ok(()))) => tokio::select! {
                        d = c.data(&text) => d,
                        () = self.hard_stop() => Delivery::Uncertain(
                            "stopped while the message was being sent: the server may have it".into(),
                        ),
                    },
                    (Transport::Smtp(_), Some(_), Some(Err(refused))) => refused,
                    (Transport::Smtp(_), _, _) => Delivery::NotDelivered("no connection".into()),
                    (Transport::File(dir), _, _) => write_file(dir.clone(), row.id, text.into_bytes()).await,
                },
            };
            let finish = self.judge(&row, delivery, started_at);
            let counter = match finish.status {
                NotificationStatus::Sent => &self.counters.sent,
                NotificationStatus::Deferred => &self.counters.deferred,
                NotificationStatus::Uncertain => &self.counters.uncertain,
                _ => &self.counters.failed,
            };
            counter.fetch_add(1, Ordering::Relaxed);
            pending = Some(finish);
        }
        if pending.is_some()
            && let Err(e) = self.ledger.step(pending.take(), None).await
        {
            self.ledger_failed(e);
        }
        if let Some(c) = conn {
            tokio::select! {
                () = c.quit() => {}
                () = self.hard_stop() => {}
            }
        }
    }

    /// The letter's new state after an attempt.
    fn judge(&self, row: &Outgoing, delivery: Delivery, started_at: DateTime<Utc>) -> Finish {
        let attempt = row.attempts + 1;
        let finished_at = self.clock.now();
        let mut f = Finish {
            id: row.id,
            status: NotificationStatus::Sent,
            reply: None,
            error: None,
            next_attempt_at: None,
            attempt,
            started_at,
            finished_at,
        };
        let retry = |f: &mut Finish, reply: Option<String>, why: String| {
            f.reply = reply;
            if attempt as u32 >= self.plan.max_attempts {
                f.status = NotificationStatus::Failed;
                f.error = Some(format!("gave up after {attempt} attempts: {why}"));
            } else {
                f.status = NotificationStatus::Deferred;
                f.error = Some(why);
                let wait = self.plan.backoff(attempt as u32, fastrand::f64());
                f.next_attempt_at = Some(finished_at + chrono::Duration::from_std(wait).unwrap_or_default());
            }
        };
        match delivery {
            Delivery::Accepted(reply) => f.reply = Some(reply),
            Delivery::Refused {
                permanent: true,
                reply,
            } => {
                f.status = NotificationStatus::Failed;
                f.error = Some(reply.clone());
                f.reply = Some(reply);
            }
            Delivery::Refused {
                permanent: false,
                reply,
            } => retry(&mut f, Some(reply.clone()), reply),
            Delivery::NotDelivered(why) => retry(&mut f, None, why),
            Delivery::Uncertain(why) => {
                f.status = NotificationStatus::Uncertain;
                f.error = Some(why);
            }
        }
        f
    }
}
