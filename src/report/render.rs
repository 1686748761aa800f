//! The authority report as Markdown or HTML. Both are drawn from one list of sections, so they
//! say the same; HTML escapes every piece of data, Markdown neutralises table pipes and line
//! breaks in cells.

use chrono_tz::Tz;

use super::AuthorityReport;
use crate::clock;

/// A heading and its rows of label and value.
#[derive(serde::Serialize)]
pub(super) struct Section {
    pub title: &'static str,
    pub rows: Vec<(String, String)>,
}

/// The report's sections, in order: what every format shows.
pub(super) fn sections(r: &AuthorityReport, zone: Tz) -> Vec<Section> {
    let t = |v: Option<chrono::DateTime<chrono::Utc>>| {
        v.map(|t| clock::human_with_utc(t, zone))
            .unwrap_or_else(|| "not known".into())
    };
    let or = |v: &Option<String>, missing: &str| {
        v.clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| missing.to_string())
    };
    let row = |label: &str, value: String| (label.to_string(), value);
    let mut out = Vec::new();
    out.push(Section {
        title: "Report",
        rows: vec![
            row("Incident", format!("{} — {}", r.incident, r.title)),
            row("Phase", r.phase.as_str().to_string()),
            row(
                "To",
                match (&r.authority.name, &r.authority.code) {
                    (Some(n), Some(c)) => format!("{n} ({c})"),
                    _ => "the competent supervisory authority".into(),
                },
            ),
            row("Controller", or(&r.organisation, "not stated")),
            row("Generated", clock::human_with_utc(r.generated_at, zone)),
        ],
    });
    let n = &r.nature;
    let mut nature = vec![
        row("Description", or(&n.description, "not yet recorded")),
        row("Breach type", n.breach_types.join(", ")),
        row("Cause", n.cause.to_string()),
        row("Data subjects concerned (approx.)", n.subjects.to_string()),
        row("Personal data records concerned (approx.)", n.records.to_string()),
        row(
            "Subjects with special-category or criminal data",
            n.special_category_subjects.to_string(),
        ),
    ];
    for c in &n.categories {
        let special = if c.special { " (special category)" } else { "" };
        nature.push(row(
            &format!("Category: {}{special}", c.category.info().label_en),
            format!("{} subjects", c.subjects),
        ));
    }
    for s in &n.systems {
        nature.push(row(
            &format!("System: {}", s.key.as_deref().unwrap_or("?")),
            format!("{} subjects", s.subjects),
        ));
    }
    out.push(Section {
        title: "Nature of the breach (Art. 33(3)(a))",
        rows: nature,
    });
    out.push(Section {
        title: "Contact point (Art. 33(3)(b))",
        rows: vec![
            row("Data protection officer", or(&r.dpo.name, "not recorded")),
            row("Email", or(&r.dpo.email, "-")),
            row("Phone", or(&r.dpo.phone, "-")),
        ],
    });
    out.push(Section {
        title: "Likely consequences (Art. 33(3)(c))",
        rows: vec![row(
            "Consequences",
            or(&r.likely_consequences, "not yet recorded"),
        )],
    });
    out.push(Section {
        title: "Measures (Art. 33(3)(d))",
        rows: vec![
            row("Taken", or(&r.measures_taken, "not yet recorded")),
            row("Proposed", or(&r.measures_proposed, "not yet recorded")),
        ],
    });
    let tl = &r.timeline;
    let mut timeline = vec![
        row("Breach began", t(tl.occurred_from)),
        row("Breach ended", t(tl.occurred_to)),
        row("Detected", t(tl.detected_at)),
        row("Aware", t(Some(tl.aware_at))),
        row(
            "Deadline",
            match &tl.deadline_rule {
                Some(rule) => format!("{} ({rule})", t(tl.deadline)),
                None => "none known for this authority".into(),
            },
        ),
        row("First notified", t(Some(tl.first_notified_at))),
    ];
    if tl.late {
        timeline.push(row("Reasons for the delay", or(&tl.delay_reasons, "-")));
    }
    out.push(Section {
        title: "Timeline",
        rows: timeline,
    });
    let cb = &r.cross_border;
    let mut cross = vec![
        row(
            "Several EU/EEA member states",
            if cb.several_eea_states { "yes" } else { "no" }.into(),
        ),
        row("Lead supervisory authority", or(&cb.lead_authority, "not stated")),
    ];
    for c in &cb.countries {
        cross.push(row(
            &format!("Country: {}", c.key.as_deref().unwrap_or("unknown")),
            format!("{} subjects", c.subjects),
        ));
    }
    out.push(Section {
        title: "Cross-border aspects",
        rows: cross,
    });
    if let Some(a) = &r.assessment {
        let mut rows = vec![
            row("Method", a.method.clone()),
            row(
                "Severity",
                match (&a.band, a.score) {
                    (Some(b), Some(s)) => format!("{b} ({s})"),
                    _ => "-".into(),
                },
            ),
            row(
                "Notify the people",
                if a.notify_subjects { "yes" } else { "no" }.into(),
            ),
        ];
        if let Some(e) = &a.exemption {
            rows.push(row("Exemption relied on", e.clone()));
        }
        rows.push(row("Rationale", or(&a.rationale, "as proposed")));
        out.push(Section {
            title: "Risk assessment",
            rows,
        });
    }
    if let Some(p) = &r.previous {
        let mut rows = vec![row(
            "Previous submission",
            format!(
                "{} to {} on {}, reference {}",
                p.phase.as_str(),
                p.authority,
                clock::human(p.submitted_at, zone),
                p.reference
            ),
        )];
        if r.changes.is_empty() {
            rows.push(row("Changes", "none".into()));
        }
        for c in &r.changes {
            rows.push(row(
                &c.fact,
                format!(
                    "{} → {}",
                    c.before.as_deref().unwrap_or("(none)"),
                    c.after.as_deref().unwrap_or("(none)")
                ),
            ));
        }
        out.push(Section {
            title: "Changes since the previous submission (Art. 33(4))",
            rows,
        });
    }
    out
}

