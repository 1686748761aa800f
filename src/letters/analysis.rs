//! What a template uses, read from its syntax tree without rendering it: the context fields
//! it references (as full paths such as `categories.[].advice`, resolved through `#each` and
//! `#with` blocks), the partials and helpers it calls, and where it outputs data unescaped
//! (`{{{ }}}`), each with its line. `letters lint` builds its checks on this.

use handlebars::template::{BlockParam, HelperTemplate, Parameter, Template, TemplateElement};

/// Something a template uses, at a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    pub name: String,
    pub line: usize,
}

/// Everything one template uses.
#[derive(Debug, Default)]
pub struct Usage {
    pub fields: Vec<Use>,
    /// Partials called, with the scope they are called in (`""` at the top).
    pub partials: Vec<(Use, String)>,
    pub helpers: Vec<Use>,
    /// Lines with `{{{ }}}`, which bypasses HTML escaping.
    pub unescaped: Vec<usize>,
    /// Lines that use a whole scope (`this`, `.`, `@root`) rather than a field of it.
    pub whole: Vec<usize>,
}

/// Reads what `tpl` uses when rendered in `scope` (`""` at the top level). `is_helper` tells a
/// helper's name from a field's in `{{name}}`.
pub fn analyse(tpl: &Template, scope: &str, is_helper: &dyn Fn(&str) -> bool) -> Usage {
    let mut usage = Usage::default();
    let mut walker = Walker {
        usage: &mut usage,
        is_helper,
        scopes: vec![scope.to_string()],
        aliases: Vec::new(),
    };
    walker.template(tpl, 1);
    usage
}

struct Walker<'a> {
    usage: &'a mut Usage,
    is_helper: &'a dyn Fn(&str) -> bool,
    scopes: Vec<String>,
    /// Block parameters (`{{#each categories as |c i|}}`): name and the path it stands for
    /// (`None` for the index, a local value).
    aliases: Vec<(String, Option<String>)>,
}

