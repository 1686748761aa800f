//! Which regimes an incident's authority deadlines come from, and those deadlines as of now.
//! The regimes are the jurisdictions where the affected people live (`affected resolve`);
//! before any are known, the organisation's establishment in the configuration (its lead
//! authority, else its country); with neither, the GDPR is assumed and said to be.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::deadline::{AuthorityDeadline, Facts, Inputs};
use crate::config::Settings;
use crate::db::Db;
use crate::db::entities::incident::IncidentStatus;
use crate::error::Result;
use crate::incident::Incident;
use crate::jurisdiction::deadline as rule_deadline;
use crate::jurisdiction::incident::{anchors_and_decisions, meets};
use crate::jurisdiction::rules::{Anchor, Recipient, Test};
use crate::jurisdiction::{self, Anchors, Decisions, Rules};
use crate::report::{self, Phase, Submission};

/// The code of the regime every EU/EEA state shares in the rules.
const EEA_REGIME: &str = "EU";

/// Where the jurisdictions of the deadlines came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BasisKind {
    /// The affected people's jurisdictions.
    AffectedSubjects,
    /// No affected people yet: `lead_authority` under `[organisation]`.
    LeadAuthority,
    /// No affected people yet: `country` under `[organisation]`.
    OrganisationCountry,
    /// No affected people yet and no establishment configured: the GDPR is assumed.
    Assumed,
    /// No affected people yet, and the organisation's country has no rules of its own.
    Unknown,
}

/// What the deadlines are based on.
#[derive(Debug, Clone, Serialize)]
pub struct Basis {
    pub from: BasisKind,
    /// The jurisdiction codes the deadlines were computed for.
    pub jurisdictions: Vec<String>,
}

impl Basis {
    /// The basis in words, e.g. `GDPR assumed: no affected people yet, and no country or
    /// lead_authority under [organisation]`.
    pub fn describe(&self) -> String {
        let codes = self.jurisdictions.join(", ");
        match self.from {
            BasisKind::AffectedSubjects => format!("where the affected people live: {codes}"),
            BasisKind::LeadAuthority => {
                format!("no affected people yet: the lead authority {codes} under [organisation]")
            }
            BasisKind::OrganisationCountry => {
                format!("no affected people yet: the organisation's country {codes} under [organisation]")
            }
            BasisKind::Assumed => "GDPR assumed: no affected people yet, and no country or lead_authority \
                                   under [organisation]"
                .to_string(),
            BasisKind::Unknown => format!(
                "not known yet: no affected people, and the organisation's country {codes} has no rules of \
                 its own; `affected resolve` finds where the people live"
            ),
        }
    }
}

/// An incident's authority deadlines, most pressing first, and what they are based on.
#[derive(Debug, Clone, Serialize)]
pub struct AuthorityClock {
    pub basis: Basis,
    pub deadlines: Vec<AuthorityDeadline>,
}

/// What every incident's clock is read against: the rules and the organisation's settings,
/// loaded once per command.
pub struct Context {
    rules: Rules,
    lead: Option<String>,
    country: Option<String>,
    hipaa: bool,
}

impl Context {
    pub fn load(settings: &Settings) -> Result<Context> {
        let (rules, _) = jurisdiction::load(settings.playbook_dir.as_deref())?;
        let code = |c: &Option<String>| {
            c.as_deref()
                .map(|c| c.trim().to_ascii_uppercase())
                .filter(|c| !c.is_empty())
        };
        let org = &settings.organisation;
        Ok(Context {
            rules,
            lead: code(&org.lead_authority),
            country: code(&org.country),
            hipaa: org.hipaa_covered_entity,
        })
    }

