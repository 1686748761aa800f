//! The bare rendering loop: letters rendered from in-memory data, no database and no files.
//! It is the reference ("the limit") that the end-to-end `letters render` benchmark compares
//! with. Run: `cargo bench --bench render` (BENCH_LETTERS=N to change the count, default
//! 200,000). Three loops, each on one thread:
//!
//! 1. handlebars alone: the English plain-text template rendered with the set's own registry
//!    into a reused buffer from one prepared context (what PERFORMANCE.md measured as the
//!    limit);
//! 2. render: every part of an email letter (subject, wrapped text, HTML) from contexts
//!    prepared beforehand for the whole population, with its content hash;
//! 3. build + render: per letter, the context built from the person's data (locale, dates,
//!    categories with advice, a fresh verification code) and then rendered and hashed.

use std::hint::black_box;
use std::time::Instant;

use breachdesk::category::DataCategory;
use breachdesk::letters::context::{LetterContext, LetterInput};
use breachdesk::letters::{
    Channel, LetterKind, RenderedLetter, Renderer, TemplateSet, VerificationCode, sample,
};

#[allow(clippy::print_stdout)] // a benchmark reports on stdout
fn report(what: &str, letters: usize, started: Instant, bytes: usize) {
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{what:<44} {letters:>9} letters  {secs:>7.2} s  {:>9.0} letters/s  ({} KB per letter)",
        letters as f64 / secs,
        bytes / letters.max(1) / 1024
    );
}

fn main() {
    let n: usize = std::env::var("BENCH_LETTERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let set = TemplateSet::builtin().expect("default templates");
    let (org, incident, update) = (sample::organisation(), sample::incident(), sample::update_note());
    let all: Vec<DataCategory> = DataCategory::all().collect();
    // A fixed pseudo-random population: three languages, 1-5 categories, 1-3 systems.
    let locales = ["en", "de-at", "fr", "de", "en-gb"];
    let people: Vec<_> = (0..1000usize)
        .map(|i| {
            let mut person = sample::recipient(locales[i % locales.len()]);
            person.name = format!("{} {i}", person.name);
            person.salutation = None;
            let categories: Vec<DataCategory> =
                (0..1 + i % 5).map(|k| all[(i * 7 + k * 3) % all.len()]).collect();
            let systems: Vec<String> = (0..1 + i % 3).map(|k| format!("System {k}")).collect();
            (person, categories, systems)
        })
        .collect();
    let input = |i: usize, code: VerificationCode| {
        let (person, categories, systems) = &people[i % people.len()];
        LetterInput {
            organisation: &org,
            incident: &incident,
            recipient: person,
            categories,
            systems,
            kind: LetterKind::Initial,
            update: Some(&update),
            channel: Channel::Email,
            code,
            date: incident.aware_at,
        }
    };

    let fixed =
        LetterContext::build(&set, input(0, VerificationCode::from_bytes(sample::SAMPLE_CODE))).unwrap();
    let hb = set.text_registry("en").expect("English templates");
    let started = Instant::now();
    let mut buf = Vec::with_capacity(16 * 1024);
    let mut bytes = 0;
    for _ in 0..n {
        buf.clear();
        hb.render_to_write("fast:initial/email.txt", &fixed, &mut buf)
            .unwrap();
        bytes += buf.len();
        black_box(&buf);
    }
    report(
        "1. handlebars alone (text part, reused buffer)",
        n,
        started,
        bytes,
    );

    let json = handlebars::Context::wraps(&fixed).unwrap();
    let started = Instant::now();
    for _ in 0..n {
        buf.clear();
        hb.render_with_context_to_write("fast:initial/email.txt", &json, &mut buf)
            .unwrap();
        black_box(&buf);
    }
    report("1b. same, context converted to JSON once", n, started, bytes);
    let started = Instant::now();
    for _ in 0..n {
        black_box(handlebars::Context::wraps(&fixed).unwrap());
    }
    report("1c. context to JSON only", n, started, bytes);
    let started = Instant::now();
    for _ in 0..n {
        buf.clear();
        hb.render_with_context_to_write("initial/email.txt", &json, &mut buf)
            .unwrap();
        black_box(&buf);
    }
    report("1d. as 1b, partials not inlined", n, started, bytes);

    let mut renderer = Renderer::new(&set);
    let mut letter = RenderedLetter::default();
    let code = VerificationCode::from_bytes(sample::SAMPLE_CODE);
    let prepared: Vec<LetterContext> = (0..people.len())
        .map(|i| LetterContext::build(&set, input(i, code)).unwrap())
        .collect();
    let started = Instant::now();
    let mut bytes = 0;
    for i in 0..n {
        renderer
            .render(&prepared[i % prepared.len()], &mut letter)
            .unwrap();
        bytes += letter.subject.len() + letter.text.len() + letter.html.len();
        black_box(letter.content_hash(Channel::Email));
    }
    report("2. render prepared contexts: 3 parts, hashed", n, started, bytes);

    let started = Instant::now();
    let mut bytes = 0;
    for i in 0..n {
        let ctx = LetterContext::build(&set, input(i, VerificationCode::generate().unwrap())).unwrap();
        renderer.render(&ctx, &mut letter).unwrap();
        bytes += letter.subject.len() + letter.text.len() + letter.html.len();
        black_box(letter.content_hash(Channel::Email));
    }
    report("3. build context + render, hashed", n, started, bytes);
}
