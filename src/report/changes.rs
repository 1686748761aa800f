//! What changed between two versions of a report: the facts an authority follows (numbers,
//! categories, countries, descriptions), compared by name, not by position.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// One fact that differs; `null` where the fact was (or is now) absent.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Change {
    pub fact: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The changed facts from the report `before` (a stored snapshot) to `after`.
pub fn diff(before: &Value, after: &Value) -> Vec<Change> {
    let (b, a) = (facts(before), facts(after));
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| b.get(*k) != a.get(*k))
        .map(|k| Change {
            fact: k.clone(),
            before: b.get(k).cloned(),
            after: a.get(k).cloned(),
        })
        .collect()
}

fn facts(r: &Value) -> BTreeMap<String, String> {
    let mut f = BTreeMap::new();
    let mut put = |name: String, v: &Value| {
        let text = match v {
            Value::Null => return,
            Value::String(s) => s.clone(),
            Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map(str::to_string).unwrap_or_else(|| i.to_string()))
                .collect::<Vec<_>>()
                .join(", "),
            other => other.to_string(),
        };
        f.insert(name, text);
    };
    for path in [
        "nature.description",
        "nature.breach_types",
        "nature.cause",
        "nature.subjects",
        "nature.records",
        "nature.special_category_subjects",
        "dpo.name",
        "dpo.email",
        "dpo.phone",
        "likely_consequences",
        "measures_taken",
        "measures_proposed",
        "timeline.occurred_from",
        "timeline.occurred_to",
        "timeline.detected_at",
        "timeline.delay_reasons",
        "assessment.band",
        "assessment.notify_subjects",
    ] {
        let v = path.split('.').fold(r, |v, k| &v[k]);
        put(path.to_string(), v);
    }
    for (list, key, prefix) in [
        ("categories", "category", "nature.categories"),
        ("systems", "key", "nature.systems"),
    ] {
        for item in r["nature"][list].as_array().into_iter().flatten() {
            let name = item[key].as_str().unwrap_or("unknown");
            put(format!("{prefix}.{name}"), &item["subjects"]);
        }
    }
    for item in r["cross_border"]["countries"].as_array().into_iter().flatten() {
        let name = item["key"].as_str().unwrap_or("unknown");
        put(format!("cross_border.countries.{name}"), &item["subjects"]);
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn facts_compare_by_name() {
        let a = json!({"nature": {"subjects": 10, "categories": [{"category": "email", "subjects": 10}]}});
        let b = json!({"nature": {"subjects": 12, "categories": [
            {"category": "health", "subjects": 2}, {"category": "email", "subjects": 10}]},
            "measures_taken": "restored"});
        let d = diff(&a, &b);
        let names: Vec<&str> = d.iter().map(|c| c.fact.as_str()).collect();
        assert_eq!(
            names,
            ["measures_taken", "nature.categories.health", "nature.subjects"]
        );
        assert_eq!(d[2].before.as_deref(), Some("10"));
        assert_eq!(d[0].before, None);
    }
}