    /// The jurisdictions to compute for, with their residents (`None`: not counted).
    fn basis(&self, counts: BTreeMap<String, u64>) -> (Basis, Vec<(String, Option<u64>)>) {
        let basis = |from, codes: Vec<String>| Basis {
            from,
            jurisdictions: codes,
        };
        if !counts.is_empty() {
            let codes = counts.keys().cloned().collect();
            let list = counts.into_iter().map(|(c, n)| (c, Some(n))).collect();
            return (basis(BasisKind::AffectedSubjects, codes), list);
        }
        let (from, code) = match (&self.lead, &self.country) {
            (Some(lead), _) => (BasisKind::LeadAuthority, lead.clone()),
            (None, Some(country)) if self.rules.get(country).is_some() => {
                (BasisKind::OrganisationCountry, country.clone())
            }
            (None, Some(country)) => return (basis(BasisKind::Unknown, vec![country.clone()]), Vec::new()),
            (None, None) => (BasisKind::Assumed, EEA_REGIME.to_string()),
        };
        (basis(from, vec![code.clone()]), vec![(code, None)])
    }
}

/// The incident's authority deadlines as of `now`.
pub async fn authority_clock(
    db: &Db,
    ctx: &Context,
    inc: &Incident,
    now: DateTime<Utc>,
    zone: Tz,
) -> Result<AuthorityClock> {
    let counts = crate::db::report::residents_by_jurisdiction(&db.conn, inc.id, ctx.hipaa).await?;
    let (anchors, decisions) = anchors_and_decisions(db, inc).await?;
    let submissions = report::submissions(db, inc.id).await?;
    Ok(clock_from(
        ctx,
        inc,
        counts,
        &anchors,
        decisions,
        &submissions,
        now,
        zone,
    ))
}

/// The deadlines as an incident is declared: nobody affected, nothing decided or submitted yet.
pub fn at_declaration(ctx: &Context, inc: &Incident, now: DateTime<Utc>) -> AuthorityClock {
    let anchors = Anchors(BTreeMap::from([
        (Anchor::Awareness, inc.aware_at),
        (Anchor::Discovery, inc.detected_at.unwrap_or(inc.aware_at)),
    ]));
    let none = Decisions::default();
    clock_from(
        ctx,
        inc,
        BTreeMap::new(),
        &anchors,
        none,
        &[],
        now,
        chrono_tz::UTC,
    )
}

#[allow(clippy::too_many_arguments)]
fn clock_from(
    ctx: &Context,
    inc: &Incident,
    counts: BTreeMap<String, u64>,
    anchors: &Anchors,
    decisions: Decisions,
    submissions: &[Submission],
    now: DateTime<Utc>,
    zone: Tz,
) -> AuthorityClock {
    let (basis, codes) = ctx.basis(counts);
    let mut inputs: Vec<Inputs> = Vec::new();
    for (code, residents) in &codes {
        for i in regime_inputs(ctx, code, *residents, anchors, decisions, submissions) {
            merge(&mut inputs, i);
        }
    }
    let facts = Facts {
        declared_at: inc.declared_at,
        closed_at: inc.closed_at.filter(|_| inc.status == IncidentStatus::Closed),
        delay_reasons_given: inc.delay_reasons.as_deref().is_some_and(|r| !r.trim().is_empty()),
    };
    let mut deadlines: Vec<AuthorityDeadline> = inputs
        .into_iter()
        .map(|i| AuthorityDeadline::compute(i, facts, now, zone))
        .collect();
    deadlines.sort_by_key(|d| (d.state, d.due.unwrap_or(DateTime::<Utc>::MAX_UTC)));
    AuthorityClock { basis, deadlines }
}

/// The deadline a first notification to `authority` is judged against: that jurisdiction's
/// own rule for its first notice to its authority. `None` when it has none with an instant.
pub async fn deadline_for_authority(
    db: &Db,
    ctx: &Context,
    inc: &Incident,
    authority: &str,
) -> Result<Option<Inputs>> {
    let counts = crate::db::report::residents_by_jurisdiction(&db.conn, inc.id, ctx.hipaa).await?;
    let residents = (!counts.is_empty()).then(|| counts.get(authority).copied().unwrap_or(0));
    let (anchors, decisions) = anchors_and_decisions(db, inc).await?;
    Ok(regime_inputs(ctx, authority, residents, &anchors, decisions, &[])
        .into_iter()
        .find(|i| i.owed))
}

