//! The questions of an ENISA assessment, asked on a terminal. Prompts go to stderr, so that
//! stdout keeps only results.

use std::io::{self, BufRead, Write};

use crate::assess::answers::{Adjustment, Answers, DataContext, factor_name};
use crate::assess::enisa::{Availability, Circumstances, Confidentiality, Ease, Factor, Integrity};
use crate::assess::{Confirmation, Evaluation};
use crate::category::DataCategory;
use crate::error::{Error, Result};

fn ask(question: &str) -> Result<String> {
    let mut err = io::stderr();
    let _ = write!(err, "{question} ");
    let _ = err.flush();
    let mut line = String::new();
    let read = io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::failure(format!("cannot read the answer: {e}")))?;
    if read == 0 {
        return Err(Error::bad_input("input ended before the assessment was complete"));
    }
    Ok(line.trim().to_string())
}

/// Asks until one of `options` (numbered from 1) is chosen; returns its index.
fn choose(question: &str, options: &[&str]) -> Result<usize> {
    let mut err = io::stderr();
    let _ = writeln!(err, "{question}");
    for (i, o) in options.iter().enumerate() {
        let _ = writeln!(err, "  {}) {o}", i + 1);
    }
    loop {
        let answer = ask(">")?;
        match answer.parse::<usize>() {
            Ok(n) if (1..=options.len()).contains(&n) => return Ok(n - 1),
            _ => {
                let _ = writeln!(err, "Answer with a number from 1 to {}.", options.len());
            }
        }
    }
}

fn yes_no(question: &str, default: bool) -> Result<bool> {
    let hint = if default { "[Y/n]" } else { "[y/N]" };
    loop {
        match ask(&format!("{question} {hint}"))?.to_ascii_lowercase().as_str() {
            "" => return Ok(default),
            "y" | "yes" => return Ok(true),
            "n" | "no" => return Ok(false),
            _ => {}
        }
    }
}

/// Asks the ENISA questions.
/// `exposed`: the categories the affected subjects had exposed, offered as the default.
pub fn ask_answers(reference: &str, exposed: &[DataCategory]) -> Result<Answers> {
    let mut err = io::stderr();
    let _ = writeln!(
        err,
        "Severity assessment of {reference} (ENISA 2013: SE = DPC x EI + CB)."
    );
    let offer = if exposed.is_empty() {
        String::new()
    } else {
        format!(
            " [Enter: {}, from the affected subjects]",
            DataCategory::join(exposed)
        )
    };
    let (basic, categories) = loop {
        let text = ask(&format!(
            "Data categories exposed (comma-separated, e.g. name,email,health), or a DPC basic score 1-4{offer}:"
        ))?;
        if text.trim().is_empty() && !exposed.is_empty() {
            break (DataContext::basic_of(exposed).unwrap_or(1), exposed.to_vec());
        }
        if let Ok(n) = text.parse::<i32>() {
            if (1..=4).contains(&n) {
                break (n, Vec::new());
            }
            let _ = writeln!(
                err,
                "A basic score is 1 (simple), 2 (behavioural), 3 (financial) or 4 (sensitive)."
            );
        } else {
            match DataCategory::parse_list(&text) {
                Ok(list) if !list.is_empty() => {
                    break (DataContext::basic_of(&list).unwrap_or(1), list);
                }
                Ok(_) => {}
                Err(e) => {
                    let _ = writeln!(err, "{e}");
                }
            }
        }
    };
    let _ = writeln!(err, "DPC basic score: {basic}.");
    let factors = [
        (Factor::Volume, "raise: volume of data per person"),
        (Factor::Controller, "raise: characteristics of the controller"),
        (
            Factor::Individuals,
            "raise: characteristics of the individuals (minors, vulnerable)",
        ),
        (
            Factor::Invalidity,
            "lower: data known to be invalid or inaccurate",
        ),
        (
            Factor::PublicAvailability,
            "lower: data publicly available before",
        ),
        (
            Factor::Nature,
            "lower: data reveal less than their category suggests",
        ),
    ];
    let mut adjustments = Vec::new();
    while yes_no("Adjust the DPC for a contextual factor?", false)? {
        let labels: Vec<&str> = factors.iter().map(|f| f.1).collect();
        let factor = factors[choose("Which factor?", &labels)?].0;
        let step = if factor.raises() { 1 } else { -1 };
        let justification = loop {
            let j = ask(&format!("Justification for '{}':", factor_name(factor)))?;
            if !j.is_empty() {
                break j;
            }
        };
        adjustments.push(Adjustment {
            factor,
            step,
            justification,
        });
    }
    let dpc = DataContext {
        basic,
        categories,
        adjustments,
    };
    dpc.score()?;
    let ease = [Ease::Negligible, Ease::Limited, Ease::Significant, Ease::Maximum][choose(
        "Ease of identification?",
        &[
            "negligible (0.25): extremely difficult to match the data to a person",
            "limited (0.50): possible with difficulty or additional information",
            "significant (0.75): reasonably easy",
            "maximum (1.00): directly from the data",
        ],
    )?];
    let confidentiality = [
        Confidentiality::None,
        Confidentiality::KnownRecipients,
        Confidentiality::UnknownRecipients,
    ][choose(
        "Loss of confidentiality?",
        &[
            "none (0): no evidence of illegal processing",
            "known recipients (+0.25)",
            "unknown number of recipients (+0.5)",
        ],
    )?];
    let integrity = [Integrity::None, Integrity::Recoverable, Integrity::NotRecoverable][choose(
        "Loss of integrity?",
        &[
            "none (0)",
            "altered, possibly misused, recoverable (+0.25)",
            "altered, possibly misused, not recoverable (+0.5)",
        ],
    )?];
    let availability = [Availability::None, Availability::Temporary, Availability::Full][choose(
        "Loss of availability?",
        &[
            "none (0): recoverable without difficulty",
            "temporary (+0.25)",
            "full (+0.5): no copy anywhere",
        ],
    )?];
    let malicious = yes_no("Was the breach intentional or malicious (+0.5)?", false)?;
    let individuals = loop {
        let text = ask("Number of individuals affected (empty if unknown):")?;
        if text.is_empty() {
            break None;
        }
        if let Ok(n) = text.replace(['_', ','], "").parse::<u64>() {
            break Some(n);
        }
    };
    let unintelligible = yes_no(
        "Were the affected data unintelligible to unauthorised persons (e.g. encrypted, key safe)?",
        false,
    )?;
    let notes = Some(ask("Notes (optional):")?).filter(|n| !n.is_empty());
    Ok(Answers {
        dpc,
        ease,
        circumstances: Circumstances {
            confidentiality,
            integrity,
            availability,
            malicious,
        },
        individuals,
        unintelligible,
        notes,
    })
}

/// Asks whether to accept the proposal, and if not, what instead and why.
pub fn ask_confirmation(e: &Evaluation) -> Result<Confirmation> {
    if yes_no("Accept the proposed decisions?", true)? {
        return Ok(Confirmation::default());
    }
    let authority = yes_no("Notify the supervisory authority?", e.proposal.notify_authority)?;
    let subjects = yes_no("Tell the data subjects?", e.proposal.notify_subjects)?;
    let rationale = loop {
        let r = ask("Rationale for the decision:")?;
        if !r.is_empty() {
            break r;
        }
    };
    Ok(Confirmation {
        authority: Some(authority),
        subjects: Some(subjects),
        exemption: None,
        rationale: Some(rationale),
    })
}
