//! Rendering: a compiled template set (two handlebars registries per locale, one escaping
//! HTML for `.html` templates and one escaping nothing for text), and a renderer that turns a
//! [`LetterContext`] into a letter's parts through reused buffers, with the letter's content
//! hash. Handlebars runs in strict mode: a field the context lacks is an error, not a blank.
//! Data is never parsed as a template, so a name such as `{{x}}` stays text.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use handlebars::{Context, Handlebars, Output, RenderContext, RenderError, Renderable};
use sha2::{Digest, Sha256};

use super::clean::paragraphs;
use super::context::LetterContext;
use super::data::DataCache;
use super::inline::inline_partials;
use super::locale::Resolved;
use super::phrasing;
use super::templates::{DEFAULT_LANGUAGE, Role, TemplateFile, TemplateFiles};
use super::wrap::finish_text;
use super::{Channel, LetterKind, Locale, Part};
use crate::category::DataCategory;
use crate::error::{Error, Result};

/// The prefix of the registry names of templates with their partials inlined.
pub const FAST: &str = "fast:";

/// Plain-text letters are wrapped at this width (longer lines force quoted-printable in mail).
pub const TEXT_WIDTH: usize = 72;

/// A locale's compiled templates, advice and labels.
struct LocaleTemplates {
    text: Handlebars<'static>,
    html: Handlebars<'static>,
    advice: HashMap<&'static str, String>,
    labels: HashMap<&'static str, String>,
}

/// A compiled template set.
pub struct TemplateSet {
    version: String,
    default_locale: String,
    locales: BTreeMap<String, LocaleTemplates>,
}

/// `LOCALE/advice.toml`: advice per category key, and optional labels for languages the
/// vocabulary has none in.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AdviceFile {
    pub advice: BTreeMap<String, String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// Parses an advice file; the error names the file and line.
pub(crate) fn parse_advice(file: &TemplateFile) -> Result<AdviceFile> {
    toml::from_str(&file.text).map_err(|e| {
        let line = e
            .span()
            .map(|s| file.text[..s.start].lines().count().max(1))
            .unwrap_or(1);
        Error::bad_input(format!("{}:{line}: {}", file.display(), e.message()))
    })
}

fn registry(escape_html: bool) -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    if escape_html {
        hb.register_escape_fn(handlebars::html_escape);
    } else {
        hb.register_escape_fn(handlebars::no_escape);
    }
    // `log` would write personal data to the logs; `raw` has no use in a letter.
    hb.unregister_helper("log");
    hb.unregister_helper("raw");
    hb
}

/// The one-line error for a template that does not compile.
pub(crate) fn template_error(file: &TemplateFile, e: &handlebars::TemplateError) -> Error {
    let at = e.pos().map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default();
    Error::bad_input(format!("{}{at}: {}", file.display(), super::lint::reason(e)))
}

impl TemplateSet {
    /// The embedded default set.
    pub fn builtin() -> Result<TemplateSet> {
        TemplateSet::compile(&TemplateFiles::builtin())
    }

    /// The default set with the files under `dir` (if any) overriding it.
    pub fn load(dir: Option<&Path>) -> Result<TemplateSet> {
        TemplateSet::compile(&TemplateFiles::load(dir)?)
    }

