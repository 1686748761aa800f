//! Realistic breaches through the whole assessment, under the default policy (authority from
//! Medium, people from High): the proposals a privacy team would expect, and that the EDPB's
//! examples (Guidelines 01/2021) point to.

use super::answers::parse;
use super::evaluate;
use super::policy::Policy;

/// (band, notify authority, tell the people) for an answers file.
fn outcome(toml: &str) -> (String, bool, bool) {
    let e = evaluate(
        parse(toml, "scenario").expect("answers parse"),
        &Policy::default(),
    )
    .expect("evaluates");
    (
        format!("{:?}", e.severity.band),
        e.proposal.notify_authority,
        e.proposal.notify_subjects,
    )
}

#[test]
fn ransomware_with_a_fresh_backup_and_no_exfiltration_is_documented_only() {
    let toml = r#"
        ei = "maximum"
        [dpc]
        categories = ["name", "email", "postal_address"]
        [cb]
        confidentiality = "none"   # no evidence anything left the network
        availability = "none"      # restored the same day from last night's backup
        malicious = true
    "#;
    assert_eq!(outcome(toml), ("Low".into(), false, false));
}

#[test]
fn exfiltrated_customer_records_with_plain_text_passwords_are_told_to_everyone() {
    let toml = r#"
        ei = "maximum"
        [dpc]
        categories = ["name", "email", "credentials"]
        [[dpc.adjustments]]
        factor = "volume"
        step = 2
        justification = "passwords in plain text open the customers' accounts, and others where reused"
        [cb]
        confidentiality = "unknown-recipients"   # offered for sale
        malicious = true
    "#;
    assert_eq!(outcome(toml), ("VeryHigh".into(), true, true));
}

#[test]
fn a_misdirected_email_to_one_recipient_stays_internal() {
    let toml = r#"
        ei = "maximum"
        [dpc]
        categories = ["name", "email", "purchase_history"]
        [[dpc.adjustments]]
        factor = "nature"
        step = -1
        justification = "one order confirmation, no payment data"
        [cb]
        confidentiality = "known-recipients"   # one customer, who deleted it
        malicious = false
    "#;
    assert_eq!(outcome(toml), ("Low".into(), false, false));
}

#[test]
fn lost_health_data_goes_to_the_authority_and_the_people() {
    let toml = r#"
        ei = "maximum"
        [dpc]
        categories = ["name", "health"]
        [cb]
        confidentiality = "none"      # an unencrypted USB stick, lost: no evidence of use yet
        availability = "none"         # a copy is on the server
        malicious = false
    "#;
    assert_eq!(outcome(toml), ("VeryHigh".into(), true, true));
}