/// Markdown: a heading per section, a two-column table of its rows.
pub fn markdown(r: &AuthorityReport, zone: Tz) -> String {
    let cell = md_cell;
    let mut s = format!("# Personal data breach notification: {}\n", cell(&r.incident));
    for sec in sections(r, zone) {
        s.push_str(&format!("\n## {}\n\n| | |\n|---|---|\n", sec.title));
        for (label, value) in sec.rows {
            s.push_str(&format!("| {} | {} |\n", cell(&label), cell(&value)));
        }
    }
    s
}

/// A Markdown table cell: inline HTML escaped (Markdown renderers pass it through), pipes
/// escaped, line breaks as `<br>`.
pub fn md_cell(text: &str) -> String {
    escape(text)
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace(['\n', '\r'], "<br>")
}

/// HTML: a standalone page; every piece of data escaped.
pub fn html(r: &AuthorityReport, zone: Tz) -> String {
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Personal data breach notification: {inc}</title>\n\
         <style>body{{font-family:sans-serif;max-width:50em;margin:2em auto}}table{{width:100%;border-collapse:collapse}}th{{text-align:left;vertical-align:top;padding-right:1em;width:40%}}td{{white-space:pre-wrap}}</style>\n\
         </head>\n<body>\n<h1>Personal data breach notification: {inc}</h1>\n",
        inc = escape(&r.incident)
    );
    for sec in sections(r, zone) {
        s.push_str(&format!("<h2>{}</h2>\n<table>\n", escape(sec.title)));
        for (label, value) in sec.rows {
            s.push_str(&format!(
                "<tr><th>{}</th><td>{}</td></tr>\n",
                escape(&label),
                escape(&value)
            ));
        }
        s.push_str("</table>\n");
    }
    s.push_str("</body>\n</html>\n");
    s
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn html_escapes() {
        assert_eq!(
            super::escape("<script>\"a\" & 'b'</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }
}