    /// Compiles every locale of `files`; the first problem is the error (`letters lint` lists
    /// them all).
    pub fn compile(files: &TemplateFiles) -> Result<TemplateSet> {
        let mut locales = BTreeMap::new();
        for locale in files.locales() {
            let lang = locale.split('-').next().unwrap_or(locale);
            let mut t = LocaleTemplates {
                text: registry(false),
                html: registry(true),
                advice: HashMap::new(),
                labels: DataCategory::all()
                    .map(|c| (c.key(), c.label(lang).to_string()))
                    .collect(),
            };
            let mut has_advice = false;
            for file in files.iter().filter(|f| f.locale() == locale) {
                match super::templates::role(&file.path) {
                    Role::Letter { kind, name } => {
                        let reg = if name.ends_with(".html") {
                            &mut t.html
                        } else {
                            &mut t.text
                        };
                        reg.register_template_string(&format!("{kind}/{name}"), &file.text)
                            .map_err(|e| template_error(file, &e))?;
                    }
                    Role::Partial { name, html } => {
                        let reg = if html { &mut t.html } else { &mut t.text };
                        reg.register_partial(name, &file.text)
                            .map_err(|e| template_error(file, &e))?;
                    }
                    Role::Advice => {
                        has_advice = true;
                        let parsed = parse_advice(file)?;
                        for (key, text) in parsed.advice {
                            let c: DataCategory = key
                                .parse()
                                .map_err(|e| Error::bad_input(format!("{}: {e}", file.display())))?;
                            t.advice.insert(c.key(), paragraphs(&text));
                        }
                        for (key, text) in parsed.labels {
                            let c: DataCategory = key
                                .parse()
                                .map_err(|e| Error::bad_input(format!("{}: {e}", file.display())))?;
                            t.labels.insert(c.key(), text.trim().to_string());
                        }
                    }
                    Role::Unknown => {}
                }
            }
            if let Some(c) = DataCategory::all().find(|c| !t.advice.contains_key(c.key())) {
                let file = if has_advice {
                    "advice.toml has"
                } else {
                    "there is no advice.toml with"
                };
                return Err(Error::bad_input(format!(
                    "templates for '{locale}': {file} no advice for the data category '{c}'"
                )));
            }
            // The renderer's fast copies: partials inlined (see `inline`).
            for reg in [&mut t.text, &mut t.html] {
                let names: Vec<String> = reg
                    .get_templates()
                    .keys()
                    .filter(|n| n.contains('/'))
                    .cloned()
                    .collect();
                for name in names {
                    let fast = reg.get_template(&name).map(|tpl| inline_partials(tpl, reg));
                    if let Some(fast) = fast {
                        reg.register_template(&format!("{FAST}{name}"), fast);
                    }
                }
            }
            let labels: HashMap<String, String> =
                t.labels.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
            phrasing::register(&mut t.text, lang, labels.clone());
            phrasing::register(&mut t.html, lang, labels);
            locales.insert(locale.to_string(), t);
        }
        if !locales.contains_key(DEFAULT_LANGUAGE) {
            return Err(Error::bad_input(format!(
                "the template set has no '{DEFAULT_LANGUAGE}' templates, the language letters fall back to"
            )));
        }
        Ok(TemplateSet {
            version: files.version(),
            default_locale: DEFAULT_LANGUAGE.to_string(),
            locales,
        })
    }

    /// Makes `locale` (one the set has) the language of people with none on record.
    pub fn set_default_locale(&mut self, locale: &str) -> Result<()> {
        let wanted = locale.trim().to_ascii_lowercase();
        if !self.locales.contains_key(&wanted) {
            return Err(Error::bad_input(format!(
                "[letters] default_language '{locale}' has no templates: the set has {}",
                self.locales.keys().cloned().collect::<Vec<_>>().join(", ")
            )));
        }
        self.default_locale = wanted;
        Ok(())
    }

    /// The set's version: a hash of all its files' bytes.
    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn locales(&self) -> impl Iterator<Item = &str> {
        self.locales.keys().map(String::as_str)
    }

    /// The locale a person's letter is written in, and how it was chosen: theirs, its
    /// language, an official language of their `country` (ISO 3166-1 alpha-2), or the default
    /// (see `locale::resolve`).
    pub fn resolve_locale(&self, wanted: Option<&Locale>, country: Option<&str>) -> Resolved<'_> {
        super::locale::resolve(
            wanted,
            country,
            |t| self.locales.get_key_value(t).map(|(k, _)| k.as_str()),
            &self.default_locale,
        )
    }

    /// The language of people with no locale (or none the set has) on record.
    pub fn default_locale(&self) -> &str {
        &self.default_locale
    }

    fn locale(&self, locale: &str) -> &LocaleTemplates {
        self.locales
            .get(locale)
            .unwrap_or_else(|| &self.locales[&self.default_locale])
    }

    /// The plain-text handlebars registry of `locale` (templates named `KIND/FILE`, such as
    /// `initial/email.txt`, and [`FAST`]`KIND/FILE` with partials inlined): for benchmarks that
    /// measure the template engine alone.
    pub fn text_registry(&self, locale: &str) -> Option<&Handlebars<'static>> {
        self.locales.get(locale).map(|t| &t.text)
    }

    /// Advice for people whose `category` data were exposed, in `locale`.
    pub fn advice(&self, locale: &str, category: DataCategory) -> &str {
        self.locale(locale)
            .advice
            .get(category.key())
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// The category's label in `locale`.
    pub fn label(&self, locale: &str, category: DataCategory) -> &str {
        self.locale(locale)
            .labels
            .get(category.key())
            .map(String::as_str)
            .unwrap_or(category.key())
    }
}

