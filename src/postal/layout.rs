//! The page layout of postal letters: the stored letter text split into the window part (the
//! return line and the address block) and the body, placed for a window envelope (A4 for a
//! DIN 5008 form B envelope, or US Letter for a #10 window envelope) and typeset by typst.
//! The data go in as JSON through `sys.inputs`, never spliced into markup.

use serde::Serialize;
use serde_json::json;
use typst::foundations::{Dict, IntoValue, Label, Selector};
use typst::introspection::Introspector;
use typst::utils::PicoStr;
use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;

use crate::error::{Error, Result};

const TEMPLATE: &str = include_str!("letters.typ");

/// The paper a batch is printed on, and the envelope its window is placed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    /// A4 folded for a DIN 5008 form B window envelope (DL, C5/6): address field 20 mm from
    /// the left, 45–90 mm from the top (the return line in its upper 17.7 mm, then the address).
    A4,
    /// US Letter folded in thirds for a #10 double-window envelope: return address 0.5 in
    /// from the top, the address 2.042 in from the top, both 0.875 in from the left.
    Letter,
}

impl Paper {
    pub fn as_str(self) -> &'static str {
        match self {
            Paper::A4 => "a4",
            Paper::Letter => "letter",
        }
    }

    /// Where things go on the page, in millimetres from the top left corner.
    fn geometry(self) -> serde_json::Value {
        match self {
            Paper::A4 => json!({
                "page_width": 210.0, "page_height": 297.0,
                "margin_left": 25.0, "margin_right": 20.0, "margin_top": 20.0, "margin_bottom": 25.0,
                "window_left": 20.0, "window_width": 85.0,
                "return_top": 45.0, "return_height": 15.7,
                "address_top": 62.7, "address_size": 10.0,
                "body_top": 98.4,
                // Fold marks at 105 and 210 mm, the punch mark at 148.5 mm (DIN 5008 form B).
                "marks": [105.0, 148.5, 210.0],
            }),
            Paper::Letter => json!({
                "page_width": 215.9, "page_height": 279.4,
                "margin_left": 25.4, "margin_right": 25.4, "margin_top": 19.05, "margin_bottom": 25.4,
                "window_left": 22.2, "window_width": 88.9,
                "return_top": 12.7, "return_height": 20.1,
                "address_top": 51.9, "address_size": 9.0,
                "body_top": 85.7,
                // Folded in thirds.
                "marks": [93.1, 186.3],
            }),
        }
    }
}

/// One line of the letter's body: its indent (in spaces, as stored) and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub indent: usize,
    pub text: String,
}

/// A letter ready to be placed on pages.
#[derive(Debug, Clone, Serialize)]
pub struct PrintLetter {
    /// The language of the letter (`de`), for the typesetter.
    pub lang: String,
    /// The return line(s) above the address.
    pub ret: Vec<String>,
    /// The address block: the name, then the address lines.
    pub address: Vec<String>,
    /// The rest of the letter, paragraph by paragraph, line by line as stored.
    pub body: Vec<Vec<Line>>,
    /// What every page of the letter carries at its foot (reference and verification code).
    pub footer: String,
}

impl PrintLetter {
    /// Splits a stored postal letter: its first paragraph is the return line, its second the
    /// address block, which must be `recipient` (the address the outbox holds for it); the
    /// rest is the body. `None` when the text is not laid out so.
    pub fn split(text: &str, recipient: &str, lang: &str, footer: String) -> Option<PrintLetter> {
        let mut paragraphs: Vec<Vec<&str>> = Vec::new();
        let mut current: Vec<&str> = Vec::new();
        for line in text.lines() {
            if line.trim().is_empty() {
                if !current.is_empty() {
                    paragraphs.push(std::mem::take(&mut current));
                }
            } else {
                current.push(line.trim_end());
            }
        }
        if !current.is_empty() {
            paragraphs.push(current);
        }
        if paragraphs.len() < 3 {
            return None;
        }
        let mut rest = paragraphs.into_iter();
        let ret: Vec<String> = rest.next()?.iter().map(|l| l.trim().to_string()).collect();
        let address: Vec<String> = rest.next()?.iter().map(|l| l.trim().to_string()).collect();
        let expected: Vec<String> = recipient
            .lines()
            .map(crate::letters::clean_line)
            .filter(|l| !l.is_empty())
            .collect();
        if address != expected {
            return None;
        }
        let body = rest
            .map(|p| {
                p.iter()
                    .map(|l| {
                        let text = l.trim_start();
                        Line {
                            indent: l.len() - text.len(),
                            text: text.to_string(),
                        }
                    })
                    .collect()
            })
            .collect();
        Some(PrintLetter {
            lang: lang.split('-').next().unwrap_or(lang).to_string(),
            ret,
            address,
            body,
            footer,
        })
    }
}

