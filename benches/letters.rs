//! Letters benchmark: `letters render` of every affected person into the outbox on SQLite,
//! end to end with the real binary (10,000 and 1,000,000 subjects by default), beside the
//! bare render loop in the same run: the same built-in template set and registries, contexts
//! built from in-memory people and rendered (all three email parts, hashed) with no
//! database. Peak memory from `/usr/bin/time`. Results go to BENCHMARKS.md (between the
//! letters markers) and to stdout.
//!
//!   cargo bench --bench letters -- [--subjects 10000,1000000]
//!
//! Needs the `time` Debian package. Not part of CI.

mod support;

use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use support::{timed, write_section};

use breachdesk::category::DataCategory;
use breachdesk::letters::context::{LetterContext, LetterInput};
use breachdesk::letters::{
    Channel, LetterKind, RenderedLetter, Renderer, TemplateSet, VerificationCode, sample,
};

const BIN: &str = env!("CARGO_BIN_EXE_breachdesk");
const LOCALES: [&str; 5] = ["en", "de-at", "fr", "de", "en-gb"];

const CONFIG: &str = r#"
[organisation]
name = "Example Shop GmbH"
website = "https://www.example.com"
verify_url = "https://www.example.com/verify"
verify_phone = "+49 30 1234 5678"
postal_address = ["Example Shop GmbH", "Musterstraße 1", "10115 Berlin"]
"#;

/// One CSV of `n` people (fixed seed): five locales, one in ten without an email address
/// (a postal letter), 1-4 categories each.
fn generate(path: &Path, n: usize) {
    let mut state: u64 = 0x1e77e75;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        state >> 33
    };
    let cats = [
        "name",
        "email",
        "postal_address",
        "credentials",
        "purchase_history",
    ];
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
    writeln!(
        w,
        "id,email,name,locale,country,address_line1,postal_code,city,categories"
    )
    .unwrap();
    for i in 0..n {
        let r = next() as usize;
        let email = if r.is_multiple_of(10) {
            String::new()
        } else {
            format!("person{i}@example.org")
        };
        let categories: Vec<&str> = (0..1 + r % 4).map(|k| cats[(r / 7 + k) % cats.len()]).collect();
        writeln!(
            w,
            "{i},{email},Person Number {i},{},DE,Heidestraße {},{:05},Köln,{}",
            LOCALES[r % LOCALES.len()],
            1 + r % 200,
            10000 + r % 89999,
            categories.join(";")
        )
        .unwrap();
    }
}

fn bd(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .current_dir(dir)
        .env("BREACHDESK_DATABASE_URL", "sqlite://bench.db")
        .env("BREACHDESK_ACTOR", "bench")
        .env("BREACHDESK_TZ", "UTC")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

struct Run {
    subjects: usize,
    letters: u64,
    render_s: f64,
    wall_s: f64,
    rss: f64,
}

fn end_to_end(work: &Path, n: usize) -> Run {
    let dir = work.join(format!("letters-{n}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("breachdesk.toml"), CONFIG).unwrap();
    eprintln!("[{n}] generating, importing, resolving");
    generate(&dir.join("people.csv"), n);
    bd(&dir, &["-q", "init"]);
    bd(
        &dir,
        &[
            "inventory",
            "system",
            "add",
            "shop",
            "--name",
            "Shop",
            "--categories",
            "name,email,postal_address,credentials,purchase_history",
        ],
    );
    bd(&dir, &["inventory", "import", "--system", "shop", "people.csv"]);
    let r = bd(
        &dir,
        &[
            "incident",
            "declare",
            "-q",
            "--title",
            "bench",
            "--nature",
            "A copy of the customer database was taken.",
        ],
    )
    .trim()
    .to_string();
    bd(
        &dir,
        &[
            "incident",
            "update",
            &r,
            "--dpo-name",
            "Dana Schmidt",
            "--dpo-email",
            "dpo@example.com",
            "--likely-consequences",
            "Phishing in our name.",
            "--measures-taken",
            "Access closed.",
            "--measures-proposed",
            "Change your password.",
        ],
    );
    // Letters in German and French tell the narrative in their language.
    for (locale, nature, consequences, taken, proposed) in [
        (
            "de",
            "Eine Kopie der Kundendatenbank wurde entwendet.",
            "Phishing in unserem Namen.",
            "Zugang gesperrt.",
            "Ändern Sie Ihr Passwort.",
        ),
        (
            "fr",
            "Une copie de la base de clients a été prise.",
            "De l'hameçonnage en notre nom.",
            "Accès fermé.",
            "Changez votre mot de passe.",
        ),
    ] {
        bd(
            &dir,
            &[
                "incident",
                "translate",
                &r,
                "--locale",
                locale,
                "--nature",
                nature,
                "--likely-consequences",
                consequences,
                "--measures-taken",
                taken,
                "--measures-proposed",
                proposed,
            ],
        );
    }
    bd(&dir, &["incident", "scope", &r, "--system", "shop"]);
    bd(&dir, &["affected", "resolve", &r]);
    eprintln!("[{n}] letters render");
    let mut cmd = Command::new(BIN);
    cmd.current_dir(&dir)
        .env("BREACHDESK_DATABASE_URL", "sqlite://bench.db")
        .env("BREACHDESK_ACTOR", "bench")
        .env("BREACHDESK_TZ", "UTC")
        .args(["letters", "render", &r, "--json"]);
    let (stdout, wall_s, rss) = timed(&mut cmd);
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("render --json");
    let letters = v["added_email"].as_u64().unwrap() + v["added_postal"].as_u64().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    Run {
        subjects: n,
        letters,
        render_s: v["seconds"].as_f64().unwrap(),
        wall_s,
        rss,
    }
}

/// The bare loop: per letter, the context built from in-memory data (fresh code) and every
/// email part rendered and hashed, on `threads` threads; letters per second.
fn bare(n: usize, threads: usize) -> f64 {
    let set = TemplateSet::builtin().expect("default templates");
    let (org, incident) = (sample::organisation(), sample::incident());
    let all: Vec<DataCategory> = DataCategory::all().collect();
    let people: Vec<_> = (0..1000usize)
        .map(|i| {
            let mut person = sample::recipient(LOCALES[i % LOCALES.len()]);
            person.name = format!("Person Number {i}");
            person.salutation = None;
            let categories: Vec<DataCategory> =
                (0..1 + i % 4).map(|k| all[(i * 7 + k * 3) % all.len()]).collect();
            (person, categories, vec!["Shop".to_string()])
        })
        .collect();
    let started = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let (set, org, incident, people) = (&set, &org, &incident, &people);
            s.spawn(move || {
                let mut renderer = Renderer::new(set);
                let mut letter = RenderedLetter::default();
                for i in (t..n).step_by(threads) {
                    let (person, categories, systems) = &people[i % people.len()];
                    let input = LetterInput {
                        organisation: org,
                        incident,
                        recipient: person,
                        categories,
                        systems,
                        kind: LetterKind::Initial,
                        update: None,
                        channel: Channel::Email,
                        code: VerificationCode::generate().unwrap(),
                        date: incident.aware_at,
                    };
                    let ctx = LetterContext::build(set, input).unwrap();
                    renderer.render(&ctx, &mut letter).unwrap();
                    black_box(letter.content_hash(Channel::Email));
                }
            });
        }
    });
    n as f64 / started.elapsed().as_secs_f64()
}

