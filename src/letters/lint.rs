//! `letters lint`: proves a template set fit to send. Every file compiles and has its place;
//! every locale has every file the others have; every category has advice; templates use
//! only fields the context has, known partials and helpers, and no unescaped HTML output;
//! every letter (with its partials) says what GDPR Art. 34(2) requires; and the sample letter
//! renders in every locale, kind and channel.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;

use handlebars::template::Template;
use serde::Serialize;
use serde_json::Value;

use super::analysis::{Use, analyse};
use super::phrasing::ALLOWED_HELPERS;
use super::render::{RenderedLetter, Renderer, TemplateSet, parse_advice};
use super::templates::{DEFAULT_LANGUAGE, Role, TemplateFile, TemplateFiles, role};
use super::{Channel, LetterKind, sample};
use crate::category::DataCategory;

/// One problem, at a file and (where it has one) a line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Problem {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// What lint found.
#[derive(Debug, Serialize)]
pub struct Report {
    pub version: String,
    pub locales: Vec<String>,
    pub files: usize,
    pub problems: Vec<Problem>,
    /// With `--incident`: the locales of people affected that have no templates, and the
    /// language their letters fall back to. Not problems: the letters are sent, in another
    /// language.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub without_templates: Vec<super::locale::Fallback>,
}

