//! Turning input rows into chunks of checked rows: the part of an import that needs no
//! database, so that it can run on its own thread while the previous chunk is written.

use std::collections::HashMap;

use super::mapping::Mapping;
use super::row::{InventoryRow, parse_row};

/// Rows per chunk (one transaction each): large enough for fast bulk writes, small enough to
/// keep memory flat. With one chunk being built, one waiting and one being written, the
/// pipeline is full after 15,000 rows, so a file of any larger size needs no more memory.
pub const CHUNK_ROWS: usize = 5_000;

/// A row that was not imported, with the fields it had (for the rejects file).
#[derive(Debug, Clone)]
pub struct RejectedRow {
    pub line: u64,
    pub reason: String,
    pub values: Vec<String>,
}

/// Checked rows, free of duplicate record ids among themselves, and the rows refused.
#[derive(Debug, Default)]
pub struct Chunk {
    pub rows: Vec<InventoryRow>,
    pub rejects: Vec<RejectedRow>,
    /// Rows imported without a bad value: line and what was left out.
    pub flags: Vec<(u64, String)>,
    /// Input rows this chunk accounts for.
    pub read: u64,
}

/// Builds chunks from rows, one at a time.
pub struct ChunkBuilder {
    mapping: Mapping,
    system_key: String,
    current: Chunk,
    ids: HashMap<String, u64>,
}

impl ChunkBuilder {
    pub fn new(mapping: Mapping, system_key: &str) -> Self {
        ChunkBuilder {
            mapping,
            system_key: system_key.to_string(),
            current: Chunk {
                rows: Vec::with_capacity(CHUNK_ROWS),
                ..Chunk::default()
            },
            ids: HashMap::with_capacity(CHUNK_ROWS),
        }
    }

    /// Takes one input row; returns a full chunk when there is one.
    pub fn push(&mut self, line: u64, values: &[&str]) -> Option<Chunk> {
        self.current.read += 1;
        match parse_row(line, values, &self.mapping, &self.system_key) {
            Ok((row, flag)) => {
                if let Some(first) = self.ids.get(&row.external_id) {
                    let reason = format!("duplicate record id (first on line {first})");
                    self.reject(line, reason, values);
                } else {
                    self.ids.insert(row.external_id.clone(), line);
                    self.current.rows.push(row);
                    if let Some(flag) = flag {
                        self.current.flags.push((line, flag));
                    }
                }
            }
            Err(reason) => self.reject(line, reason, values),
        }
        (self.current.rows.len() >= CHUNK_ROWS).then(|| self.take())
    }

    /// The last, partial chunk.
    pub fn finish(mut self) -> Chunk {
        self.take()
    }

    fn reject(&mut self, line: u64, reason: String, values: &[&str]) {
        let values = values.iter().map(|v| v.to_string()).collect();
        self.current.rejects.push(RejectedRow { line, reason, values });
    }

    fn take(&mut self) -> Chunk {
        self.ids.clear();
        std::mem::replace(
            &mut self.current,
            Chunk {
                rows: Vec::with_capacity(CHUNK_ROWS),
                ..Chunk::default()
            },
        )
    }
}