/// A rendered letter: its parts (empty where the channel has none) and their hash.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderedLetter {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl RenderedLetter {
    pub fn part(&self, part: Part) -> &str {
        match part {
            Part::Subject => &self.subject,
            Part::Text => &self.text,
            Part::Html => &self.html,
        }
    }

    /// SHA-256 over the parts `channel` has, each with its name and length: what a person was
    /// sent, as evidence.
    pub fn content_hash(&self, channel: Channel) -> String {
        let mut hash = Sha256::new();
        for part in channel.parts() {
            let text = self.part(*part);
            hash.update(part.as_str().as_bytes());
            hash.update((text.len() as u64).to_le_bytes());
            hash.update(text.as_bytes());
        }
        hex::encode(hash.finalize())
    }
}

/// Renders letters with one set, reusing its buffers (and the JSON of what letters share)
/// from letter to letter.
pub struct Renderer<'s> {
    set: &'s TemplateSet,
    raw: String,
    data: DataCache,
    folded: Folded,
}

/// Templates folded for a group of letters (see `fold`): by the group's number, the
/// template's name and whether it is the HTML one.
#[derive(Default)]
struct Folded {
    entries: Vec<((u64, &'static str, bool), handlebars::template::Template)>,
}

/// Folded templates kept: a few groups times a channel's parts.
const FOLDED: usize = 48;

impl Folded {
    fn get(
        &mut self,
        key: (u64, &'static str, bool),
        make: impl FnOnce() -> handlebars::template::Template,
    ) -> &handlebars::template::Template {
        let index = match self.entries.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                if self.entries.len() == FOLDED {
                    self.entries.remove(0);
                }
                self.entries.push((key, make()));
                self.entries.len() - 1
            }
        };
        &self.entries[index].1
    }
}

impl<'s> Renderer<'s> {
    pub fn new(set: &'s TemplateSet) -> Renderer<'s> {
        Renderer {
            set,
            raw: String::with_capacity(8 * 1024),
            data: DataCache::default(),
            folded: Folded::default(),
        }
    }

    /// Renders every part of the letter `ctx` describes into `out`, replacing what it held.
    pub fn render(&mut self, ctx: &LetterContext, out: &mut RenderedLetter) -> Result<()> {
        let (data, group) = self.data.data(ctx)?;
        out.subject.clear();
        out.text.clear();
        out.html.clear();
        for part in ctx.channel.parts() {
            let target = match part {
                Part::Subject => &mut out.subject,
                Part::Text => &mut out.text,
                Part::Html => &mut out.html,
            };
            let job = Job {
                set: self.set,
                folded: &mut self.folded,
                group,
                data,
            };
            render_part(job, &mut self.raw, ctx, *part, target)?;
        }
        Ok(())
    }

    /// Renders one part of the letter into `out` (cleared first).
    pub fn render_one(&mut self, ctx: &LetterContext, part: Part, out: &mut String) -> Result<()> {
        if !ctx.channel.parts().contains(&part) {
            return Err(Error::bad_input(format!(
                "a {} letter has no {part} part",
                ctx.channel
            )));
        }
        let (data, group) = self.data.data(ctx)?;
        out.clear();
        let job = Job {
            set: self.set,
            folded: &mut self.folded,
            group,
            data,
        };
        render_part(job, &mut self.raw, ctx, part, out)
    }
}

/// The registry names of a letter template: as written, and with its partials inlined.
fn template_names(kind: LetterKind, file: &str) -> Option<(&'static str, &'static str)> {
    macro_rules! names {
        ($kind:literal, $file:literal) => {
            Some((
                concat!($kind, "/", $file),
                concat!("fast:", $kind, "/", $file),
            ))
        };
    }
    match (kind, file) {
        (LetterKind::Initial, "subject.txt") => names!("initial", "subject.txt"),
        (LetterKind::Initial, "email.txt") => names!("initial", "email.txt"),
        (LetterKind::Initial, "email.html") => names!("initial", "email.html"),
        (LetterKind::Initial, "postal.txt") => names!("initial", "postal.txt"),
        (LetterKind::Update, "subject.txt") => names!("update", "subject.txt"),
        (LetterKind::Update, "email.txt") => names!("update", "email.txt"),
        (LetterKind::Update, "email.html") => names!("update", "email.html"),
        (LetterKind::Update, "postal.txt") => names!("update", "postal.txt"),
        _ => None,
    }
}

/// What rendering one part needs besides the letter.
struct Job<'a> {
    set: &'a TemplateSet,
    folded: &'a mut Folded,
    /// The letter's group (see `DataCache::data`).
    group: u64,
    data: &'a Context,
}

fn render_part(
    job: Job<'_>,
    raw: &mut String,
    ctx: &LetterContext,
    part: Part,
    out: &mut String,
) -> Result<()> {
    let Job {
        set,
        folded,
        group,
        data,
    } = job;
    let templates = set.locale(&ctx.locale);
    let file = part.file_name(ctx.channel);
    let (name, fast) = match template_names(ctx.kind, file) {
        Some(names) => names,
        None => {
            return Err(Error::failure(format!(
                "no template name for {}/{file}",
                ctx.kind
            )));
        }
    };
    let reg = if part == Part::Html {
        &templates.html
    } else {
        &templates.text
    };
    if !reg.has_template(name) {
        return Err(Error::bad_input(format!(
            "the template {}/{name} is missing: `breachdesk letters lint` checks a set",
            ctx.locale
        )));
    }
    raw.clear();
    let result = match reg.get_template(fast).or(reg.get_template(name)) {
        Some(tpl) => {
            let tpl = folded.get((group, fast, part == Part::Html), || {
                super::fold::fold(tpl, reg, data)
            });
            let mut rc = RenderContext::new(tpl.name.as_ref());
            tpl.render(reg, data, &mut rc, &mut StringOut(raw))
        }
        None => Ok(()),
    };
    if let Err(fast_error) = result {
        // Render the original, partials and all, for an error that names the right file.
        let exact = reg.render_with_context_to_write(name, data, std::io::sink());
        return Err(render_error(
            &ctx.locale,
            ctx.kind,
            &exact.err().unwrap_or(fast_error),
        ));
    }
    let rendered = raw.as_str();
    match part {
        // One line, whatever the data: a line break in a subject would start a mail header.
        Part::Subject => out.extend(rendered.split_whitespace().flat_map(|w| [" ", w]).skip(1)),
        Part::Text => finish_text(rendered, TEXT_WIDTH, out),
        Part::Html => out.push_str(rendered),
    }
    Ok(())
}

/// Handlebars output straight into a reused string (no UTF-8 check of bytes already `str`).
struct StringOut<'a>(&'a mut String);

impl Output for StringOut<'_> {
    fn write(&mut self, seg: &str) -> std::io::Result<()> {
        self.0.push_str(seg);
        Ok(())
    }
}

/// A rendering error as one line naming the template file and line; never any data.
fn render_error(locale: &str, kind: LetterKind, e: &RenderError) -> Error {
    let template = e.template_name.as_deref().unwrap_or("?");
    let file = if template.contains('/') {
        format!("{locale}/{template}")
    } else {
        format!("{locale}/partials/{template} (for {kind})")
    };
    let line = e.line_no.map(|l| format!(":{l}")).unwrap_or_default();
    Error::bad_input(format!("{file}{line}: {}", e.reason()))
}
