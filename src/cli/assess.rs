//! `breachdesk incident assess|decide|assessments`: the ENISA severity assessment, the
//! notification decisions, and their history.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{ArgGroup, Args, Subcommand, ValueEnum};

use super::assess_prompt;
use super::output::Out;
use crate::assess::enisa::quarters_text;
use crate::assess::view::AssessmentView;
use crate::assess::{self, Confirmation, Decision, Evaluation, Exemption, answers};
use crate::clock;
use crate::config::Settings;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::incident;

#[derive(Debug, Subcommand)]
pub enum AssessCommand {
    /// Score the breach's severity (ENISA 2013: SE = DPC x EI + CB), see the proposed decisions
    /// and confirm or override them. Asks on a terminal, or reads --answers FILE.toml.
    Assess(AssessArgs),
    /// Record the notification decisions directly, with their rationale.
    Decide(DecideArgs),
    /// The assessments and decisions of an incident, oldest first; the latest rules.
    Assessments {
        reference: String,
        #[arg(long)]
        json: bool,
    },
    /// Every notification owed for the affected residents' jurisdictions, to whom, by when.
    Obligations(super::obligations::ObligationsArgs),
}

#[derive(Debug, Args)]
#[command(after_long_help = answers::FORMAT)]
pub struct AssessArgs {
    reference: String,
    /// The answers as TOML (the format is shown by --help).
    #[arg(long, value_name = "FILE")]
    answers: Option<PathBuf>,
    /// Accept the proposed decisions.
    #[arg(long, conflicts_with_all = ["override_authority", "override_subjects"])]
    accept: bool,
    /// Decide otherwise than proposed on notifying the supervisory authority.
    #[arg(long, value_enum, value_name = "yes|no")]
    override_authority: Option<YesNo>,
    /// Decide otherwise than proposed on telling the data subjects.
    #[arg(long, value_enum, value_name = "yes|no")]
    override_subjects: Option<YesNo>,
    /// The Art. 34(3) exemption relied on for not telling the people.
    #[arg(long, value_enum)]
    exemption: Option<ExemptionArg>,
    /// Why: required when the decision departs from the proposal.
    #[arg(long, value_name = "TEXT")]
    rationale: Option<String>,
    /// Print the recorded assessment as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("authority_decision").required(true).args(["authority", "no_authority"])))]
#[command(group(ArgGroup::new("subjects_decision").required(true).args(["subjects", "no_subjects"])))]
pub struct DecideArgs {
    reference: String,
    /// Notify the supervisory authority (GDPR Art. 33).
    #[arg(long)]
    authority: bool,
    /// Do not notify it: the breach is unlikely to result in a risk.
    #[arg(long)]
    no_authority: bool,
    /// Tell the data subjects (GDPR Art. 34).
    #[arg(long)]
    subjects: bool,
    /// Do not tell them.
    #[arg(long)]
    no_subjects: bool,
    /// Why.
    #[arg(long, value_name = "TEXT", required = true)]
    rationale: String,
    /// The Art. 34(3) exemption relied on, with --no-subjects.
    #[arg(long, value_enum)]
    exemption: Option<ExemptionArg>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum YesNo {
    Yes,
    No,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExemptionArg {
    #[value(name = "art34-3-a")]
    Art34_3A,
    #[value(name = "art34-3-b")]
    Art34_3B,
    #[value(name = "art34-3-c")]
    Art34_3C,
}

impl From<ExemptionArg> for Exemption {
    fn from(e: ExemptionArg) -> Exemption {
        match e {
            ExemptionArg::Art34_3A => Exemption::Art34_3A,
            ExemptionArg::Art34_3B => Exemption::Art34_3B,
            ExemptionArg::Art34_3C => Exemption::Art34_3C,
        }
    }
}

pub async fn run(cmd: AssessCommand, db: &Db, settings: &Settings, out: Out) -> Result<()> {
    match cmd {
        AssessCommand::Assess(a) => run_assess(a, db, settings, out).await,
        AssessCommand::Obligations(a) => super::obligations::run(a, db, settings, out).await,
        AssessCommand::Decide(a) => {
            let decision = Decision {
                notify_authority: a.authority,
                notify_subjects: a.subjects,
                exemption: a.exemption.map(Exemption::from),
                rationale: a.rationale,
            };
            let m = assess::decide(db, settings, &a.reference, decision).await?;
            out.say(format!(
                "Decision v{} recorded: {}.",
                m.version,
                describe(m.notify_authority, m.notify_subjects, m.exemption)
            ));
            if m.exemption == Some(Exemption::Art34_3C) {
                out.say("Art. 34(3)(c): a public communication or similar measure must inform the people instead.");
            }
            Ok(())
        }
        AssessCommand::Assessments { reference, json } => {
            let inc = incident::find(db, &reference).await?;
            let views = AssessmentView::all(assess::list(db, inc.id).await?);
            if json {
                return out.json(&views);
            }
            if views.is_empty() {
                out.say(format!(
                    "{} has no assessment yet: `breachdesk incident assess {}`.",
                    inc.reference, inc.reference
                ));
                return Ok(());
            }
            let rows = views
                .iter()
                .map(|v| {
                    let severity = v
                        .severity
                        .as_ref()
                        .map(|s| format!("{:.2} {}", s.score, s.band.label()))
                        .unwrap_or_else(|| "-".into());
                    vec![
                        format!("{}{}", v.version, if v.current { " *" } else { "" }),
                        clock::human(v.assessed_at, settings.zone),
                        v.assessed_by.clone(),
                        severity,
                        describe(
                            v.decided.notify_authority,
                            v.decided.notify_subjects,
                            v.decided.exemption,
                        ),
                        v.decided.rationale.clone().unwrap_or_else(|| "-".into()),
                    ]
                })
                .collect();
            out.table(
                &["Version", "When", "By", "Severity", "Decision", "Rationale"],
                rows,
            );
            Ok(())
        }
    }
}

async fn run_assess(a: AssessArgs, db: &Db, settings: &Settings, out: Out) -> Result<()> {
    let inc = incident::find(db, &a.reference).await?;
    let interactive = a.answers.is_none();
    // The DPC may come from what the affected subjects had exposed.
    let exposed: Vec<_> = crate::resolve::stats(db, &inc.reference)
        .await?
        .by_category
        .iter()
        .map(|c| c.category)
        .collect();
    let answers = match &a.answers {
        Some(path) => answers::read_file(path, &exposed)?,
        None => {
            if !std::io::stdin().is_terminal() {
                return Err(Error::bad_input(
                    "stdin is not a terminal, so the questions cannot be asked: give --answers FILE.toml",
                ));
            }
            assess_prompt::ask_answers(&inc.reference, &exposed)?
        }
    };
    let evaluation = assess::evaluate(answers, &settings.policy)?;
    if !a.json && !out.quiet {
        show_evaluation(&evaluation, out);
    }
    let given = a.accept || a.override_authority.is_some() || a.override_subjects.is_some();
    let confirmation = if given {
        Confirmation {
            authority: a.override_authority.map(|v| matches!(v, YesNo::Yes)),
            subjects: a.override_subjects.map(|v| matches!(v, YesNo::Yes)),
            exemption: a.exemption.map(Exemption::from),
            rationale: a.rationale,
        }
    } else if interactive {
        assess_prompt::ask_confirmation(&evaluation)?
    } else {
        let p = &evaluation.proposal;
        return Err(Error::bad_input(format!(
            "proposed: {}; confirm with --accept, or decide otherwise with --override-authority/--override-subjects yes|no and --rationale TEXT",
            describe(p.notify_authority, p.notify_subjects, p.exemption)
        )));
    };
    let m = assess::record(db, settings, &inc.reference, &evaluation, confirmation).await?;
    if a.json {
        return out.json(&AssessmentView::new(m, true));
    }
    out.say(format!(
        "Assessment v{} recorded{}: {}.",
        m.version,
        if m.overridden {
            " (proposal overridden)"
        } else {
            ""
        },
        describe(m.notify_authority, m.notify_subjects, m.exemption)
    ));
    Ok(())
}

fn show_evaluation(e: &Evaluation, out: Out) {
    let s = &e.severity;
    out.fields(&[
        (
            "Severity",
            format!("{} ({})", quarters_text(s.score_quarters), s.band.label()),
        ),
        ("Formula", s.formula()),
        (
            "Proposed",
            describe(
                e.proposal.notify_authority,
                e.proposal.notify_subjects,
                e.proposal.exemption,
            ),
        ),
        ("Reasoning", e.proposal.reasoning.join("\n")),
    ]);
}

/// `authority: notify; subjects: do not tell (art34-3-a)`.
pub fn describe(authority: bool, subjects: bool, exemption: Option<Exemption>) -> String {
    let exemption = exemption
        .and_then(|e| serde_json::to_value(e).ok())
        .and_then(|v| v.as_str().map(|s| format!(" ({s})")))
        .unwrap_or_default();
    format!(
        "authority: {}; subjects: {}{exemption}",
        if authority { "notify" } else { "do not notify" },
        if subjects { "tell" } else { "do not tell" },
    )
}
