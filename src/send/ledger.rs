//! The one writer of a sending run. Tasks hand it their steps (an attempt finished, a letter
//! about to start, a claim, a lease renewal); it writes whatever has gathered in one
//! transaction and answers each. A task sends a letter only after its start is committed,
//! and reports the end of an attempt in the same transaction as the start of its next one:
//! so each connection has at most one letter `sending` at any moment, and a killed run
//! leaves at most `concurrency` letters whose fate is uncertain.

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, TransactionTrait};
use tokio::sync::{mpsc, oneshot};

use crate::db::send::{self as sql, Finish, Outgoing};

/// Most steps written in one transaction.
const GROUP: usize = 256;

enum Op {
    Step {
        finish: Option<Finish>,
        start: Option<(i64, DateTime<Utc>)>,
        ack: oneshot::Sender<Result<bool, String>>,
    },
    Claim {
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
}

impl Ledger {
    /// Starts the writer on `conn` for `worker` in `incident_id`.
    pub fn start(
        conn: DatabaseConnection,
        incident_id: i64,
        worker: String,
    ) -> (Ledger, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(1024);
        let handle = tokio::spawn(write_loop(conn, incident_id, worker, rx));
        (Ledger { tx }, handle)
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

async fn write_loop(conn: DatabaseConnection, incident_id: i64, worker: String, mut rx: mpsc::Receiver<Op>) {
    let mut batch = Vec::with_capacity(GROUP);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < GROUP {
            match rx.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        let result = write_group(&conn, incident_id, &worker, &mut batch).await;
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

async fn write_group(
    conn: &DatabaseConnection,
    incident_id: i64,
    worker: &str,
    batch: &mut Vec<Op>,
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
    for op in batch.drain(..) {
        let Some(txn) = txn.as_ref().filter(|_| failure.is_none()) else {
            answers.push(placeholder(op));
            continue;
        };
        match op {
            Op::Step { finish, start, ack } => {
                let mut ok = true;
                if let Some(f) = &finish
                    && let Err(e) = sql::finish(txn, f, worker).await
                {
                    failure = Some(e.to_string());
                }
                if failure.is_none()
                    && let Some((id, lease_until)) = start
                {
                    match sql::start(txn, id, worker, lease_until).await {
                        Ok(started) => ok = started,
                        Err(e) => failure = Some(e.to_string()),
                    }
                }
                answers.push(Answer::Step(ack, ok));
            }
            Op::Claim {
                after,
                limit,
                lease_until,
                now,
                ack,
            } => match sql::claim(txn, incident_id, worker, lease_until, now, after, limit).await {
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

fn placeholder(op: Op) -> Answer {
    match op {
        Op::Step { ack, .. } | Op::Renew { ack, .. } => Answer::Step(ack, false),
        Op::Claim { ack, .. } => Answer::Claim(ack, Vec::new()),
    }
}
