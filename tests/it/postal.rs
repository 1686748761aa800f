//! `letters pdf` and `letters posted`: the postal letters printed from the outbox for a window
//! envelope, with the manifest for the mail house, and marked sent from that manifest.

use std::path::Path;

use crate::common::{TestEnv, run_ok};
use crate::outbox::incident;

/// The shop incident plus a customer whose name is typst markup and whose street line looks
/// like a spreadsheet formula; every postal letter rendered.
fn printed(env: &TestEnv) -> String {
    let r = incident(env);
    std::fs::write(
        env.dir().join("shop2.csv"),
        "id,email,name,locale,country,address_line1,postal_code,city\n\
         5,,\"Eve #panic() *x* ] $y$ <b>\",en,DE,=1+2 Hauptstraße 1,10115,Berlin\n",
    )
    .unwrap();
    env.ok(&["inventory", "import", "--system", "shop", "shop2.csv"]);
    env.ok(&["affected", "resolve", &r]);
    let s = env.json(&["letters", "render", &r, "--channel", "postal", "--json"]);
    assert_eq!(s["added_postal"], 3, "Erika, Paul and Eve have addresses");
    r
}

fn manifest(path: &Path) -> Vec<csv::StringRecord> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "file");
    assert_eq!(&header[10], "address_1");
    reader.records().map(|r| r.unwrap()).collect()
}

/// The PDF's text, or `None` (with a note) where poppler's pdftotext is not installed.
fn pdf_text(path: &Path) -> Option<String> {
    match std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(path)
        .arg("-")
        .output()
    {
        Ok(out) if out.status.success() => Some(String::from_utf8_lossy(&out.stdout).to_string()),
        _ => {
            eprintln!("note: pdftotext not installed: the PDF text is not checked");
            None
        }
    }
}

pub fn pdf_prints_the_stored_letters_with_a_manifest(env: &TestEnv) {
    let r = printed(env);
    let s = env.json(&[
        "letters", "pdf", &r, "--output", "print", "--batch", "2", "--json",
    ]);
    assert_eq!(s["letters"], 3);
    assert_eq!(
        s["files"].as_array().unwrap().len(),
        2,
        "3 letters in batches of 2"
    );
    assert_eq!(s["skipped"].as_array().unwrap().len(), 0);
    let dir = env.dir().join("print");
    let first = dir.join(format!("{r}-initial-001.pdf"));
    let bytes = std::fs::read(&first).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    #[cfg(unix)]
    for f in [first.clone(), dir.join(format!("{r}-initial-manifest.csv"))] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", f.display());
    }

    let rows = manifest(&dir.join(format!("{r}-initial-manifest.csv")));
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[0][1], "1", "the first letter starts on page 1");
    assert_eq!(&rows[2][0], format!("{r}-initial-002.pdf"));
    let eve = rows.iter().find(|r| r[10].starts_with("Eve")).unwrap();
    assert_eq!(&eve[10], "Eve #panic() *x* ] $y$ <b>");
    assert_eq!(
        &eve[11], "'=1+2 Hauptstraße 1",
        "formula-looking cells neutralised"
    );
    assert_eq!(
        &eve[13], "GERMANY",
        "abroad: the country in capitals on the last line"
    );
    assert_eq!(&eve[7], "DE");
    let erika = rows.iter().find(|r| r[10].starts_with("Erika")).unwrap();
    assert_eq!(&erika[6], "de");
    assert_eq!(&erika[13], "ÖSTERREICH", "in the letter's language");
    // The second letter starts right after the first one's pages.
    let pages: usize = rows[0][2].parse().unwrap();
    assert_eq!(rows[1][1].parse::<usize>().unwrap(), 1 + pages);

    // Same outbox, same PDF: byte for byte.
    env.ok(&["letters", "pdf", &r, "--output", "again", "--batch", "2"]);
    assert_eq!(
        bytes,
        std::fs::read(env.dir().join("again").join(format!("{r}-initial-001.pdf"))).unwrap(),
        "the PDF is reproducible"
    );

    if let Some(text) = pdf_text(&first) {
        for needle in [
            "Erika Mustermann",
            "Heidestraße 17",
            "1010 Wien",
            "ÖSTERREICH",
            "Paul Post",
        ] {
            assert!(text.contains(needle), "{needle} missing:\n{text}");
        }
        // The stored letter, the verification code in the foot of every page.
        let erika_code = &erika[8];
        assert!(text.contains(erika_code), "{text}");
        assert!(text.contains("Was ist geschehen?"), "{text}");
        let pages_in_file: usize = rows
            .iter()
            .filter(|row| row[0] == *format!("{r}-initial-001.pdf"))
            .map(|row| row[2].parse::<usize>().unwrap())
            .sum();
        assert_eq!(
            text.matches('\u{c}').count(),
            pages_in_file,
            "one form feed per page"
        );
        let second = pdf_text(&dir.join(format!("{r}-initial-002.pdf"))).unwrap();
        assert!(
            second.contains("Eve #panic() *x* ] $y$ <b>"),
            "markup in a name prints literally:\n{second}"
        );
    }
    let log = env.ok(&["audit", "log", &r]);
    assert_eq!(log.matches("letters.pdf").count(), 2, "{log}");
}