/// The deadlines of one jurisdiction's notices to its authority.
fn regime_inputs(
    ctx: &Context,
    code: &str,
    residents: Option<u64>,
    anchors: &Anchors,
    decisions: Decisions,
    submissions: &[Submission],
) -> Vec<Inputs> {
    let Some(j) = ctx.rules.get(code) else {
        return vec![Inputs {
            regime: code.to_string(),
            regime_name: code.to_string(),
            jurisdictions: vec![code.to_string()],
            authority: "-".into(),
            rule: "not in jurisdictions.toml".into(),
            hours: None,
            due: None,
            owed: true,
            known: false,
            submission: None,
        }];
    };
    let regime = if report::content::is_eea(&j.code) {
        ctx.rules.get(EEA_REGIME).unwrap_or(j)
    } else {
        j
    };
    // An EU/EEA state's notice goes to the lead authority when there is one.
    let lead = ctx.lead.as_deref().and_then(|l| ctx.rules.get(l));
    let authority = match lead {
        Some(l) if report::content::is_eea(&j.code) => l.authority.name.clone(),
        _ => j.authority.name.clone(),
    };
    let mut met: Vec<&Submission> = submissions
        .iter()
        .filter(|s| {
            meets(&s.authority, &j.code, ctx.lead.as_deref())
                // With the GDPR assumed, no state is known: any EU/EEA authority's counts.
                || (j.code == EEA_REGIME && report::content::is_eea(&s.authority))
        })
        .collect();
    met.sort_by_key(|s| s.submitted_at);
    j.obligations
        .iter()
        .filter(|o| o.to == Recipient::Authority)
        .enumerate()
        .map(|(n, o)| {
            let test = match o.test {
                Test::None => Some(true),
                Test::Risk => decisions.notify_authority,
                Test::HighRisk => decisions.notify_subjects,
                Test::Regime => None,
            };
            let threshold = residents.map(|r| o.threshold.is_none_or(|t| t.met_by(r)));
            let owed = if o.threshold_or_test {
                !(threshold == Some(false) && test == Some(false))
            } else {
                threshold != Some(false) && test != Some(false)
            };
            let due = anchors
                .0
                .get(&o.anchor)
                .and_then(|at| rule_deadline::compute(&o.deadline, *at, j.zone, &ctx.rules.calendars).at);
            // The first notice is met by the first submission; a later one (a final report)
            // by the first final-phase submission.
            let submission = if n == 0 {
                met.first()
            } else {
                met.iter().find(|s| s.phase == Phase::Final)
            };
            Inputs {
                regime: regime.code.clone(),
                regime_name: regime.name.clone(),
                jurisdictions: vec![j.code.clone()],
                authority: authority.clone(),
                rule: format!(
                    "{} after {}",
                    rule_deadline::describe(&o.deadline),
                    anchor_words(o.anchor)
                ),
                hours: match o.deadline {
                    jurisdiction::rules::DeadlineRule::ElapsedHours { hours } => Some(i64::from(hours)),
                    _ => None,
                },
                due,
                owed,
                known: true,
                submission: submission.map(|s| (*s).clone()),
            }
        })
        .collect()
}

/// Adds `i`, or folds it into an entry for the same regime, rule, instant and outcome (the
/// EU/EEA states share one deadline).
fn merge(list: &mut Vec<Inputs>, i: Inputs) {
    let same = |o: &&mut Inputs| {
        o.regime == i.regime
            && o.rule == i.rule
            && o.due == i.due
            && o.owed == i.owed
            && o.authority == i.authority
            && o.submission.as_ref().map(|s| (&s.authority, s.submitted_at))
                == i.submission.as_ref().map(|s| (&s.authority, s.submitted_at))
    };
    match list.iter_mut().find(|o| same(o)) {
        Some(o) => o.jurisdictions.extend(i.jurisdictions),
        None => list.push(i),
    }
}

fn anchor_words(a: Anchor) -> &'static str {
    match a {
        Anchor::Awareness => "awareness",
        Anchor::Discovery => "discovery",
        Anchor::Determination => "the determination",
        Anchor::Assessment => "the assessment",
        Anchor::NoticeToIndividuals => "the notice to individuals",
    }
}
