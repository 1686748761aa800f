//! Postal letters on paper: print-ready PDFs of an incident's postal letters from the outbox
//! (the stored text, so that what is printed is what was stored and hashed), batched into
//! files with a CSV manifest for the mail house; and `posted`, which marks the letters of a
//! manifest as sent once the mail house has them.
//!
//! Writing the PDFs does not mark anything sent: printing is not posting, and a print run can
//! fail or be done again. The manifest is the record of what was handed over.

pub mod layout;
pub mod manifest;

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit;
use crate::config::Settings;
use crate::db::Db;
use crate::db::postal::{self as sql, PostalRow};
use crate::error::{Error, Result};
use crate::incident;
use crate::letters::LetterKind;
pub use layout::Paper;
use layout::{PrintLetter, Typesetter};
use manifest::ManifestRow;

/// Letters per PDF file unless asked otherwise.
pub const DEFAULT_BATCH: u32 = 500;

/// What `letters pdf` is asked to do.
#[derive(Debug, Clone)]
pub struct PdfRequest {
    pub reference: String,
    pub output: PathBuf,
    pub paper: Paper,
    /// Letters per file.
    pub batch: usize,
    /// Each letter starts on an odd page (printed on both sides, no sheet carries two letters).
    pub duplex: bool,
    pub kind: LetterKind,
    /// The update the letters tell of (update letters; default: the latest).
    pub update_number: Option<i32>,
    /// Print the letters already posted too (a reprint), not only the pending ones.
    pub include_sent: bool,
}

/// One PDF written.
#[derive(Debug, Clone, Serialize)]
pub struct PdfFile {
    pub file: String,
    pub letters: usize,
    pub pages: usize,
}

/// What a `letters pdf` run wrote.
#[derive(Debug, Clone, Serialize)]
pub struct PdfSummary {
    pub incident: String,
    pub letter: String,
    pub paper: Paper,
    pub duplex: bool,
    pub letters: usize,
    pub files: Vec<PdfFile>,
    /// The manifest's file name (in the output directory); `null` when there was nothing to print.
    pub manifest: Option<String>,
    /// Letters not printed because their stored text does not begin with the return line and
    /// the address block (a custom postal template): their notification ids.
    pub skipped: Vec<i64>,
}

/// The letter's name in file names and the manifest: `initial`, `update-2`.
pub fn letter_name(kind: LetterKind, update_number: i32) -> String {
    match kind {
        LetterKind::Initial => "initial".to_string(),
        LetterKind::Update => format!("update-{update_number}"),
    }
}

