//! The one writer of a sending run. Tasks hand it their steps (an attempt finished, a letter
//! about to start, a claim, a lease renewal); it writes whatever has gathered in one
//! transaction and answers each. A task sends a letter only after its start is committed,
//! and reports the end of an attempt in the same transaction as the start of its next one:
//! so each connection has at most one letter `sending` at any moment, and a killed run
//! leaves at most `concurrency` letters whose fate is uncertain.

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbBackend, TransactionTrait};
use tokio::sync::{mpsc, oneshot};

use crate::db::letter_pack::Dictionaries;
use crate::db::send::{self as sql, Finish, KindFilter, Outgoing};
use crate::db::send_steps;

/// Most steps written in one transaction.
const GROUP: usize = 256;

/// How many times the writer yields to the tasks, finding nothing new, before it writes.
const GATHER: usize = 16;

enum Op {
    Step {
        finish: Option<Finish>,
        start: Option<(i64, DateTime<Utc>)>,
        ack: oneshot::Sender<Result<bool, String>>,
    },
    Claim {
        kinds: KindFilter,
        after: i64,
        limit: u64,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
        ack: oneshot::Sender<Result<Vec<Outgoing>, String>>,
    },
    Renew {
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
        ack: oneshot::Sender<Result<bool, String>>,
    },
}

/// A handle tasks use to reach the writer.
#[derive(Clone)]
pub struct Ledger {
    tx: mpsc::Sender<Op>,
    /// Which letters the run sends.
    kinds: KindFilter,
}

impl Ledger {
    /// Starts the writer on `conn` for `worker` in `incident_id`, claiming letters of `kinds`.
    /// `tasks` is how many tasks send: the writer waits a moment for steps of the others
    /// before writing a group, never for more than that many.
    pub fn start(
        conn: DatabaseConnection,
        incident_id: i64,
        kinds: KindFilter,
        worker: String,
        tasks: usize,
    ) -> (Ledger, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(1024);
        let handle = tokio::spawn(write_loop(conn, incident_id, worker, tasks, rx));
        (Ledger { tx, kinds }, handle)
    }

    /// Records `finish` and starts `start`; true when the letter to start is still this
    /// worker's (false when its lease ran out and another worker took it).
    pub async fn step(
        &self,
        finish: Option<Finish>,
        start: Option<(i64, DateTime<Utc>)>,
    ) -> Result<bool, String> {
        let (ack, rx) = oneshot::channel();
        self.send(Op::Step { finish, start, ack }).await?;
        rx.await.map_err(|_| "the outbox writer stopped".to_string())?
    }

    pub async fn claim(
        &self,
        after: i64,
        limit: u64,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Outgoing>, String> {
        let (ack, rx) = oneshot::channel();
        self.send(Op::Claim {
            kinds: self.kinds,
            after,
            limit,
            lease_until,
            now,
            ack,
        })
        .await?;
        rx.await.map_err(|_| "the outbox writer stopped".to_string())?
    }

    pub async fn renew(&self, lease_until: DateTime<Utc>, now: DateTime<Utc>) -> Result<bool, String> {
        let (ack, rx) = oneshot::channel();
        self.send(Op::Renew {
            lease_until,
            now,
            ack,
        })
        .await?;
        rx.await.map_err(|_| "the outbox writer stopped".to_string())?
    }

    async fn send(&self, op: Op) -> Result<(), String> {
        self.tx
            .send(op)
            .await
            .map_err(|_| "the outbox writer stopped".to_string())
    }
}

enum Answer {
    Step(oneshot::Sender<Result<bool, String>>, bool),
    Claim(oneshot::Sender<Result<Vec<Outgoing>, String>>, Vec<Outgoing>),
}

async fn write_loop(
    conn: DatabaseConnection,
    incident_id: i64,
    worker: String,
    tasks: usize,
    mut rx: mpsc::Receiver<Op>,
) {
    let mut batch = Vec::with_capacity(GROUP);
    let mut dicts = Dictionaries::default();
    let sqlite = conn.get_database_backend() == DbBackend::Sqlite;
    while let Some(first) = rx.recv().await {
        batch.push(first);
        // Let the other tasks reach their next step before writing: one transaction then
        // carries many letters, and the pages they share are written once.
        let mut idle = 0;
        while batch.len() < GROUP {
            match rx.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) if batch.len() < tasks && idle < GATHER => {
                    idle += 1;
                    tokio::task::yield_now().await;
                }
                Err(_) => break,
            }
        }
        let result = if sqlite && batch.iter().all(|op| matches!(op, Op::Step { .. })) {
            write_steps_sqlite(&conn, &worker, &mut batch).await
        } else {
            write_group(&conn, incident_id, &worker, &mut batch, &mut dicts).await
        };
        match result {
            Ok(answers) => {
                for a in answers {
                    match a {
                        Answer::Step(ack, ok) => drop(ack.send(Ok(ok))),
                        Answer::Claim(ack, rows) => drop(ack.send(Ok(rows))),
                    }
                }
            }
            Err((e, acks)) => {
                for a in acks {
                    match a {
                        Answer::Step(ack, _) => drop(ack.send(Err(e.clone()))),
                        Answer::Claim(ack, _) => drop(ack.send(Err(e.clone()))),
                    }
                }
            }
        }
    }
}

type GroupError = (String, Vec<Answer>);

/// Where a step's answer goes: true when the letter it starts is still this worker's.
type StepAck = oneshot::Sender<Result<bool, String>>;

