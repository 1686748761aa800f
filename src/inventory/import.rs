//! Importing inventory rows from a file or a SQL source: streamed, checked row by row,
//! written in chunks of one transaction each (or one transaction for all with `--strict`),
//! idempotent (an unchanged row changes nothing), and reported with counts and the lines it
//! rejected. A killed import leaves whole chunks behind; running it again completes it.

use std::path::{Path, PathBuf};

use sea_orm::{ActiveModelTrait, Set};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::chunk::{Chunk, ChunkBuilder};
use super::mapping::Mapping;
use super::reader::CsvFile;
use super::system::{self, System};
use crate::audit;
use crate::config::Settings;
use crate::db::Db;
use crate::db::entities::import_batch::{self, BatchStatus};
use crate::db::import::{self, ImportTxn, write_chunk};
use crate::error::{DbContext, Error, Result};

/// Rejected lines kept for the report; all of them go to the rejects file.
const REPORTED_REJECTS: usize = 20;

/// What `inventory import` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub system: String,
    pub file: PathBuf,
    pub maps: Vec<String>,
    pub delimiter: Option<u8>,
    pub encoding: Option<String>,
    pub strict: bool,
    /// Where to write the rejected rows as CSV.
    pub rejects: Option<PathBuf>,
}

/// A row that was not imported.
#[derive(Debug, Clone, Serialize)]
pub struct Reject {
    pub line: u64,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub batch: i64,
    pub system: String,
    pub source: String,
    pub read: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    /// `--strict` found bad rows, so nothing was imported.
    pub refused: bool,
    /// The first rejected lines (all of them are in the rejects file, when one was asked for).
    pub rejects: Vec<Reject>,
}

/// Imports a CSV file into a system. The file is read and checked on its own thread while
/// the previous chunk is written, with at most one chunk waiting (memory stays flat).
pub async fn import_file(db: &Db, settings: &Settings, opts: &ImportOptions) -> Result<ImportReport> {
    let system = system::find(db, &opts.system).await?;
    let mut file = CsvFile::open(&opts.file, opts.delimiter, opts.encoding.as_deref())?;
    let mapping = Mapping::build(&file.headers, &opts.maps)?;
    let source = opts.file.display().to_string();
    let hash = file_hash(&opts.file)?;
    let mut importer = Importer::start(
        db,
        settings,
        &system,
        &source,
        &hash,
        &file.headers,
        opts.strict,
        opts.rejects.as_deref(),
    )
    .await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Chunk>>(1);
    let mut builder = ChunkBuilder::new(mapping, &system.key);
    let reader = std::thread::spawn(move || {
        loop {
            match file.next_row() {
                Ok(Some(row)) => {
                    if let Some(chunk) = builder.push(row.line, &row.fields)
                        && tx.blocking_send(Ok(chunk)).is_err()
                    {
                        return;
                    }
                }
                Ok(None) => {
                    let _ = tx.blocking_send(Ok(builder.finish()));
                    return;
                }
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            }
        }
    });
    let mut outcome = Ok(());
    while let Some(chunk) = rx.recv().await {
        if let Err(e) = async { importer.write(chunk?).await }.await {
            outcome = Err(e);
            break;
        }
    }
    drop(rx);
    let _ = reader.join();
    outcome?;
    importer.finish().await
}

/// Feeds rows into the database; shared by files and SQL sources.
pub struct Importer<'a> {
    db: &'a Db,
    settings: &'a Settings,
    system: System,
    source: String,
    hash: String,
    batch: import_batch::Model,
    strict: bool,
    txn: Option<ImportTxn>,
    rejects_out: Option<(PathBuf, csv::Writer<std::fs::File>)>,
    report: ImportReport,
}

