//! What an import did (or, for a dry run, would do): the counts, the first rejected and
//! flagged lines, the mapping, the people to review; and the counting of a dry run.

use std::collections::HashMap;

use serde::Serialize;

use super::chunk::Chunk;
use super::mapping::ColumnUse;
use crate::db::import::NearMatch;

/// Rejected (and flagged) lines kept for the report; all rejects go to the rejects file.
const REPORTED_REJECTS: usize = 20;

/// A row that was not imported.
#[derive(Debug, Clone, Serialize)]
pub struct Reject {
    pub line: u64,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// The import batch; 0 for a dry run.
    pub batch: i64,
    /// Nothing was written: the counts say what an import would do.
    pub dry_run: bool,
    pub system: String,
    pub source: String,
    pub read: u64,
    /// Rows that passed the checks (inserted, updated or unchanged; for a dry run, to be).
    pub accepted: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    /// `--strict` found bad rows, so nothing was imported.
    pub refused: bool,
    /// The first rejected lines (all of them are in the rejects file, when one was asked for).
    pub rejects: Vec<Reject>,
    /// Rows imported without a value that failed its check (an invalid email address).
    pub flagged: u64,
    /// The first flagged lines and what was left out.
    pub flags: Vec<Reject>,
    /// What became of each column of the file.
    pub columns: Vec<ColumnUse>,
    /// How many groups of people may be the same person and were not merged.
    pub near_matches: u64,
    /// The first of those groups, for review.
    pub review: Vec<NearMatch>,
}

/// The counts of a dry run, with the record ids seen so far (the database finds the
/// duplicates across chunks of a real import).
pub(super) struct DryRun {
    pub report: ImportReport,
    ids: HashMap<String, u64>,
}

impl DryRun {
    pub fn new(system: &str, source: &str) -> DryRun {
        let mut report = ImportReport::new(0, system, source);
        report.dry_run = true;
        DryRun {
            report,
            ids: HashMap::new(),
        }
    }

    /// Counts a chunk's rows as an import would write them.
    pub fn take(&mut self, chunk: Chunk) {
        let r = &mut self.report;
        r.read += chunk.read;
        for reject in chunk.rejects {
            r.note_reject(reject.line, reject.reason);
        }
        for (line, reason) in chunk.flags {
            r.note_flag(line, reason);
        }
        for row in chunk.rows {
            match self.ids.get(&row.external_id) {
                Some(first) => {
                    let reason = format!("duplicate record id (first on line {first})");
                    r.note_reject(row.line, reason);
                }
                None => {
                    self.ids.insert(row.external_id, row.line);
                    r.accepted += 1;
                }
            }
        }
    }
}

impl ImportReport {
    pub(super) fn new(batch: i64, system: &str, source: &str) -> ImportReport {
        ImportReport {
            batch,
            dry_run: false,
            system: system.to_string(),
            source: source.to_string(),
            read: 0,
            accepted: 0,
            inserted: 0,
            updated: 0,
            unchanged: 0,
            rejected: 0,
            refused: false,
            rejects: Vec::new(),
            flagged: 0,
            flags: Vec::new(),
            columns: Vec::new(),
            near_matches: 0,
            review: Vec::new(),
        }
    }

    pub(super) fn note_reject(&mut self, line: u64, reason: String) {
        self.rejected += 1;
        if self.rejects.len() < REPORTED_REJECTS {
            self.rejects.push(Reject { line, reason });
        }
    }

    pub(super) fn note_flag(&mut self, line: u64, reason: String) {
        self.flagged += 1;
        if self.flags.len() < REPORTED_REJECTS {
            self.flags.push(Reject { line, reason });
        }
    }
}
