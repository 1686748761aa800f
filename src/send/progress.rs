//! Where a run is: its counters, read by the progress display while it goes on, and the
//! clock it records times by.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};

/// What a run has done so far; read by the progress display while the run goes on.
#[derive(Debug, Default)]
pub struct Counters {
    pub sent: AtomicU64,
    pub deferred: AtomicU64,
    pub failed: AtomicU64,
    pub uncertain: AtomicU64,
    /// Letters this worker lost to another (its lease ran out).
    pub lost: AtomicU64,
}

impl Counters {
    pub fn get(&self) -> [u64; 4] {
        [
            self.sent.load(Ordering::Relaxed),
            self.deferred.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed),
            self.uncertain.load(Ordering::Relaxed),
        ]
    }
}

/// "Now" that moves on from a possibly injected start (`BREACHDESK_NOW`).
#[derive(Clone, Copy)]
pub struct Clock {
    base: DateTime<Utc>,
    at: tokio::time::Instant,
}

impl Clock {
    pub fn new(base: DateTime<Utc>) -> Clock {
        Clock {
            base,
            at: tokio::time::Instant::now(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        // Microseconds, as PostgreSQL keeps them.
        let elapsed = chrono::Duration::microseconds(self.at.elapsed().as_micros() as i64);
        self.base + elapsed
    }
}