/// Writes the PDFs and the manifest of the incident's postal letters into `req.output`.
pub async fn write_pdfs(db: &Db, settings: &Settings, req: &PdfRequest) -> Result<PdfSummary> {
    let inc = incident::find(db, &req.reference).await?;
    let update_number = match req.kind {
        LetterKind::Initial => 0,
        LetterKind::Update => match req.update_number {
            Some(n) => n,
            None => crate::narrative::Stored::load(db, inc.id)
                .await?
                .latest_update()
                .ok_or_else(|| Error::bad_input(format!("{} has no update letters", inc.reference)))?,
        },
    };
    let letter = letter_name(req.kind, update_number);
    crate::private_file::create_dir(&req.output).map_err(|e| {
        Error::failure(format!(
            "cannot create the directory {}: {e}",
            req.output.display()
        ))
    })?;
    let prefix = format!("{}-{letter}", inc.reference);
    let typesetter = Typesetter::new();
    let mut summary = PdfSummary {
        incident: inc.reference.clone(),
        letter: letter.clone(),
        paper: req.paper,
        duplex: req.duplex,
        letters: 0,
        files: Vec::new(),
        manifest: None,
        skipped: Vec::new(),
    };
    let mut rows: Vec<ManifestRow> = Vec::new();
    let mut after = 0_i64;
    loop {
        let page = sql::page(
            &db.conn,
            inc.id,
            req.kind.as_str(),
            update_number,
            req.include_sent,
            after,
            req.batch.max(1) as u64,
        )
        .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let mut printable: Vec<(PostalRow, PrintLetter)> = Vec::with_capacity(page.len());
        for row in page {
            let footer = format!("{} · {}", inc.reference, row.verification_code);
            match PrintLetter::split(&row.body_text, &row.recipient, &row.locale, footer) {
                Some(l) => printable.push((row, l)),
                None => summary.skipped.push(row.id),
            }
        }
        if printable.is_empty() {
            continue;
        }
        let n = summary.files.len() + 1;
        let file = format!("{prefix}-{n:03}.pdf");
        let letters: Vec<PrintLetter> = printable.iter().map(|(_, l)| l.clone()).collect();
        let title = format!("{} {letter} letters, file {n}", inc.reference);
        let set = typesetter.typeset(&title, req.paper, req.duplex, &letters)?;
        write_file(&req.output.join(&file), &set.pdf)?;
        for ((row, l), (page, pages)) in printable.into_iter().zip(&set.pages) {
            rows.push(ManifestRow {
                file: file.clone(),
                page: *page,
                pages: *pages,
                notification_id: row.id,
                subject_id: row.subject_id,
                letter: letter.clone(),
                locale: row.locale,
                country: row.country.unwrap_or_default(),
                verification_code: row.verification_code,
                content_hash: row.content_hash,
                address: l.address,
            });
        }
        summary.letters += letters.len();
        summary.files.push(PdfFile {
            file,
            letters: letters.len(),
            pages: set.total_pages,
        });
    }
    if !rows.is_empty() {
        let name = format!("{prefix}-manifest.csv");
        let mut w = csv::Writer::from_writer(Vec::new());
        let csv_err = |e: csv::Error| Error::failure(format!("cannot write the manifest: {e}"));
        w.write_record(manifest::header()).map_err(csv_err)?;
        for r in &rows {
            w.write_record(r.record()).map_err(csv_err)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| Error::failure(format!("cannot write the manifest: {e}")))?;
        write_file(&req.output.join(&name), &bytes)?;
        summary.manifest = Some(name);
    }

    let rec = audit::begin(db, &settings.actor, settings.now()).await?;
    rec.record(
        "letters.pdf",
        &format!("incident:{}", inc.reference),
        Some(&inc.reference),
        json!({
            "letter": letter,
            "paper": req.paper.as_str(),
            "duplex": req.duplex,
            "letters": summary.letters,
            "files": summary.files.iter().map(|f| &f.file).collect::<Vec<_>>(),
            "notifications": rows.iter().map(|r| r.notification_id).collect::<Vec<_>>(),
            "skipped": summary.skipped,
        }),
    )
    .await?;
    rec.commit().await?;
    Ok(summary)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::private_file::write(path, bytes)
        .map_err(|e| Error::failure(format!("cannot write {}: {e}", path.display())))
}

/// What `letters posted` did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PostedSummary {
    pub incident: String,
    /// Letters marked sent now.
    pub marked: usize,
    /// Letters that were already sent.
    pub already: usize,
    /// Letters that changed since the manifest was written (rendered again): not marked.
    pub changed: Vec<i64>,
    /// Ids in the manifest that are no postal letter of this incident.
    pub unknown: Vec<i64>,
}

/// Marks the postal letters a manifest lists as sent (handed to the mail house), each only if
/// it is still pending with the content the manifest was printed from.
pub async fn posted(
    db: &Db,
    settings: &Settings,
    reference: &str,
    manifest_path: &Path,
) -> Result<PostedSummary> {
    let inc = incident::find(db, reference).await?;
    let entries = manifest::read_posted(manifest_path)?;
    let bytes = std::fs::read(manifest_path).map_err(|e| {
        Error::bad_input(format!(
            "cannot read the manifest {}: {e}",
            manifest_path.display()
        ))
    })?;
    let mut s = PostedSummary {
        incident: inc.reference.clone(),
        ..Default::default()
    };
    let rec = audit::begin(db, &settings.actor, settings.now()).await?;
    let mut marked_ids = Vec::new();
    for (id, hash) in &entries {
        if sql::mark_sent(rec.txn(), inc.id, *id, hash, rec.at()).await? {
            s.marked += 1;
            marked_ids.push(*id);
            continue;
        }
        match sql::state(rec.txn(), inc.id, *id).await? {
            None => s.unknown.push(*id),
            Some((status, stored)) if stored == *hash && status == "sent" => s.already += 1,
            Some(_) => s.changed.push(*id),
        }
    }
    rec.record(
        "letters.posted",
        &format!("incident:{}", inc.reference),
        Some(&inc.reference),
        json!({
            "manifest_sha256": hex::encode(Sha256::digest(&bytes)),
            "marked": marked_ids,
            "already": s.already,
            "changed": s.changed,
            "unknown": s.unknown,
        }),
    )
    .await?;
    rec.commit().await?;
    // People sent a postal letter are contacted (also those unreachable by email).
    crate::followup::cases::sync_deliveries(db, inc.id, &settings.actor, settings.now()).await?;
    Ok(s)
}
