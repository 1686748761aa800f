//! `breachdesk incident ...`: declare, list, show, update, close, reopen, timeline.

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand, ValueEnum};

use super::output::{Out, or_dash};
use crate::audit;
use crate::category::DataCategory;
use crate::clock;
use crate::config::Settings;
use crate::db;
use crate::error::Result;
use crate::incident::regimes::{Context, authority_clock};
use crate::incident::view::{IncidentView, timeline};
use crate::incident::{self, BreachTypes, Cause, Changes, Declaration, ListFilter};
use crate::resolve::{self, ScopeEntry};

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Record a new incident; prints its reference (BD-YYYY-NNNN) and the authority deadlines
    /// that run from --aware-at (or another anchor), each under its own regime.
    Declare(DeclareArgs),
    /// List incidents, newest first.
    List {
        #[arg(long, value_enum, default_value_t = StatusFilter::Open)]
        status: StatusFilter,
        #[arg(long)]
        json: bool,
    },
    /// Show one incident with its authority deadlines.
    Show {
        reference: String,
        #[arg(long)]
        json: bool,
    },
    /// Change an incident's facts, contact point or measures. An empty value clears a field.
    Update(UpdateArgs),
    /// Close an incident.
    Close { reference: String },
    /// Reopen a closed incident.
    Reopen { reference: String },
    /// Say what the incident exposed: a system, optionally only some categories and the
    /// records of a time window. Repeat for each system; without --system, show the scope.
    Scope {
        reference: String,
        #[arg(long, value_name = "KEY")]
        system: Option<String>,
        /// Exposed categories (default: everything the system's records hold).
        #[arg(long, value_name = "LIST")]
        categories: Option<String>,
        /// Only records that existed on or after this time.
        #[arg(long, value_name = "TIME")]
        records_from: Option<String>,
        /// Only records that existed on or before this time.
        #[arg(long, value_name = "TIME")]
        records_to: Option<String>,
        /// Take the system out of the scope.
        #[arg(long)]
        remove: bool,
        #[arg(long)]
        json: bool,
    },
    /// What happened when: the incident's dates, its deadline, and what was recorded.
    Timeline {
        reference: String,
        #[arg(long)]
        json: bool,
    },
    #[command(flatten)]
    Assess(super::assess::AssessCommand),
    #[command(flatten)]
    Narrative(super::narrative::NarrativeCommand),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StatusFilter {
    Open,
    Closed,
    All,
}

