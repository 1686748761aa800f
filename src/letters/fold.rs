//! Templates with what every letter of a group says rendered once. Letters that share a
//! language, a time zone, a channel and a kind differ only in the person's own fields (name,
//! salutation, categories, systems, verification code); the rest (the incident's narrative,
//! the measures, the contact point, the markup around them) comes out the same in each. A
//! top-level element of a template that reads only shared fields, through the helpers letters
//! may use, is rendered once with the group's data and kept as plain text; handlebars then
//! only renders what is personal.
//!
//! Nothing is folded in a template that defines or calls partials at its top level (those
//! change what later elements mean), and an element that reads a whole scope (`this`, `.`,
//! `@root`) or fails to render stays as it is, so that the real rendering reports it.

use handlebars::template::{Template, TemplateElement};
use handlebars::{Context, Handlebars, Output, RenderContext, Renderable};

use super::analysis::analyse;
use super::phrasing::ALLOWED_HELPERS;

/// The top-level fields of the letter context that are the same for every letter of a group
/// (see `data::Shared`); `verification` is shared but for its code.
const SHARED: &[&str] = &[
    "kind",
    "channel",
    "locale",
    "lang",
    "letter_date",
    "organisation",
    "dpo",
    "incident",
    "update",
];

fn shared_field(path: &str) -> bool {
    let root = path.split('.').next().unwrap_or_default();
    SHARED.contains(&root)
        || path == "verification.url"
        || path == "verification.phone"
        || path.starts_with("verification.url.")
        || path.starts_with("verification.phone.")
}

/// Whether `element` renders the same for every letter of a group.
fn shared_only(element: &Template) -> bool {
    let is_helper = |n: &str| ALLOWED_HELPERS.contains(&n);
    let usage = analyse(element, "", &is_helper);
    usage.partials.is_empty()
        && usage.whole.is_empty()
        && usage.helpers.iter().all(|h| is_helper(&h.name))
        && usage.fields.iter().all(|f| shared_field(&f.name))
}

/// `tpl` with every shared top-level element replaced by its text for `data`.
pub fn fold(tpl: &Template, reg: &Handlebars<'_>, data: &Context) -> Template {
    // Template cannot be built field by field outside handlebars: an emptied copy.
    let mut empty = tpl.clone();
    empty.elements.clear();
    empty.mapping.clear();
    let mut out = empty.clone();
    let scoped = tpl.elements.iter().any(|e| {
        matches!(
            e,
            TemplateElement::PartialExpression(_)
                | TemplateElement::PartialBlock(_)
                | TemplateElement::DecoratorExpression(_)
                | TemplateElement::DecoratorBlock(_)
        )
    });
    if scoped || tpl.mapping.len() != tpl.elements.len() {
        return tpl.clone();
    }
    for (element, mapping) in tpl.elements.iter().zip(&tpl.mapping) {
        let mapping = mapping.clone();
        let text = match element {
            TemplateElement::RawString(s) => Some(s.clone()),
            TemplateElement::Comment(_) => Some(String::new()),
            _ => {
                let mut single = empty.clone();
                single.elements = vec![element.clone()];
                single.mapping = vec![mapping.clone()];
                shared_only(&single)
                    .then(|| {
                        let mut rc = RenderContext::new(single.name.as_ref());
                        let mut text = Text(String::new());
                        single.render(reg, data, &mut rc, &mut text).ok().map(|()| text.0)
                    })
                    .flatten()
            }
        };
        match (text, out.elements.last_mut()) {
            (Some(text), Some(TemplateElement::RawString(previous))) => previous.push_str(&text),
            (Some(text), _) => {
                out.elements.push(TemplateElement::RawString(text));
                out.mapping.push(mapping);
            }
            (None, _) => {
                out.elements.push(element.clone());
                out.mapping.push(mapping);
            }
        }
    }
    out
}

struct Text(String);

impl Output for Text {
    fn write(&mut self, seg: &str) -> std::io::Result<()> {
        self.0.push_str(seg);
        Ok(())
    }
}
