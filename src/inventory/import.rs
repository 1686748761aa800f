//! Importing inventory rows from a file or a SQL source: streamed, checked row by row,
//! written in chunks of one transaction each (or one transaction for all with `--strict`),
//! idempotent (an unchanged row changes nothing), and reported with counts and the lines it
//! rejected. A killed import leaves whole chunks behind; running it again completes it.
//! [`plan`] opens the file and decides the mapping first, so that it can be shown before any
//! row is read; `--dry-run` reads and checks the whole file and writes nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::chunk::{Chunk, ChunkBuilder};
use super::mapping::{ColumnUse, Mapping};
use super::reader::CsvFile;
use super::report::DryRun;
pub use super::report::{ImportReport, Reject};
use super::system::{self, System};
use crate::audit;
use crate::config::Settings;
use crate::db::Db;
use crate::db::entities::import_batch::{self, BatchStatus};
use crate::db::import::{self, ImportTxn, write_chunk};
use crate::error::{DbContext, Error, Result};

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
    /// Read and check the whole file, write nothing.
    pub dry_run: bool,
}

/// An input opened and its mapping decided, before any row is read.
pub struct Plan {
    file: CsvFile,
    mapping: Mapping,
    /// What becomes of each column, to show before importing.
    pub columns: Vec<ColumnUse>,
    size: u64,
}

/// Opens the file of `opts` and decides its mapping.
pub fn plan(opts: &ImportOptions) -> Result<Plan> {
    let file = CsvFile::open(&opts.file, opts.delimiter, opts.encoding.as_deref())?;
    let mapping = Mapping::build(&file.headers, &opts.maps)?;
    let columns = mapping.summary(&file.headers);
    let size = std::fs::metadata(&opts.file).map(|m| m.len()).unwrap_or(0);
    Ok(Plan {
        file,
        mapping,
        columns,
        size,
    })
}

/// Imports a CSV file into a system.
pub async fn import_file(db: &Db, settings: &Settings, opts: &ImportOptions) -> Result<ImportReport> {
    let plan = plan(opts)?;
    import_planned(db, settings, opts, plan, &|_, _| {}).await
}

/// Imports (or, with `--dry-run`, checks) a planned file; `progress` is told the bytes done
/// and the file's size after each chunk. The file is read and checked on its own thread while
/// the previous chunk is written, with at most one chunk waiting (memory stays flat).
pub async fn import_planned(
    db: &Db,
    settings: &Settings,
    opts: &ImportOptions,
    plan: Plan,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ImportReport> {
    let system = system::find(db, &opts.system).await?;
    let Plan {
        mut file,
        mapping,
        columns,
        size,
    } = plan;
    let source = opts.file.display().to_string();
    let headers = file.headers.clone();
    let mut sink = if opts.dry_run {
        Sink::Check(Box::new(DryRun::new(&system.key, &source)))
    } else {
        let hash = file_hash(&opts.file)?;
        Sink::Import(Box::new(
            Importer::start(
                db,
                settings,
                &system,
                &source,
                &hash,
                &headers,
                opts.strict,
                opts.rejects.as_deref(),
            )
            .await?,
        ))
    };
    let done = Arc::new(AtomicU64::new(0));
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Chunk>>(1);
    let mut builder = ChunkBuilder::new(mapping, &system.key);
    let position = Arc::clone(&done);
    let reader = std::thread::spawn(move || {
        loop {
            match file.next_row() {
                Ok(Some(row)) => {
                    if let Some(chunk) = builder.push(row.line, &row.fields) {
                        position.store(file.position(), Ordering::Relaxed);
                        if tx.blocking_send(Ok(chunk)).is_err() {
                            return;
                        }
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
        let written = match (&mut sink, chunk) {
            (_, Err(e)) => Err(e),
            (Sink::Import(importer), Ok(chunk)) => importer.write(chunk).await,
            (Sink::Check(check), Ok(chunk)) => {
                check.take(chunk);
                Ok(())
            }
        };
        if let Err(e) = written {
            outcome = Err(e);
            break;
        }
        progress(done.load(Ordering::Relaxed), size);
    }
    drop(rx);
    let _ = reader.join();
    outcome?;
    progress(size, size);
    let mut report = match sink {
        Sink::Import(importer) => importer.finish().await?,
        Sink::Check(check) => check.report,
    };
    report.columns = columns;
    Ok(report)
}

/// Where checked chunks go: into the database, or only into the counts of a dry run.
enum Sink<'a> {
    Import(Box<Importer<'a>>),
    Check(Box<DryRun>),
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
    /// A row without an email address but with a review key was written: look for people
    /// who may be the same at the end (skipped otherwise, which is every all-email import).
    review: bool,
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
        let report = ImportReport::new(batch.id, &system.key, source);
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
            review: false,
        })
    }

    /// Writes one chunk: its rejects to the report, its rows to the database (a transaction of
    /// its own, or the import's one transaction with `--strict`).
    pub async fn write(&mut self, chunk: Chunk) -> Result<()> {
        self.report.read += chunk.read;
        for r in chunk.rejects {
            self.reject(r.line, r.reason, &r.values)?;
        }
        for (line, reason) in chunk.flags {
            self.report.note_flag(line, reason);
        }
        self.review |= chunk
            .rows
            .iter()
            .any(|r| r.email.is_none() && r.near_key.is_some());
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
        self.report.note_reject(line, reason);
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
        } else if self.review {
            (self.report.near_matches, self.report.review) =
                import::near_matches(self.db, self.batch.id).await?;
        }
        self.report.accepted = self.report.inserted + self.report.updated + self.report.unchanged;
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
                "flagged": self.report.flagged,
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