/// The steps gathered since the last claim or renewal: written as one statement for all the
/// finished attempts and one for all the starts.
#[derive(Default)]
struct Steps {
    finishes: Vec<Finish>,
    starts: Vec<i64>,
    lease_until: Option<DateTime<Utc>>,
    /// Each step's answer, with the letter it starts.
    acks: Vec<(StepAck, Option<i64>)>,
}

impl Steps {
    fn add(
        &mut self,
        finish: Option<Finish>,
        start: Option<(i64, DateTime<Utc>)>,
        ack: oneshot::Sender<Result<bool, String>>,
    ) {
        self.finishes.extend(finish);
        if let Some((id, until)) = start {
            self.starts.push(id);
            self.lease_until = Some(self.lease_until.map_or(until, |u| u.max(until)));
        }
        self.acks.push((ack, start.map(|(id, _)| id)));
    }

    /// Writes the gathered steps; their answers go to `answers`.
    async fn write<C: sea_orm::ConnectionTrait>(
        &mut self,
        txn: &C,
        worker: &str,
        answers: &mut Vec<Answer>,
    ) -> Result<(), String> {
        let steps = std::mem::take(self);
        let mut outcome = sql::finish(txn, &steps.finishes, worker)
            .await
            .map_err(|e| e.to_string());
        let mut started = std::collections::HashSet::new();
        if outcome.is_ok()
            && let Some(until) = steps.lease_until
        {
            match sql::start(txn, &steps.starts, worker, until).await {
                Ok(ids) => started = ids,
                Err(e) => outcome = Err(e.to_string()),
            }
        }
        for (ack, start) in steps.acks {
            answers.push(Answer::Step(ack, start.is_none_or(|id| started.contains(&id))));
        }
        outcome
    }
}

async fn write_group(
    conn: &DatabaseConnection,
    incident_id: i64,
    worker: &str,
    batch: &mut Vec<Op>,
    dicts: &mut Dictionaries,
) -> Result<Vec<Answer>, GroupError> {
    let mut answers = Vec::with_capacity(batch.len());
    let mut failure = None;
    let txn = match conn.begin().await {
        Ok(t) => Some(t),
        Err(e) => {
            failure = Some(format!(
                "cannot start a transaction: {}",
                crate::error::describe_db_error(&e)
            ));
            None
        }
    };
    let mut steps = Steps::default();
    for op in batch.drain(..) {
        let Some(txn) = txn.as_ref().filter(|_| failure.is_none()) else {
            answers.push(placeholder(op));
            continue;
        };
        if let Op::Step { finish, start, ack } = op {
            steps.add(finish, start, ack);
            continue;
        }
        // A claim or a renewal sees the steps before it.
        if let Err(e) = steps.write(txn, worker, &mut answers).await {
            failure = Some(e);
            answers.push(placeholder(op));
            continue;
        }
        match op {
            Op::Step { .. } => unreachable!("steps are gathered above"),
            Op::Claim {
                kinds,
                after,
                limit,
                lease_until,
                now,
                ack,
            } => match sql::claim(
                txn,
                (incident_id, kinds),
                worker,
                lease_until,
                now,
                after,
                limit,
                dicts,
            )
            .await
            {
                Ok(rows) => answers.push(Answer::Claim(ack, rows)),
                Err(e) => {
                    failure = Some(e.to_string());
                    answers.push(Answer::Claim(ack, Vec::new()));
                }
            },
            Op::Renew {
                lease_until,
                now,
                ack,
            } => {
                if let Err(e) = sql::renew(txn, worker, lease_until, now).await {
                    failure = Some(e.to_string());
                }
                answers.push(Answer::Step(ack, true));
            }
        }
    }
    match txn.as_ref().filter(|_| failure.is_none()) {
        Some(txn) => {
            if let Err(e) = steps.write(txn, worker, &mut answers).await {
                failure = Some(e);
            }
        }
        None => {
            for (ack, _) in std::mem::take(&mut steps.acks) {
                answers.push(Answer::Step(ack, false));
            }
        }
    }
    if let Some(e) = failure {
        if let Some(txn) = txn {
            let _ = txn.rollback().await;
        }
        return Err((e, answers));
    }
    let txn = txn.expect("a transaction when nothing failed");
    if let Err(e) = txn.commit().await {
        return Err((
            format!("cannot commit: {}", crate::error::describe_db_error(&e)),
            answers,
        ));
    }
    Ok(answers)
}

/// A group of steps alone, on SQLite: one trip to the database (see `send_steps`).
async fn write_steps_sqlite(
    conn: &DatabaseConnection,
    worker: &str,
    batch: &mut Vec<Op>,
) -> Result<Vec<Answer>, GroupError> {
    let mut steps = Steps::default();
    for op in batch.drain(..) {
        if let Op::Step { finish, start, ack } = op {
            steps.add(finish, start, ack);
        }
    }
    let written =
        send_steps::write_sqlite(conn, &steps.finishes, &steps.starts, worker, steps.lease_until).await;
    let started = written.as_ref().ok();
    let answers = steps
        .acks
        .into_iter()
        .map(|(ack, start)| {
            let ok = started.is_some_and(|s| start.is_none_or(|id| s.contains(&id)));
            Answer::Step(ack, ok)
        })
        .collect();
    match written {
        Ok(_) => Ok(answers),
        Err(e) => Err((e.to_string(), answers)),
    }
}

fn placeholder(op: Op) -> Answer {
    match op {
        Op::Step { ack, .. } | Op::Renew { ack, .. } => Answer::Step(ack, false),
        Op::Claim { ack, .. } => Answer::Claim(ack, Vec::new()),
    }
}