impl Walker<'_> {
    fn template(&mut self, tpl: &Template, fallback_line: usize) {
        for (i, element) in tpl.elements.iter().enumerate() {
            let line = tpl.mapping.get(i).map(|m| m.0).unwrap_or(fallback_line);
            self.element(element, line);
        }
    }

    fn element(&mut self, element: &TemplateElement, line: usize) {
        match element {
            TemplateElement::Expression(ht) => self.expression(ht, line),
            TemplateElement::HtmlExpression(ht) => {
                self.usage.unescaped.push(line);
                self.expression(ht, line);
            }
            TemplateElement::HelperBlock(ht) => self.block(ht, line),
            TemplateElement::PartialExpression(dt) | TemplateElement::PartialBlock(dt) => {
                if let Some(name) = dt.name.as_name() {
                    let scope = self.scopes.last().cloned().unwrap_or_default();
                    self.usage.partials.push((
                        Use {
                            name: name.to_string(),
                            line,
                        },
                        scope,
                    ));
                }
                for p in dt.params.iter().chain(dt.hash.values()) {
                    self.param(p, line);
                }
                if let Some(t) = &dt.template {
                    self.template(t, line);
                }
            }
            _ => {}
        }
    }

    fn expression(&mut self, ht: &HelperTemplate, line: usize) {
        let simple = ht.params.is_empty() && ht.hash.is_empty();
        match &ht.name {
            Parameter::Name(n) if simple && !(self.is_helper)(n) => self.field(n, line),
            Parameter::Name(n) => self.helper(n, line),
            p => self.param(p, line),
        }
        for p in ht.params.iter().chain(ht.hash.values()) {
            self.param(p, line);
        }
    }

    fn block(&mut self, ht: &HelperTemplate, line: usize) {
        let name = ht.name.as_name().unwrap_or_default().to_string();
        self.helper(&name, line);
        for p in ht.params.iter().chain(ht.hash.values()) {
            self.param(p, line);
        }
        let first = ht
            .params
            .first()
            .and_then(Parameter::as_name)
            .map(|p| self.resolve(p));
        let inner = match (name.as_str(), first) {
            ("each", Some(Some(path))) => Some(format!("{path}.[]")),
            ("with", Some(Some(path))) => Some(path),
            _ => None,
        };
        if let Some(t) = &ht.template {
            let (item, index) = match &ht.block_param {
                Some(BlockParam::Single(p)) => (p.as_name(), None),
                Some(BlockParam::Pair((p, q))) => (p.as_name(), q.as_name()),
                _ => (None, None),
            };
            let before = self.aliases.len();
            if let (Some(item), Some(path)) = (item, inner.clone()) {
                self.aliases.push((item.to_string(), Some(path)));
            }
            if let Some(index) = index {
                self.aliases.push((index.to_string(), None));
            }
            // `this` is still the item inside the block: the scope changes as without names.
            let pushed = inner.is_some();
            if let Some(scope) = inner {
                self.scopes.push(scope);
            }
            self.template(t, line);
            if pushed {
                self.scopes.pop();
            }
            self.aliases.truncate(before);
        }
        if let Some(t) = &ht.inverse {
            self.template(t, line);
        }
    }

    fn param(&mut self, p: &Parameter, line: usize) {
        match p {
            Parameter::Path(_) => {
                if let Some(raw) = p.as_name() {
                    self.field(raw, line);
                }
            }
            Parameter::Subexpression(sub) => self.element(sub.as_element(), line),
            Parameter::Name(n) => self.helper(n, line),
            _ => {}
        }
    }

    fn helper(&mut self, name: &str, line: usize) {
        self.usage.helpers.push(Use {
            name: name.to_string(),
            line,
        });
    }

    fn field(&mut self, raw: &str, line: usize) {
        match self.resolve(raw) {
            Some(path) if path.is_empty() => self.usage.whole.push(line),
            Some(path) => self.usage.fields.push(Use { name: path, line }),
            None => {}
        }
    }

    /// The full path of `raw` in the current scope; `None` for `@index` and other locals.
    fn resolve(&self, raw: &str) -> Option<String> {
        let mut rest = raw.trim();
        let mut depth = self.scopes.len() - 1;
        if let Some(r) = rest.strip_prefix("@root") {
            rest = r.trim_start_matches(['.', '/']);
            depth = 0;
        }
        while let Some(r) = rest.strip_prefix("../") {
            rest = r;
            depth = depth.saturating_sub(1);
        }
        if rest.starts_with('@') {
            return None;
        }
        let segments: Vec<&str> = rest
            .split(['.', '/'])
            .filter(|s| !s.is_empty() && *s != "this")
            .map(|s| s.trim_start_matches('[').trim_end_matches(']'))
            .collect();
        let mut segments = segments.into_iter().peekable();
        let alias = segments
            .peek()
            .and_then(|first| self.aliases.iter().rev().find(|(name, _)| name == first))
            .map(|(_, path)| path.clone());
        let mut path = match alias {
            Some(Some(path)) => {
                segments.next();
                path
            }
            Some(None) => return None,
            None => self.scopes[depth].clone(),
        };
        for s in segments {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(s);
        }
        Some(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(src: &str) -> Usage {
        let tpl = Template::compile(src).unwrap();
        analyse(&tpl, "", &|n| ["list", "date"].contains(&n))
    }

    fn fields(u: &Usage) -> Vec<(&str, usize)> {
        u.fields.iter().map(|f| (f.name.as_str(), f.line)).collect()
    }

    #[test]
    fn fields_resolve_through_blocks_with_lines() {
        let u = usage(
            "Hi {{person.name}}\n{{#each categories}}\n- {{label}}: {{this.advice}} {{@index}} {{../lang}}\n{{/each}}\n\
             {{#with dpo}}{{email}}{{/with}}{{#if incident.nature}}{{list systems \"name\"}}{{else}}{{@root.x}}{{/if}}\n{{date (lookup incident \"aware_at\")}}",
        );
        assert_eq!(
            fields(&u),
            [
                ("person.name", 1),
                ("categories", 2),
                ("categories.[].label", 3),
                ("categories.[].advice", 3),
                ("lang", 3),
                ("dpo", 5),
                ("dpo.email", 5),
                ("incident.nature", 5),
                ("systems", 5),
                ("x", 5),
                ("incident", 6),
            ]
        );
        let helpers: Vec<&str> = u.helpers.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(helpers, ["each", "with", "if", "list", "date", "lookup"]);
    }

    #[test]
    fn block_parameters_stand_for_their_items() {
        let u = usage("{{#each categories as |c i|}}{{c.label}} {{i}} {{key}} {{@root.lang}}{{/each}}");
        assert_eq!(
            fields(&u),
            [
                ("categories", 1),
                ("categories.[].label", 1),
                ("categories.[].key", 1),
                ("lang", 1)
            ]
        );
    }

    #[test]
    fn partials_and_unescaped_output_are_found() {
        let u = usage("a\n{{> contact}}\n{{#each categories}}{{> item}}{{/each}}\n{{{person.name}}}");
        let partials: Vec<(&str, usize, &str)> = u
            .partials
            .iter()
            .map(|(p, s)| (p.name.as_str(), p.line, s.as_str()))
            .collect();
        assert_eq!(partials, [("contact", 2, ""), ("item", 3, "categories.[]")]);
        assert_eq!(u.unescaped, [4]);
    }
}