/// An element a letter must contain, recognised by the fields it references.
struct Element {
    what: &'static str,
    /// Satisfied when, for every group, at least one of its fields is referenced.
    all_of: &'static [&'static [&'static str]],
    update_only: bool,
}

const ELEMENTS: &[Element] = &[
    Element {
        what: "the nature of the breach (incident.nature)",
        all_of: &[&["incident.nature"]],
        update_only: false,
    },
    Element {
        what: "the contact point (dpo.name with dpo.email or dpo.phone)",
        all_of: &[&["dpo.name"], &["dpo.email", "dpo.phone"]],
        update_only: false,
    },
    Element {
        what: "the likely consequences (incident.likely_consequences)",
        all_of: &[&["incident.likely_consequences"]],
        update_only: false,
    },
    Element {
        what: "the measures taken (incident.measures_taken)",
        all_of: &[&["incident.measures_taken"]],
        update_only: false,
    },
    Element {
        what: "the measures proposed (incident.measures_proposed)",
        all_of: &[&["incident.measures_proposed"]],
        update_only: false,
    },
    Element {
        what: "advice to mitigate the effects (categories.[].advice)",
        all_of: &[&["categories.[].advice"]],
        update_only: false,
    },
    Element {
        what: "the verification code (verification.code)",
        all_of: &[&["verification.code"]],
        update_only: false,
    },
    Element {
        what: "what is new (update.summary)",
        all_of: &[&["update.summary"]],
        update_only: true,
    },
];

/// Checks a template set.
pub fn lint(files: &TemplateFiles) -> Report {
    let mut problems = Vec::new();
    let problem = |file: &TemplateFile, line: Option<usize>, message: String| Problem {
        file: file.display(),
        line,
        message,
    };

    let mut compiled: BTreeMap<&str, Template> = BTreeMap::new();
    for file in files.iter() {
        match role(&file.path) {
            Role::Unknown => problems.push(problem(
                file,
                None,
                "not part of a template set: expected LOCALE/initial|update/{subject.txt,email.txt,email.html,postal.txt}, \
                 LOCALE/partials/NAME.txt|html or LOCALE/advice.toml, LOCALE a lower-case language tag such as de or de-at"
                    .into(),
            )),
            Role::Advice => check_advice(file, &mut problems),
            Role::Letter { .. } | Role::Partial { .. } => match Template::compile(&file.text) {
                Ok(t) => {
                    compiled.insert(&file.path, t);
                }
                Err(e) => problems.push(problem(file, e.pos().map(|p| p.0), format!("does not compile: {}", reason(&e)))),
            },
        }
    }

    // Completeness: every locale has what any locale has, and the default language exists.
    let locales = files.locales();
    let mut relative: BTreeSet<String> = BTreeSet::new();
    for kind in LetterKind::ALL {
        for channel in Channel::ALL {
            for part in channel.parts() {
                relative.insert(format!("{kind}/{}", part.file_name(channel)));
            }
        }
    }
    relative.insert("advice.toml".into());
    for file in files.iter().filter(|f| role(&f.path) != Role::Unknown) {
        relative.insert(file.path[file.locale().len() + 1..].to_string());
    }
    if !locales.contains(DEFAULT_LANGUAGE) {
        problems.push(Problem {
            file: format!("{DEFAULT_LANGUAGE}/"),
            line: None,
            message: "missing: letters fall back to this language".into(),
        });
    }
    for locale in &locales {
        for rel in &relative {
            if files.get(&format!("{locale}/{rel}")).is_none() {
                problems.push(Problem {
                    file: format!("{locale}/{rel}"),
                    line: None,
                    message: "missing: every locale needs every template of the set".into(),
                });
            }
        }
    }

    // What each letter references, with its partials.
    let schema = schema();
    let is_helper = |n: &str| ALLOWED_HELPERS.contains(&n);
    for file in files.iter() {
        let Role::Letter { kind, name } = role(&file.path) else {
            continue;
        };
        let Some(tpl) = compiled.get(file.path.as_str()) else {
            continue;
        };
        let html = name.ends_with(".html");
        let mut seen = HashSet::new();
        let mut referenced = BTreeSet::new();
        let mut included = Vec::new();
        let mut stack = vec![(file, analyse(tpl, "", &is_helper))];
        while let Some((current, usage)) = stack.pop() {
            for f in &usage.fields {
                referenced.insert(f.name.clone());
                if !schema.contains(&f.name) {
                    problems.push(problem(
                        current,
                        Some(f.line),
                        format!("unknown field '{}' (see docs/templates.md)", f.name),
                    ));
                }
            }
            for Use { name: helper, line } in &usage.helpers {
                if !is_helper(helper) {
                    problems.push(problem(
                        current,
                        Some(*line),
                        format!("unknown or forbidden helper '{helper}'"),
                    ));
                }
            }
            if html {
                for line in &usage.unescaped {
                    problems.push(problem(
                        current,
                        Some(*line),
                        "{{{ }}} writes data unescaped into HTML: use {{ }}".into(),
                    ));
                }
            }
            for (p, scope) in &usage.partials {
                let path = format!(
                    "{}/partials/{}.{}",
                    file.locale(),
                    p.name,
                    if html { "html" } else { "txt" }
                );
                if std::ptr::eq(current, file) {
                    included.push(format!("{} (line {})", p.name, p.line));
                }
                match (files.get(&path), compiled.get(path.as_str())) {
                    (Some(pf), Some(pt)) => {
                        if seen.insert((path.clone(), scope.clone())) {
                            stack.push((pf, analyse(pt, scope, &is_helper)));
                        }
                    }
                    (None, _) => problems.push(problem(
                        current,
                        Some(p.line),
                        format!("unknown partial '{}' ({path} does not exist)", p.name),
                    )),
                    (Some(_), None) => {}
                }
            }
        }
        if name == "subject.txt" {
            continue;
        }
        for element in ELEMENTS {
            if element.update_only && kind != "update" {
                continue;
            }
            let present = element
                .all_of
                .iter()
                .all(|group| group.iter().any(|f| referenced.contains(*f)));
            if !present {
                let via = if included.is_empty() {
                    "no partials".to_string()
                } else {
                    included.join(", ")
                };
                problems.push(problem(
                    file,
                    None,
                    format!(
                        "the letter lacks {} required by GDPR Art. 34(2); it includes {via}",
                        element.what
                    ),
                ));
            }
        }
    }

    // The sample renders everywhere (only worth trying on a set that compiles).
    if problems.is_empty() {
        match TemplateSet::compile(files) {
            Err(e) => problems.push(Problem {
                file: "(template set)".into(),
                line: None,
                message: e.to_string(),
            }),
            Ok(set) => render_samples(&set, &locales, &mut problems),
        }
    }
    problems.sort();
    problems.dedup();
    Report {
        version: files.version(),
        locales: locales.iter().map(|l| l.to_string()).collect(),
        files: files.iter().count(),
        problems,
        without_templates: Vec::new(),
    }
}

/// The parser's reason, without its list of every token it could have expected.
pub(crate) fn reason(e: &handlebars::TemplateError) -> String {
    let text = e.reason().to_string();
    match text.split_once(": expected") {
        Some((head, _)) => format!("{head} (an unclosed or malformed {{{{...}}}} tag?)"),
        None => text,
    }
}

fn check_advice(file: &TemplateFile, problems: &mut Vec<Problem>) {
    let mut add = |message: String| {
        problems.push(Problem {
            file: file.display(),
            line: None,
            message,
        })
    };
    match parse_advice(file) {
        Err(e) => add(e
            .to_string()
            .trim_start_matches(&format!("{}:", file.display()))
            .trim()
            .to_string()),
        Ok(parsed) => {
            for key in parsed.advice.keys().chain(parsed.labels.keys()) {
                if key.parse::<DataCategory>().is_err() {
                    add(format!("unknown data category '{key}'"));
                }
            }
            for c in DataCategory::all() {
                match parsed.advice.get(c.key()) {
                    None => add(format!("no advice for the data category '{c}'")),
                    Some(text) if text.trim().is_empty() => {
                        add(format!("empty advice for the data category '{c}'"))
                    }
                    Some(_) => {}
                }
            }
        }
    }
}

fn render_samples(set: &TemplateSet, locales: &BTreeSet<&str>, problems: &mut Vec<Problem>) {
    let mut renderer = Renderer::new(set);
    let mut letter = RenderedLetter::default();
    for locale in locales {
        for kind in LetterKind::ALL {
            for channel in Channel::ALL {
                let result = sample::context(set, locale, kind, channel)
                    .and_then(|ctx| renderer.render(&ctx, &mut letter));
                if let Err(e) = result {
                    problems.push(Problem {
                        file: format!("{locale}/{kind}"),
                        line: None,
                        message: format!("the sample {channel} letter does not render: {e}"),
                    });
                }
            }
        }
    }
}

/// Every path the context has (`incident`, `incident.nature`, `categories.[]`, ...), read from
/// the sample context.
fn schema() -> HashSet<String> {
    let mut paths = HashSet::new();
    if let Ok(set) = TemplateSet::builtin()
        && let Ok(ctx) = sample::context(&set, DEFAULT_LANGUAGE, LetterKind::Update, Channel::Postal)
        && let Ok(value) = serde_json::to_value(&ctx)
    {
        collect(&value, "", &mut paths);
    }
    paths
}

fn collect(value: &Value, prefix: &str, paths: &mut HashSet<String>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let path = join(k);
                paths.insert(path.clone());
                collect(v, &path, paths);
            }
        }
        Value::Array(items) => {
            let path = join("[]");
            paths.insert(path.clone());
            for item in items {
                collect(item, &path, paths);
            }
        }
        _ => {}
    }
}