/// A typeset batch: the PDF, and where each letter starts and how many pages it has.
#[derive(Debug)]
pub struct Typeset {
    pub pdf: Vec<u8>,
    /// Per letter, in order: (first page, pages).
    pub pages: Vec<(usize, usize)>,
    /// Pages in the file (blank backs included).
    pub total_pages: usize,
}

/// Typesets letters, one engine (fonts loaded once) for every batch of a run.
pub struct Typesetter {
    engine: TypstEngine<typst_as_lib::TypstTemplateMainFile>,
}

impl Default for Typesetter {
    fn default() -> Self {
        Self::new()
    }
}

impl Typesetter {
    pub fn new() -> Typesetter {
        Typesetter {
            engine: TypstEngine::builder()
                .main_file(TEMPLATE)
                .fonts(typst_assets::fonts())
                .build(),
        }
    }

    /// Typesets `letters` on `paper`, each starting on a new page (on an odd page with
    /// `duplex`, so that no sheet carries two people's letters).
    pub fn typeset(
        &self,
        title: &str,
        paper: Paper,
        duplex: bool,
        letters: &[PrintLetter],
    ) -> Result<Typeset> {
        let data = json!({
            "title": title,
            "duplex": duplex,
            "geometry": paper.geometry(),
            "letters": letters,
        });
        let mut inputs = Dict::new();
        inputs.insert("batch".into(), data.to_string().into_value());
        let doc: PagedDocument = self
            .engine
            .compile_with_input(inputs)
            .output
            .map_err(|e| Error::failure(format!("cannot typeset the letters: {e}")))?;
        let pages_of = |name: &str| -> Vec<usize> {
            let Some(label) = Label::new(PicoStr::intern(name)) else {
                return Vec::new();
            };
            doc.introspector()
                .query(&Selector::Label(label))
                .iter()
                .filter_map(|c| c.location())
                .filter_map(|loc| doc.introspector().position(loc))
                .map(|p| p.page.get())
                .collect()
        };
        let (starts, ends) = (pages_of("letter"), pages_of("letter-end"));
        if starts.len() != letters.len() || ends.len() != letters.len() {
            return Err(Error::failure(
                "cannot typeset the letters: the layout lost track of where letters start",
            ));
        }
        let pages = starts
            .iter()
            .zip(&ends)
            .map(|(s, e)| (*s, e.saturating_sub(*s) + 1))
            .collect();
        let total_pages = doc.pages().len();
        let pdf = typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default()).map_err(|errors| {
            let first = errors.first().map(|e| e.message.to_string()).unwrap_or_default();
            Error::failure(format!("cannot write the PDF: {first}"))
        })?;
        Ok(Typeset {
            pdf,
            pages,
            total_pages,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Shop · Street 1 · Town\n\nJane Roe\n1 Road\n12345 City\n\n6 March 2026\n\nDear Jane,\n\n- Name: a\n  b\n";

    #[test]
    fn a_letter_splits_into_window_and_body() {
        let l = PrintLetter::split(TEXT, "Jane Roe\n1 Road\n12345 City", "en-gb", "f".into()).unwrap();
        assert_eq!(l.ret, ["Shop · Street 1 · Town"]);
        assert_eq!(l.address, ["Jane Roe", "1 Road", "12345 City"]);
        assert_eq!(l.body.len(), 3);
        assert_eq!(
            l.body[2][1],
            Line {
                indent: 2,
                text: "b".into()
            }
        );
        assert_eq!(l.lang, "en");
        // Another address than the outbox holds: not printed.
        assert!(PrintLetter::split(TEXT, "John Doe\n1 Road\n12345 City", "en", "f".into()).is_none());
        assert!(PrintLetter::split("a\n\nb\n", "b", "en", "f".into()).is_none());
    }

    #[test]
    fn every_letter_starts_on_a_new_page_and_duplex_on_an_odd_one() {
        let l = PrintLetter::split(TEXT, "Jane Roe\n1 Road\n12345 City", "en", "f".into()).unwrap();
        let t = Typesetter::new();
        let simplex = t.typeset("t", Paper::A4, false, &[l.clone(), l.clone()]).unwrap();
        assert_eq!(simplex.pages, [(1, 1), (2, 1)]);
        let duplex = t.typeset("t", Paper::Letter, true, &[l.clone(), l]).unwrap();
        assert_eq!(duplex.pages, [(1, 1), (3, 1)]);
        assert!(duplex.pdf.starts_with(b"%PDF-"));
    }
}
