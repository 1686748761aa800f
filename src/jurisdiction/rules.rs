//! The jurisdiction rules as data: the shape of `playbooks/jurisdictions.toml`, read and
//! checked so that every problem names the file and the line.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::tomlfile::Problem;

/// How sure we are of a fact (see REGULATORY.md): checked against the primary text,
/// against two or more secondary sources, or unverified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Confidence {
    V,
    S,
    U,
}

/// Who is to be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recipient {
    Authority,
    Individuals,
    Media,
    CreditAgencies,
    /// The organisation itself (an internal step with a legal deadline, e.g. finishing the assessment).
    Organisation,
}

/// The test that makes the obligation owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Test {
    /// None: owed whenever residents are affected (and any threshold is met).
    None,
    /// The incident's decision to notify the authority (GDPR: unless unlikely to result in a risk).
    Risk,
    /// The incident's decision to tell the people (GDPR: likely high risk).
    HighRisk,
    /// The jurisdiction's own test (RROSH, serious harm, ...), named in `test_note`.
    Regime,
}

/// The moment a deadline runs from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Anchor {
    Awareness,
    Discovery,
    Determination,
    Assessment,
    NoticeToIndividuals,
}

/// How many residents make the obligation owed; exact at the boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "ThresholdFile")]
pub enum Threshold {
    MoreThan(u64),
    AtLeast(u64),
    LessThan(u64),
}

impl Threshold {
    pub fn met_by(self, residents: u64) -> bool {
        match self {
            Threshold::MoreThan(n) => residents > n,
            Threshold::AtLeast(n) => residents >= n,
            Threshold::LessThan(n) => residents < n,
        }
    }

    pub fn describe(self) -> String {
        match self {
            Threshold::MoreThan(n) => format!("more than {n}"),
            Threshold::AtLeast(n) => format!("{n} or more"),
            Threshold::LessThan(n) => format!("fewer than {n}"),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThresholdFile {
    more_than: Option<u64>,
    at_least: Option<u64>,
    less_than: Option<u64>,
}

impl TryFrom<ThresholdFile> for Threshold {
    type Error = String;

    fn try_from(t: ThresholdFile) -> Result<Threshold, String> {
        match (t.more_than, t.at_least, t.less_than) {
            (Some(n), None, None) => Ok(Threshold::MoreThan(n)),
            (None, Some(n), None) => Ok(Threshold::AtLeast(n)),
            (None, None, Some(n)) => Ok(Threshold::LessThan(n)),
            _ => Err("a threshold is exactly one of more_than, at_least or less_than".into()),
        }
    }
}

/// A deadline rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "kebab-case", deny_unknown_fields)]
pub enum DeadlineRule {
    /// Exact hours after the anchor (a DST change moves the wall clock, not the instant).
    ElapsedHours { hours: u32 },
    /// The end of the local day `days` calendar days after the anchor's day.
    CalendarDays { days: u32 },
    /// The end of the `days`-th business day after the anchor's day, skipping weekends and
    /// the calendar's holidays.
    BusinessDays { days: u32, calendar: String },
    /// Without undue delay (as soon as practicable / feasible), with an outer limit if any.
    WithoutUndueDelay { outer: Option<Box<DeadlineRule>> },
    /// `days` days after 31 December of the anchor's year.
    DaysAfterYearEnd { days: u32 },
}

/// A holiday calendar for business days.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    pub name: String,
    /// First and last year the list is complete for.
    pub covers: [i32; 2],
    pub holidays: Vec<NaiveDate>,
    pub confidence: Confidence,
    pub note: Option<String>,
}

/// The authority of a jurisdiction.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authority {
    pub name: String,
    pub contact: Option<String>,
    pub website: Option<String>,
    pub web_form: Option<String>,
    pub confidence: Option<Confidence>,
}

/// A source with its confidence marker.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub text: String,
    pub url: Option<String>,
    pub confidence: Confidence,
}

/// One notification a jurisdiction may require.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObligationRule {
    pub key: String,
    pub to: Recipient,
    pub what: String,
    pub test: Test,
    pub test_note: Option<String>,
    pub threshold: Option<Threshold>,
    /// Meeting the threshold OR the test makes the obligation owed.
    #[serde(default)]
    pub threshold_or_test: bool,
    pub anchor: Anchor,
    pub deadline: DeadlineRule,
    #[serde(default)]
    pub content: Vec<String>,
    pub confidence: Confidence,
    pub note: Option<String>,
}

/// A jurisdiction, with its obligations resolved (inherited ones copied in).
#[derive(Debug, Clone, Serialize)]
pub struct Jurisdiction {
    pub code: String,
    pub name: String,
    pub law: Option<String>,
    #[serde(serialize_with = "zone_name")]
    pub zone: Tz,
    pub inherits: Option<String>,
    pub authority: Authority,
    pub sources: Vec<Source>,
    pub obligations: Vec<ObligationRule>,
}

fn zone_name<S: serde::Serializer>(z: &Tz, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(z.name())
}

/// Every jurisdiction and calendar.
#[derive(Debug, Clone, Serialize)]
pub struct Rules {
    pub calendars: BTreeMap<String, Calendar>,
    pub jurisdictions: Vec<Jurisdiction>,
}

