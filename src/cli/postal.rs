//! `letters pdf` and `letters posted`: postal letters printed for the mail house, and marked
//! sent once it has them.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::letters::KindArg;
use super::output::Out;
use crate::config::Settings;
use crate::db;
use crate::error::Result;
use crate::letters::LetterKind;
use crate::output_guard::Protected;
use crate::postal::{self, Paper, PdfRequest};

#[derive(Debug, Args)]
pub struct PdfArgs {
    reference: String,
    /// The directory to write the PDFs and the manifest to (created if missing).
    #[arg(long, value_name = "DIR")]
    output: PathBuf,
    /// `a4`: DIN 5008 form B window envelope; `letter`: US Letter, #10 window envelope.
    #[arg(long, value_enum, default_value_t = PaperArg::A4)]
    paper: PaperArg,
    /// Letters per PDF file.
    #[arg(long, value_name = "N", default_value_t = postal::DEFAULT_BATCH, value_parser = clap::value_parser!(u32).range(1..))]
    batch: u32,
    /// For printing on both sides: each letter starts on an odd page, so that no sheet
    /// carries the end of one letter and the start of the next.
    #[arg(long)]
    duplex: bool,
    #[arg(long, value_enum, default_value_t = KindArg::Initial)]
    kind: KindArg,
    /// Which update's letters (with --kind update; default: the latest).
    #[arg(long, value_name = "N")]
    update: Option<i32>,
    /// Print the letters already marked posted too (a reprint), not only the pending ones.
    #[arg(long)]
    reprint: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PaperArg {
    A4,
    Letter,
}

#[derive(Debug, Args)]
pub struct PostedArgs {
    reference: String,
    /// The manifest `letters pdf` wrote for the letters the mail house has taken.
    #[arg(long, value_name = "FILE")]
    manifest: PathBuf,
    #[arg(long)]
    json: bool,
}

pub async fn pdf(args: PdfArgs, settings: &Settings, out: Out) -> Result<()> {
    Protected::of(settings).check("--output", &args.output)?;
    let db = db::open_current(&settings.database_url).await?;
    let kind = match args.kind {
        KindArg::Initial => LetterKind::Initial,
        KindArg::Update => LetterKind::Update,
    };
    let req = PdfRequest {
        reference: args.reference,
        output: args.output.clone(),
        paper: match args.paper {
            PaperArg::A4 => Paper::A4,
            PaperArg::Letter => Paper::Letter,
        },
        batch: args.batch as usize,
        duplex: args.duplex,
        kind,
        update_number: args.update,
        include_sent: args.reprint,
    };
    let s = postal::write_pdfs(&db, settings, &req).await?;
    if args.json {
        return out.json(&s);
    }
    if s.letters == 0 {
        out.say(format!(
            "{}: no {} postal letters to print{}.",
            s.incident,
            if args.reprint { "" } else { "pending " },
            if args.reprint {
                ""
            } else {
                " (--reprint prints those already posted)"
            }
        ));
    } else {
        let pages: usize = s.files.iter().map(|f| f.pages).sum();
        out.say(format!(
            "{}: {} {} letter(s) on {} page(s) in {} file(s) in {}; manifest {}.",
            s.incident,
            s.letters,
            s.letter,
            pages,
            s.files.len(),
            args.output.display(),
            s.manifest.as_deref().unwrap_or("-")
        ));
        out.say(format!(
            "Once the mail house has them: `breachdesk letters posted {} --manifest {}`",
            s.incident,
            args.output
                .join(s.manifest.as_deref().unwrap_or_default())
                .display()
        ));
    }
    if !s.skipped.is_empty() {
        super::warn(format!(
            "{} letter(s) not printed: their text does not begin with the return line and the address \
             block (check the postal.txt templates with `letters lint`); notification ids {}",
            s.skipped.len(),
            s.skipped
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(())
}

pub async fn posted(args: PostedArgs, settings: &Settings, out: Out) -> Result<()> {
    let db = db::open_current(&settings.database_url).await?;
    let s = postal::posted(&db, settings, &args.reference, &args.manifest).await?;
    if args.json {
        return out.json(&s);
    }
    out.say(format!(
        "{}: {} postal letter(s) marked sent; {} already were.",
        s.incident, s.marked, s.already
    ));
    if !s.changed.is_empty() {
        super::warn(format!(
            "{} letter(s) were not marked: rendered again or no longer pending since the manifest was \
             written (print them again): notification ids {}",
            s.changed.len(),
            join(&s.changed)
        ));
    }
    if !s.unknown.is_empty() {
        super::warn(format!(
            "{} id(s) in the manifest are no postal letter of {}: {}",
            s.unknown.len(),
            s.incident,
            join(&s.unknown)
        ));
    }
    Ok(())
}

fn join(ids: &[i64]) -> String {
    ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
}