#[derive(Debug, Args)]
pub struct DeclareArgs {
    /// A short title, e.g. "Ransomware on the HR file server".
    #[arg(long)]
    title: String,
    /// When the organisation became reasonably certain that personal data were compromised
    /// (default: now). TIME is RFC 3339 with an offset, or a local time in --tz.
    #[arg(long, value_name = "TIME")]
    aware_at: Option<String>,
    /// When the breach began, if known.
    #[arg(long, value_name = "TIME")]
    occurred_from: Option<String>,
    /// When the breach ended, if known.
    #[arg(long, value_name = "TIME")]
    occurred_to: Option<String>,
    /// When it was first detected.
    #[arg(long, value_name = "TIME")]
    detected_at: Option<String>,
    /// What happened, in plain words.
    #[arg(long)]
    nature: Option<String>,
    #[arg(long, value_enum, default_value_t = CauseArg::Unknown)]
    cause: CauseArg,
    /// confidentiality, integrity and/or availability, comma-separated.
    #[arg(long, value_name = "TYPES")]
    breach_type: Option<String>,
    /// The playbook the response follows.
    #[arg(long, value_name = "NAME")]
    playbook: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CauseArg {
    Malicious,
    Accidental,
    Unknown,
}

impl From<CauseArg> for Cause {
    fn from(c: CauseArg) -> Cause {
        match c {
            CauseArg::Malicious => Cause::Malicious,
            CauseArg::Accidental => Cause::Accidental,
            CauseArg::Unknown => Cause::Unknown,
        }
    }
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    reference: String,
    #[arg(long)]
    title: Option<String>,
    #[arg(long)]
    nature: Option<String>,
    #[arg(long, value_enum)]
    cause: Option<CauseArg>,
    #[arg(long, value_name = "TYPES")]
    breach_type: Option<String>,
    #[arg(long, value_name = "TIME")]
    aware_at: Option<String>,
    #[arg(long, value_name = "TIME")]
    occurred_from: Option<String>,
    #[arg(long, value_name = "TIME")]
    occurred_to: Option<String>,
    #[arg(long, value_name = "TIME")]
    detected_at: Option<String>,
    #[arg(long, value_name = "NAME")]
    playbook: Option<String>,
    /// Name of the DPO or other contact point (Art. 33(3)(b)).
    #[arg(long)]
    dpo_name: Option<String>,
    #[arg(long)]
    dpo_email: Option<String>,
    #[arg(long)]
    dpo_phone: Option<String>,
    /// The likely consequences of the breach (Art. 33(3)(c)).
    #[arg(long)]
    likely_consequences: Option<String>,
    /// Measures taken to address the breach (Art. 33(3)(d)).
    #[arg(long)]
    measures_taken: Option<String>,
    /// Measures proposed, including to mitigate possible adverse effects (Art. 33(3)(d)).
    #[arg(long)]
    measures_proposed: Option<String>,
    /// Why notification comes after the deadline (GDPR Art. 33(1): 72 hours).
    #[arg(long)]
    delay_reasons: Option<String>,
}

pub async fn run(cmd: IncidentCommand, settings: &Settings, out: Out) -> Result<()> {
    let db = db::open_current(&settings.database_url).await?;
    let zone = settings.zone;
    let time = |t: Option<String>| -> Result<Option<DateTime<Utc>>> {
        t.map(|text| clock::parse_time(&text, zone)).transpose()
    };
    match cmd {
        IncidentCommand::Declare(a) => {
            let declaration = Declaration {
                title: a.title,
                aware_at: time(a.aware_at)?,
                occurred_from: time(a.occurred_from)?,
                occurred_to: time(a.occurred_to)?,
                detected_at: time(a.detected_at)?,
                nature: a.nature,
                cause: a.cause.into(),
                breach_types: a
                    .breach_type
                    .as_deref()
                    .map(BreachTypes::parse)
                    .transpose()?
                    .unwrap_or_default(),
                playbook: a.playbook,
            };
            let model = incident::declare(&db, settings, declaration).await?;
            let ctx = Context::load(settings)?;
            let view = IncidentView::read(&db, &ctx, model, settings.now(), zone).await?;
            out.result(&view.reference);
            for d in &view.authority_deadlines {
                out.say(super::incident_page::declared_deadline(d, &view.reference, zone));
            }
            if view.authority_deadlines.is_empty() {
                out.say("No authority deadline known yet.");
            }
            out.say(format!("Deadlines based on {}.", view.deadline_basis.describe()));
            Ok(())
        }
        IncidentCommand::List { status, json } => {
            let filter = match status {
                StatusFilter::Open => ListFilter::Open,
                StatusFilter::Closed => ListFilter::Closed,
                StatusFilter::All => ListFilter::All,
            };
            let now = settings.now();
            let ctx = Context::load(settings)?;
            let mut views: Vec<IncidentView> = Vec::new();
            for m in incident::list(&db, filter).await? {
                views.push(IncidentView::read(&db, &ctx, m, now, zone).await?);
            }
            if json {
                return out.json(&views);
            }
            if views.is_empty() {
                out.say("No incidents. Declare one with `breachdesk incident declare --title ...`.");
                return Ok(());
            }
            let rows = views
                .iter()
                .map(|v| {
                    let d = v.authority_deadline.as_ref();
                    let more = match v.authority_deadlines.len() {
                        0 | 1 => String::new(),
                        n => format!(" (+{} more)", n - 1),
                    };
                    vec![
                        v.reference.clone(),
                        v.title.clone(),
                        super::incident_page::serde_plain(&v.status),
                        or_dash(d.and_then(|d| d.due).map(|t| clock::human(t, zone))),
                        d.map_or_else(|| "no deadline known".to_string(), |d| d.describe() + &more),
                    ]
                })
                .collect();
            out.table(&["Reference", "Title", "Status", "Authority due", "Clock"], rows);
            Ok(())
        }
        IncidentCommand::Show { reference, json } => {
            let ctx = Context::load(settings)?;
            let model = incident::find(&db, &reference).await?;
            let view = IncidentView::read(&db, &ctx, model, settings.now(), zone).await?;
            if json {
                return out.json(&view);
            }
            super::incident_page::show(&view, settings, out);
            Ok(())
        }
        IncidentCommand::Update(a) => {
            let clearable = |v: Option<String>| v.map(|s| Some(s).filter(|s| !s.trim().is_empty()));
            let clearable_time = |v: Option<String>| -> Result<Option<Option<DateTime<Utc>>>> {
                match v {
                    None => Ok(None),
                    Some(s) if s.trim().is_empty() => Ok(Some(None)),
                    Some(s) => Ok(Some(Some(clock::parse_time(&s, zone)?))),
                }
            };
            let changes = Changes {
                title: a.title,
                nature: clearable(a.nature),
                cause: a.cause.map(Cause::from),
                breach_types: a.breach_type.as_deref().map(BreachTypes::parse).transpose()?,
                aware_at: time(a.aware_at)?,
                occurred_from: clearable_time(a.occurred_from)?,
                occurred_to: clearable_time(a.occurred_to)?,
                detected_at: clearable_time(a.detected_at)?,
                playbook: clearable(a.playbook),
                dpo_name: clearable(a.dpo_name),
                dpo_email: clearable(a.dpo_email),
                dpo_phone: clearable(a.dpo_phone),
                likely_consequences: clearable(a.likely_consequences),
                measures_taken: clearable(a.measures_taken),
                measures_proposed: clearable(a.measures_proposed),
                delay_reasons: clearable(a.delay_reasons),
            };
            let (model, changed) = incident::update(&db, settings, &a.reference, changes).await?;
            if changed.is_empty() {
                out.say(format!("{}: nothing changed.", model.reference));
            } else {
                out.say(format!("{}: updated {}.", model.reference, changed.join(", ")));
            }
            Ok(())
        }
        IncidentCommand::Close { reference } => {
            let model = incident::close(&db, settings, &reference).await?;
            out.say(format!("{} closed.", model.reference));
            Ok(())
        }
        IncidentCommand::Reopen { reference } => {
            let model = incident::reopen(&db, settings, &reference).await?;
            out.say(format!("{} reopened.", model.reference));
            Ok(())
        }
        IncidentCommand::Scope {
            reference,
            system,
            categories,
            records_from,
            records_to,
            remove,
            json,
        } => {
            match (system, remove) {
                (Some(system), true) => {
                    resolve::remove_scope(&db, settings, &reference, &system).await?;
                    out.say(format!(
                        "{system} taken out of the scope; run `breachdesk affected resolve {reference}`."
                    ));
                }
                (Some(system), false) => {
                    let entry = ScopeEntry {
                        system: system.clone(),
                        categories: categories.as_deref().map(DataCategory::parse_list).transpose()?,
                        records_from: time(records_from)?,
                        records_to: time(records_to)?,
                    };
                    resolve::set_scope(&db, settings, &reference, entry).await?;
                    out.say(format!(
                        "{system} is in the scope; run `breachdesk affected resolve {reference}`."
                    ));
                }
                (None, true) => return Err(crate::error::Error::bad_input("--remove needs --system KEY")),
                (None, false) => {
                    let scope = resolve::scope(&db, &reference).await?;
                    if json {
                        return out.json(&scope);
                    }
                    let rows = scope
                        .iter()
                        .map(|s| {
                            vec![
                                s.system.clone(),
                                if s.categories.is_empty() {
                                    "(all held)".into()
                                } else {
                                    DataCategory::join(&s.categories)
                                },
                                or_dash(s.records_from.map(|t| clock::human(t, zone))),
                                or_dash(s.records_to.map(|t| clock::human(t, zone))),
                            ]
                        })
                        .collect();
                    out.table(&["System", "Categories", "Records from", "Records to"], rows);
                }
            }
            Ok(())
        }
        IncidentCommand::Timeline { reference, json } => {
            let model = incident::find(&db, &reference).await?;
            let ctx = Context::load(settings)?;
            let clock = authority_clock(&db, &ctx, &model, settings.now(), zone).await?;
            let entries = timeline(
                &model,
                &clock.deadlines,
                audit::log(&db, Some(&model.reference)).await?,
            );
            if json {
                return out.json(&entries);
            }
            let rows = entries
                .iter()
                .map(|e| vec![clock::human(e.at, zone), e.what.clone(), or_dash(e.by.as_ref())])
                .collect();
            out.say(format!("{} — {}", model.reference, model.title));
            out.table(&["When", "What", "By"], rows);
            Ok(())
        }
        IncidentCommand::Assess(cmd) => super::assess::run(cmd, &db, settings, out).await,
        IncidentCommand::Narrative(cmd) => super::narrative::run(cmd, &db, settings, out).await,
    }
}
