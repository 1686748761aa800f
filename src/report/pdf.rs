//! The authority report as PDF, typeset by typst with its bundled fonts embedded. The data go
//! in as JSON through `sys.inputs` and are placed as text, never spliced into markup.
//!
//! Self-contained on purpose: the letters' PDF output (`src/pdf/`, another branch) is built
//! the same way, and the two are to share one engine when they meet.

use chrono_tz::Tz;
use serde_json::json;
use typst::foundations::{Dict, IntoValue};
use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;

use super::AuthorityReport;
use super::render::sections;
use crate::error::{Error, Result};

const TEMPLATE: &str = include_str!("authority.typ");

/// Typesets the report; the PDF's bytes.
pub fn pdf(r: &AuthorityReport, zone: Tz) -> Result<Vec<u8>> {
    let data = json!({
        "title": format!("Personal data breach notification: {}", r.incident),
        "sections": sections(r, zone),
    });
    let mut inputs = Dict::new();
    inputs.insert("report".into(), data.to_string().into_value());
    let engine = TypstEngine::builder()
        .main_file(TEMPLATE)
        .fonts(typst_assets::fonts())
        .build();
    let doc: PagedDocument = engine
        .compile_with_input(inputs)
        .output
        .map_err(|e| Error::failure(format!("cannot typeset the report: {e}")))?;
    typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default()).map_err(|errors| {
        let first = errors.first().map(|e| e.message.to_string()).unwrap_or_default();
        Error::failure(format!("cannot write the PDF: {first}"))
    })
}
