//! Our own fixtures in the formats real servers write, and the shared real-world samples
//! (`../shared/mail-samples`, when present) checked against their manifest.

use super::*;

const POSTFIX: &str = "Return-Path: <>\nFrom: MAILER-DAEMON@mx.example.net (Mail Delivery System)\nTo: notify@example.org\nSubject: Undelivered Mail Returned to Sender\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"B1\"\n\n--B1\nContent-Type: text/plain; charset=us-ascii\n\nI'm sorry to have to inform you that your message could not be delivered.\n\n--B1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; ann.lee@example.com\nOriginal-Recipient: rfc822;ann.lee@example.com\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <ann.lee@example.com>: Recipient address rejected\n\n--B1\nContent-Type: message/rfc822\n\nFrom: Example Ltd <notify@example.org>\nTo: ann.lee@example.com\nSubject: Important information about your data\nMessage-ID: <bd-7-42@notify.example.org>\n\nDear Ann\n--B1--\n";

const EXCHANGE: &str = "From: postmaster@corp.example.net\r\nTo: notify@example.org\r\nSubject: Undeliverable: Important information\r\nIn-Reply-To: <bd-7-43@notify.example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report;\r\n\treport-type=delivery-status;\r\n\tboundary=\"NDR\"\r\n\r\n--NDR\r\nContent-Type: text/plain\r\n\r\nDelivery has failed to these recipients.\r\n\r\n--NDR\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns;corp.example.net\r\n\r\nFinal-recipient: RFC822;\r\n  bob@corp.example.net\r\nAction: failed\r\nStatus: 5.0.0\r\nDiagnostic-Code: smtp;550 5.2.2 mailbox full\r\n\r\n--NDR\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: notify@example.org\r\nMessage-ID: <bd-7-43@notify.example.org>\r\nSubject: Important information\r\n\r\n--NDR--\r\n";

const QMAIL: &str = "From: MAILER-DAEMON@mail.example.net\nTo: notify@example.org\nSubject: failure notice\n\nHi. This is the qmail-send program at mail.example.net.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n<cleo@example.net>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n--- Below this line is a copy of the message.\n\nReturn-Path: <notify@example.org>\nMessage-ID: <bd-7-44@notify.example.org>\nFrom: notify@example.org\nTo: cleo@example.net\n\nDear Cleo\n";

const EXIM_DELAY: &str = "Return-path: <>\nAuto-Submitted: auto-replied\nFrom: Mail Delivery System <Mailer-Daemon@mx.example.org>\nTo: notify@example.org\nSubject: Warning: message 1Gec4K-0003ac-IE delayed 24 hours\n\nA message that you sent has not yet been delivered to one or more of its\nrecipients after more than 24 hours on the queue.\n\nThe address to which the message has not yet been delivered is:\n\n  dora@example.com\n    Delay reason: SMTP error from remote mail server after RCPT TO: 451 try later\n\nNo action is required on your part. Delivery attempts will continue for some time.\n";

const VACATION: &str = "From: Eve Example <eve@example.com>\nTo: notify@example.org\nSubject: Auto reply: Important information about your data\nIn-Reply-To: <bd-7-45@notify.example.org>\nX-Apple-Action: VACATION\n\nI am away until Monday.\n";

const HUMAN: &str = "From: Ann Lee <Ann.Lee@example.com>\nTo: privacy@example.org\nSubject: Re: Important information about your data\nMessage-ID: <reply-1@example.com>\nIn-Reply-To: <bd-7-42@notify.example.org>\nReferences: <bd-7-42@notify.example.org>\n\nWhich of my data exactly? Please call me.\n";

const HUMAN_NO_THREAD: &str = "From: frank@example.net\nTo: privacy@example.org\nSubject: your letter\n\nI got a letter from you, is it real?\n";

fn dsn(raw: &str) -> Dsn {
    match classify(raw.as_bytes()) {
        Classified::Dsn(d) => d,
        other => panic!("not a DSN: {other:?}"),
    }
}

#[test]
fn rfc3464_reports_give_recipient_status_and_the_returned_id() {
    let d = dsn(POSTFIX);
    assert_eq!(d.action, DsnAction::Failed);
    assert_eq!(d.recipient.as_deref(), Some("ann.lee@example.com"));
    assert_eq!(d.status.as_deref(), Some("5.1.1"));
    assert_eq!(
        d.original_message_id.as_deref(),
        Some("<bd-7-42@notify.example.org>")
    );
    assert!(
        d.diagnostic
            .as_deref()
            .unwrap()
            .contains("Recipient address rejected")
    );

    let d = dsn(EXCHANGE);
    assert_eq!(
        d.recipient.as_deref(),
        Some("bob@corp.example.net"),
        "folded Final-recipient"
    );
    assert_eq!(d.status.as_deref(), Some("5.0.0"));
    assert_eq!(d.detail_status.as_deref(), Some("5.2.2"));
    assert_eq!(d.best_status(), Some("5.2.2"));
    assert_eq!(
        d.original_message_id.as_deref(),
        Some("<bd-7-43@notify.example.org>")
    );
    assert_eq!(d.refers_to, vec!["<bd-7-43@notify.example.org>".to_string()]);
}