impl Rules {
    /// Finds a jurisdiction by code (any case).
    pub fn get(&self, code: &str) -> Option<&Jurisdiction> {
        let wanted = code.trim().to_ascii_uppercase();
        self.jurisdictions.iter().find(|j| j.code == wanted)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    calendars: BTreeMap<String, Spanned<Calendar>>,
    #[serde(default)]
    jurisdiction: Vec<Spanned<JurisdictionFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JurisdictionFile {
    code: Spanned<String>,
    name: String,
    law: Option<String>,
    inherits: Option<Spanned<String>>,
    zone: Spanned<String>,
    authority: Authority,
    #[serde(default)]
    sources: Vec<Source>,
    #[serde(default)]
    obligation: Vec<Spanned<ObligationRule>>,
}

/// Reads and checks the rules; `origin` names the file in problems.
pub fn parse(text: &str, origin: &str) -> Result<Rules, Vec<Problem>> {
    let file: File = toml::from_str(text).map_err(|e| vec![Problem::parse(origin, text, &e)])?;
    let mut problems = Vec::new();
    let mut at = |offset: usize, message: String| problems.push(Problem::at(origin, text, offset, message));
    for (name, cal) in &file.calendars {
        let c = cal.get_ref();
        if c.covers[0] > c.covers[1] {
            at(
                cal.span().start,
                format!("calendar {name}: covers runs backwards"),
            );
        }
        for d in &c.holidays {
            let y = chrono::Datelike::year(d);
            if y < c.covers[0] || y > c.covers[1] {
                at(
                    cal.span().start,
                    format!("calendar {name}: holiday {d} is outside the years it covers"),
                );
            }
        }
    }
    let codes: Vec<String> = file
        .jurisdiction
        .iter()
        .map(|j| j.get_ref().code.get_ref().clone())
        .collect();
    let mut jurisdictions = Vec::new();
    for (i, spanned) in file.jurisdiction.iter().enumerate() {
        let j = spanned.get_ref();
        let code = j.code.get_ref().clone();
        if code.is_empty() || code != code.to_ascii_uppercase() {
            at(
                j.code.span().start,
                format!("code '{code}' must be upper case, e.g. DE or US-CA"),
            );
        }
        if codes[..i].contains(&code) {
            at(j.code.span().start, format!("code '{code}' is used twice"));
        }
        let zone = j.zone.get_ref().parse::<Tz>().unwrap_or_else(|_| {
            at(
                j.zone.span().start,
                format!("{code}: unknown time zone '{}'", j.zone.get_ref()),
            );
            chrono_tz::UTC
        });
        let mut obligations: Vec<ObligationRule> = j.obligation.iter().map(|o| o.get_ref().clone()).collect();
        let mut law = j.law.clone();
        let mut sources = j.sources.clone();
        if let Some(parent) = &j.inherits {
            let found = file
                .jurisdiction
                .iter()
                .find(|p| p.get_ref().code.get_ref() == parent.get_ref());
            match found {
                Some(p) if p.get_ref().inherits.is_none() => {
                    if !obligations.is_empty() {
                        at(
                            parent.span().start,
                            format!("{code}: inherits and also lists obligations; choose one"),
                        );
                    }
                    let p = p.get_ref();
                    obligations = p.obligation.iter().map(|o| o.get_ref().clone()).collect();
                    law = law.or_else(|| p.law.clone());
                    sources.extend(p.sources.iter().cloned());
                }
                Some(_) => at(
                    parent.span().start,
                    format!(
                        "{code}: '{}' itself inherits; inherit from its parent",
                        parent.get_ref()
                    ),
                ),
                None => at(
                    parent.span().start,
                    format!(
                        "{code}: inherits from unknown jurisdiction '{}'",
                        parent.get_ref()
                    ),
                ),
            }
        } else if obligations.is_empty() {
            at(
                spanned.span().start,
                format!("{code}: no [[jurisdiction.obligation]] and no inherits"),
            );
        }
        let mut keys: Vec<&str> = Vec::new();
        for o in &j.obligation {
            let rule = o.get_ref();
            if keys.contains(&rule.key.as_str()) {
                at(
                    o.span().start,
                    format!("{code}: obligation key '{}' is used twice", rule.key),
                );
            }
            keys.push(&rule.key);
            if let Some(problem) = check_deadline(&rule.deadline, &file.calendars) {
                at(o.span().start, format!("{code}/{}: {problem}", rule.key));
            }
            if rule.threshold_or_test && (rule.threshold.is_none() || rule.test == Test::None) {
                at(
                    o.span().start,
                    format!(
                        "{code}/{}: threshold_or_test needs both a threshold and a test",
                        rule.key
                    ),
                );
            }
            if rule.test == Test::Regime && rule.test_note.is_none() {
                at(
                    o.span().start,
                    format!(
                        "{code}/{}: test = \"regime\" needs a test_note naming the test",
                        rule.key
                    ),
                );
            }
        }
        jurisdictions.push(Jurisdiction {
            code,
            name: j.name.clone(),
            law,
            zone,
            inherits: j.inherits.as_ref().map(|p| p.get_ref().clone()),
            authority: j.authority.clone(),
            sources,
            obligations,
        });
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        return Err(problems);
    }
    Ok(Rules {
        calendars: file
            .calendars
            .into_iter()
            .map(|(k, v)| (k, v.into_inner()))
            .collect(),
        jurisdictions,
    })
}

fn check_deadline(rule: &DeadlineRule, calendars: &BTreeMap<String, Spanned<Calendar>>) -> Option<String> {
    match rule {
        DeadlineRule::BusinessDays { calendar, .. } if !calendars.contains_key(calendar) => {
            Some(format!("unknown holiday calendar '{calendar}'"))
        }
        DeadlineRule::WithoutUndueDelay { outer: Some(outer) } => match outer.as_ref() {
            DeadlineRule::WithoutUndueDelay { .. } => {
                Some("an outer limit cannot itself be 'without undue delay'".into())
            }
            inner => check_deadline(inner, calendars),
        },
        _ => None,
    }
}