#[allow(clippy::print_stdout)] // a benchmark reports on stdout
fn main() {
    let argv: Vec<String> = std::env::args().collect();
    let sizes: Vec<usize> = argv
        .iter()
        .position(|a| a == "--subjects")
        .map(|i| {
            argv[i + 1]
                .split(',')
                .map(|n| n.replace('_', "").parse().expect("--subjects N,N"))
                .collect()
        })
        .unwrap_or_else(|| vec![10_000, 1_000_000]);
    let work = std::env::temp_dir().join(format!("bd-bench-letters-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let mut md = format!(
        "Run of `cargo bench --bench letters -- --subjects {}` on {} ({} cores), SQLite.\n\n\
         | subjects | letters | render (in-process) | letters/s | wall incl. start | peak RSS | bare loop 1 thread | bare loop 2 threads | vs 1 thread | vs 2 threads |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        sizes.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(","),
        std::env::consts::ARCH,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    let mut rss = Vec::new();
    let mut largest = None;
    for &n in &sizes {
        let run = end_to_end(&work, n);
        eprintln!("[{n}] bare loop");
        let bare1 = bare(200_000, 1);
        let bare2 = bare(200_000, 2);
        let rate = run.letters as f64 / run.render_s;
        let line = format!(
            "| {} | {} | {:.2} s | {:.0} | {:.2} s | {:.0} MiB | {:.0}/s | {:.0}/s | {:.2} | {:.2} |\n",
            run.subjects,
            run.letters,
            run.render_s,
            rate,
            run.wall_s,
            run.rss,
            bare1,
            bare2,
            rate / bare1,
            rate / bare2
        );
        print!("{line}");
        md.push_str(&line);
        rss.push((n, run.rss));
        largest = Some((n, rate, bare1, bare2));
    }
    let met = |ok: bool| if ok { "met" } else { "**not met**" };
    md.push_str("\nTargets (issue #4):\n\n");
    if let Some((n, rate, bare1, bare2)) = largest {
        md.push_str(&format!(
            "- At least 20,000 letters/s end to end ({n} subjects): {rate:.0}/s, {}.\n\
             - At least half the bare loop ({n} subjects): {:.2} of the loop on one thread, {}; \
             {:.2} of the loop on two threads, {}.\n",
            met(rate >= 20_000.0),
            rate / bare1,
            met(rate >= bare1 / 2.0),
            rate / bare2,
            met(rate >= bare2 / 2.0),
        ));
    }
    if let (Some(first), Some(last)) = (rss.first(), rss.last())
        && rss.len() > 1
    {
        md.push_str(&format!(
            "- Memory flat within 1.2x: peak RSS {} → {} subjects: {:.0} → {:.0} MiB ({:.2}x), {}.\n",
            first.0,
            last.0,
            first.1,
            last.1,
            last.1 / first.1,
            met(last.1 / first.1 <= 1.2)
        ));
    }
    md.push_str("\n`render (in-process)` is the run's own time (`seconds` of `--json`); `wall incl. start` adds process start. The bare loop builds each letter's context from in-memory people and renders all three email parts with a content hash, no database. `letters render` renders pages of 1,000 people on two render threads that live for the whole run, two pages ahead of the page being written (one transaction per page). Each letter (subject, text and HTML, about 6 KB) is stored LZ4-compressed against a specimen letter of its language, country and channel, in about 500 bytes.\n");
    let _ = std::fs::remove_dir_all(&work);
    write_section("BENCHMARKS.md", "letters", &md);
    print!("{md}");
}