pub fn posted_marks_the_manifest_s_letters_sent(env: &TestEnv) {
    let r = printed(env);
    env.ok(&["letters", "pdf", &r, "--output", "print"]);
    let m = format!("print/{r}-initial-manifest.csv");
    // One letter changes after printing: it is not marked.
    env.sql(
        "UPDATE notification SET content_hash = 'x' WHERE channel = 'postal' AND id = \
         (SELECT MIN(id) FROM notification WHERE channel = 'postal')",
    );
    let s = env.json(&["letters", "posted", &r, "--manifest", &m, "--json"]);
    assert_eq!(s["marked"], 2);
    assert_eq!(s["changed"].as_array().unwrap().len(), 1);
    let again = env.json(&["letters", "posted", &r, "--manifest", &m, "--json"]);
    assert_eq!(again["marked"], 0);
    assert_eq!(again["already"], 2);
    let paul = crate::outbox::subject_id(env, &r, "Paul Post");
    let shown = env.json(&["letters", "show", &r, "--subject", &paul, "--json"]);
    assert_eq!(shown["status"], "sent");

    // Only the pending one is printed next time; --reprint prints all.
    let next = env.json(&["letters", "pdf", &r, "--output", "next", "--json"]);
    assert_eq!(next["letters"], 1);
    let reprint = env.json(&["letters", "pdf", &r, "--output", "re", "--reprint", "--json"]);
    assert_eq!(reprint["letters"], 3);

    // A manifest of another incident's letters, or not a manifest at all.
    std::fs::write(env.dir().join("bad.csv"), "a,b\n1,2\n").unwrap();
    let err = env.fails(&["letters", "posted", &r, "--manifest", "bad.csv"], 2);
    assert!(err.contains("no column notification_id"), "{err}");
    let log = env.ok(&["audit", "log", &r]);
    assert_eq!(log.matches("letters.posted").count(), 2, "{log}");
}

pub fn duplex_us_letter_starts_each_letter_on_an_odd_page(env: &TestEnv) {
    let r = printed(env);
    let s = env.json(&[
        "letters", "pdf", &r, "--output", "us", "--paper", "letter", "--duplex", "--json",
    ]);
    assert_eq!(s["paper"], "letter");
    let rows = manifest(&env.dir().join("us").join(format!("{r}-initial-manifest.csv")));
    for row in &rows {
        let page: usize = row[1].parse().unwrap();
        assert_eq!(page % 2, 1, "letter starts on page {page}");
    }
    let text = pdf_text(&env.dir().join("us").join(format!("{r}-initial-001.pdf")));
    if let Some(text) = text {
        assert!(text.contains("Paul Post"), "{text}");
    }
}

pub fn domestic_letters_have_no_country_line(env: &TestEnv) {
    let r = printed(env);
    let config = std::fs::read_to_string(env.dir().join("breachdesk.toml")).unwrap();
    std::fs::write(
        env.dir().join("breachdesk.toml"),
        config.replace("[organisation]", "[organisation]\ncountry = \"DE\""),
    )
    .unwrap();
    let eve = crate::outbox::subject_id(env, &r, "Eve #panic() *x* ] $y$ <b>");
    let text = run_ok(
        env.cmd()
            .args(["letters", "preview", &r, "--subject", &eve, "--part", "text"]),
    );
    assert!(
        text.contains("10115 Berlin\n\n"),
        "no country line at home:\n{text}"
    );
    assert!(!text.contains("GERMANY"), "{text}");
}
