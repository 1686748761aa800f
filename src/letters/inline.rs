//! Partials inlined at compile time. handlebars-rust copies the whole context (every field of
//! the letter, as JSON) each time it enters a partial; a letter with five partials spent more
//! time copying than rendering. A plain `{{> name}}` (no parameters, no hash, no block, no
//! indentation) renders exactly as the partial's own elements in its place, so the renderer
//! uses templates where those calls are replaced by the partials' elements. Positions in the
//! spliced elements are the partial's, so errors are re-rendered with the original template
//! to name the right file and line.

use handlebars::Handlebars;
use handlebars::template::{Template, TemplateElement};

/// Deepest nesting of partials inlined; deeper calls stay calls (handlebars refuses a
/// partial that includes itself).
const MAX_DEPTH: usize = 8;

/// A copy of `tpl` with every plain partial call replaced by the partial registered in `reg`.
pub fn inline_partials(tpl: &Template, reg: &Handlebars<'_>) -> Template {
    let mut out = tpl.clone();
    splice(&mut out, reg, 0);
    out
}

fn splice(tpl: &mut Template, reg: &Handlebars<'_>, depth: usize) {
    let elements = std::mem::take(&mut tpl.elements);
    let mapping = std::mem::take(&mut tpl.mapping);
    let mut mapping = mapping.into_iter();
    for mut element in elements {
        let position = mapping.next();
        if let TemplateElement::PartialExpression(dt) = &element
            && depth < MAX_DEPTH
            && dt.params.is_empty()
            && dt.hash.is_empty()
            && dt.template.is_none()
            && dt.indent.is_none()
            && let Some(partial) = dt.name.as_name().and_then(|n| reg.get_template(n))
        {
            let mut partial = partial.clone();
            splice(&mut partial, reg, depth + 1);
            tpl.elements.extend(partial.elements);
            tpl.mapping.extend(partial.mapping);
            continue;
        }
        if let TemplateElement::HelperBlock(ht) = &mut element {
            if let Some(inner) = ht.template.as_mut() {
                splice(inner, reg, depth);
            }
            if let Some(inverse) = ht.inverse.as_mut() {
                splice(inverse, reg, depth);
            }
        }
        tpl.elements.push(element);
        if let Some(p) = position {
            tpl.mapping.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn inlined_templates_render_like_the_originals() {
        let mut reg = Handlebars::new();
        reg.set_strict_mode(true);
        reg.register_partial("item", "- {{label}}\n").unwrap();
        reg.register_partial("outer", "Items:\n{{#each items}}\n{{> item}}\n{{/each}}\n")
            .unwrap();
        reg.register_template_string(
            "main",
            "Hi {{name}}\n\n{{> outer}}\n{{#if name}}{{> item}}{{/if}}\nBye\n",
        )
        .unwrap();
        let inlined = inline_partials(reg.get_template("main").unwrap(), &reg);
        assert!(!format!("{inlined:?}").contains("PartialExpression"));
        reg.register_template("fast", inlined);
        let data = json!({"name": "<A>", "label": "top", "items": [{"label": "x"}, {"label": "y"}]});
        let want = reg.render("main", &data).unwrap();
        assert_eq!(reg.render("fast", &data).unwrap(), want);
        assert!(want.contains("- x\n- y\n"), "{want}");
    }
}