#[test]
fn plain_text_bounces_are_read_from_their_words() {
    let d = dsn(QMAIL);
    assert_eq!(d.action, DsnAction::Failed);
    assert_eq!(d.recipient.as_deref(), Some("cleo@example.net"));
    assert_eq!(d.status, None);
    assert_eq!(d.best_status(), Some("5.1.1"));
    assert_eq!(
        d.original_message_id.as_deref(),
        Some("<bd-7-44@notify.example.org>")
    );

    let d = dsn(EXIM_DELAY);
    assert_eq!(d.action, DsnAction::Delayed);
    assert_eq!(d.recipient.as_deref(), Some("dora@example.com"));
    assert_eq!(d.best_status(), None);
}

#[test]
fn replies_automatic_or_not() {
    match classify(VACATION.as_bytes()) {
        Classified::AutoReply(r) => {
            assert_eq!(r.from.as_deref(), Some("eve@example.com"));
            assert_eq!(r.refers_to, vec!["<bd-7-45@notify.example.org>".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    match classify(HUMAN.as_bytes()) {
        Classified::Reply(r) => {
            assert_eq!(r.from.as_deref(), Some("Ann.Lee@example.com"));
            assert_eq!(r.refers_to, vec!["<bd-7-42@notify.example.org>".to_string()]);
            assert_eq!(r.message_id.as_deref(), Some("<reply-1@example.com>"));
        }
        other => panic!("{other:?}"),
    }
    match classify(HUMAN_NO_THREAD.as_bytes()) {
        Classified::Reply(r) => assert!(r.refers_to.is_empty()),
        other => panic!("{other:?}"),
    }
    assert_eq!(classify(b""), Classified::Unreadable);
}

/// The real-world samples of ../shared/mail-samples, against what their manifest says a
/// careful parser reads. Skipped, saying so, where the folder is absent (a user's clone).
#[test]
#[allow(clippy::print_stderr)]
fn shared_real_world_samples() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/mail-samples");
    let Ok(manifest) = std::fs::read_to_string(dir.join("manifest.json")) else {
        eprintln!("skipped: ../shared/mail-samples is not here");
        return;
    };
    let manifest: serde_json::Value = serde_json::from_str(&manifest).expect("manifest");
    let mut checked = 0;
    for f in manifest["files"].as_array().expect("files") {
        let name = f["file"].as_str().unwrap();
        let raw = std::fs::read(dir.join(name)).expect("sample");
        let e = &f["expected"];
        let got = classify(&raw);
        match f["kind"].as_str().unwrap() {
            "auto-reply" => match got {
                Classified::AutoReply(r) => {
                    assert_eq!(
                        r.from.as_deref().map(str::to_lowercase).as_deref(),
                        e["from"].as_str(),
                        "{name}"
                    );
                    assert_eq!(
                        r.refers_to.first().map(String::as_str),
                        e["in_reply_to"].as_str(),
                        "{name}"
                    );
                }
                other => panic!("{name}: expected an automatic reply, got {other:?}"),
            },
            kind => {
                let Classified::Dsn(d) = got else {
                    panic!("{name}: expected a DSN, got {got:?}")
                };
                let action = if kind == "delayed" {
                    DsnAction::Delayed
                } else {
                    DsnAction::Failed
                };
                assert_eq!(d.action, action, "{name}");
                assert_eq!(
                    d.recipient.as_deref().map(str::to_lowercase).as_deref(),
                    e["recipient"].as_str(),
                    "{name}"
                );
                assert_eq!(d.status.as_deref(), e["status"].as_str(), "{name}: status");
                if let Some(detail) = e["diagnostic_status"].as_str().or(e["status_in_text"].as_str()) {
                    assert_eq!(d.detail_status.as_deref(), Some(detail), "{name}: detail status");
                }
                assert_eq!(
                    d.original_message_id.as_deref(),
                    e["original_message_id"].as_str(),
                    "{name}: original id"
                );
            }
        }
        checked += 1;
    }
    assert_eq!(checked, manifest["files"].as_array().unwrap().len());
}