impl<'a> Importer<'a> {
    #[allow(clippy::too_many_arguments)]
    pub async fn start(
        db: &'a Db,
        settings: &'a Settings,
        system: &System,
        source: &str,
        hash: &str,
        headers: &[String],
        strict: bool,
        rejects: Option<&Path>,
    ) -> Result<Importer<'a>> {
        let rejects_out = match rejects {
            Some(path) => {
                let file = crate::private_file::open(path, false).map_err(|e| {
                    Error::bad_input(format!("cannot write rejects to {}: {e}", path.display()))
                })?;
                let mut w = csv::Writer::from_writer(file);
                let mut header = vec!["line".to_string(), "reason".to_string()];
                header.extend(headers.iter().cloned());
                w.write_record(&header)
                    .map_err(|e| Error::failure(format!("cannot write rejects: {e}")))?;
                Some((path.to_path_buf(), w))
            }
            None => None,
        };
        let now = settings.now();
        let batch = import_batch::ActiveModel {
            system_id: Set(system.id),
            source: Set(source.to_string()),
            file_hash: Set(hash.to_string()),
            status: Set(BatchStatus::Running),
            rows_read: Set(0),
            rows_inserted: Set(0),
            rows_updated: Set(0),
            rows_unchanged: Set(0),
            rows_rejected: Set(0),
            actor: Set(settings.actor.clone()),
            started_at: Set(now),
            finished_at: Set(None),
            ..Default::default()
        }
        .insert(&db.conn)
        .await
        .context("starting the import")?;
        let report = ImportReport {
            batch: batch.id,
            system: system.key.clone(),
            source: source.to_string(),
            read: 0,
            inserted: 0,
            updated: 0,
            unchanged: 0,
            rejected: 0,
            refused: false,
            rejects: Vec::new(),
        };
        Ok(Importer {
            db,
            settings,
            system: system.clone(),
            source: source.to_string(),
            hash: hash.to_string(),
            batch,
            strict,
            txn: None,
            rejects_out,
            report,
        })
    }

    /// Writes one chunk: its rejects to the report, its rows to the database (a transaction of
    /// its own, or the import's one transaction with `--strict`).
    pub async fn write(&mut self, chunk: Chunk) -> Result<()> {
        self.report.read += chunk.read;
        for r in chunk.rejects {
            self.reject(r.line, r.reason, &r.values)?;
        }
        if chunk.rows.is_empty() {
            return Ok(());
        }
        if self.txn.is_none() {
            self.txn = Some(import::begin(self.db).await?);
        }
        let txn = self.txn.as_mut().expect("transaction opened above");
        let (counts, duplicates) = write_chunk(
            txn,
            self.system.id,
            self.batch.id,
            &chunk.rows,
            self.settings.now(),
        )
        .await?;
        self.report.inserted += counts.inserted;
        self.report.updated += counts.updated;
        self.report.unchanged += counts.unchanged;
        for d in duplicates {
            let reason = format!("duplicate record id (first on line {})", d.first_line);
            self.reject::<&str>(d.line, reason, &[])?;
        }
        if !self.strict
            && let Some(txn) = self.txn.take()
        {
            txn.commit().await?;
        }
        Ok(())
    }

    fn reject<S: AsRef<str>>(&mut self, line: u64, reason: String, values: &[S]) -> Result<()> {
        self.report.rejected += 1;
        if let Some((path, w)) = &mut self.rejects_out {
            let mut record = vec![line.to_string(), reason.clone()];
            record.extend(
                values
                    .iter()
                    .map(|v| crate::resolve::export::safe_cell(v.as_ref())),
            );
            w.write_record(&record)
                .map_err(|e| Error::failure(format!("cannot write rejects to {}: {e}", path.display())))?;
        }
        if self.report.rejects.len() < REPORTED_REJECTS {
            self.report.rejects.push(Reject { line, reason });
        }
        Ok(())
    }

    /// Writes what is left, closes the batch and records it in the audit chain.
    pub async fn finish(mut self) -> Result<ImportReport> {
        if let Some((path, mut w)) = self.rejects_out.take() {
            w.flush()
                .map_err(|e| Error::failure(format!("cannot write rejects to {}: {e}", path.display())))?;
        }
        let refused = self.strict && self.report.rejected > 0;
        if let Some(txn) = self.txn.take() {
            if refused {
                txn.rollback().await?;
            } else {
                txn.commit().await?;
            }
        }
        // Rows a bulk load adds or changes: enough to make the planner's statistics stale.
        const BULK: u64 = 10_000;
        if !refused && self.report.inserted + self.report.updated >= BULK {
            import::analyze_after_load(self.db).await?;
        }
        if refused {
            self.report.refused = true;
            self.report.inserted = 0;
            self.report.updated = 0;
            self.report.unchanged = 0;
        }
        let now = self.settings.now();
        let rec = audit::begin(self.db, &self.settings.actor, now).await?;
        let mut batch: import_batch::ActiveModel = self.batch.clone().into();
        batch.status = Set(if refused {
            BatchStatus::Refused
        } else {
            BatchStatus::Completed
        });
        batch.rows_read = Set(self.report.read as i64);
        batch.rows_inserted = Set(self.report.inserted as i64);
        batch.rows_updated = Set(self.report.updated as i64);
        batch.rows_unchanged = Set(self.report.unchanged as i64);
        batch.rows_rejected = Set(self.report.rejected as i64);
        batch.finished_at = Set(Some(now));
        batch.update(rec.txn()).await.context("closing the import")?;
        let source_name = Path::new(&self.source)
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        rec.record(
            "inventory.import",
            &format!("system:{}", self.system.key),
            None,
            json!({
                "batch": self.batch.id,
                "source": source_name,
                "sha256": self.hash,
                "read": self.report.read,
                "inserted": self.report.inserted,
                "updated": self.report.updated,
                "unchanged": self.report.unchanged,
                "rejected": self.report.rejected,
                "refused": refused,
            }),
        )
        .await?;
        rec.commit().await?;
        Ok(self.report)
    }
}

/// SHA-256 of the file's bytes, recorded with the batch.
fn file_hash(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path)
        .map_err(|e| Error::bad_input(format!("cannot open {}: {e}", path.display())))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)
        .map_err(|e| Error::failure(format!("cannot read {}: {e}", path.display())))?;
    Ok(hex::encode(hasher.finalize()))
}
