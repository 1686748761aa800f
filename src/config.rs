//! Settings: `breachdesk.toml`, the environment and the command line, in that order of
//! increasing precedence. This is the one module that reads `BREACHDESK_*` variables.

use std::path::{Path, PathBuf};

use chrono::{DateTime, SubsecRound, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::clock;
use crate::error::{Error, Result};
pub use crate::secret_url::{redact_url, scrub_secrets, url_has_password};

/// The default configuration file, looked up in the working directory.
pub const CONFIG_FILE: &str = "breachdesk.toml";
/// The embedded default database: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://breachdesk.db";

/// What the command line may override.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub database: Option<String>,
    pub actor: Option<String>,
    pub tz: Option<String>,
}

/// The contents of `breachdesk.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    database: DatabaseSection,
    actor: Option<String>,
    timezone: Option<String>,
    #[serde(default)]
    organisation: Organisation,
    #[serde(default)]
    assessment: crate::assess::policy::PolicySection,
    #[serde(default)]
    playbooks: PlaybooksSection,
    #[serde(default)]
    letters: Letters,
    #[serde(default)]
    send: crate::send::settings::SendSection,
}

/// `[letters]`: where template overrides live and the language of people with none on record.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Letters {
    /// A directory whose files override the built-in templates file by file.
    pub templates: Option<PathBuf>,
    /// The template locale for people whose language is unknown (default `en`).
    pub default_language: Option<String>,
    /// The language incidents' narratives are written in (default: `default_language`, else
    /// `en`); letters in other languages need translations (`incident translate`).
    pub narrative_language: Option<String>,
}

/// `[playbooks]`: a directory whose playbook files (and `jurisdictions.toml`) replace or add
/// to the embedded ones.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaybooksSection {
    dir: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatabaseSection {
    url: Option<String>,
}

/// The organisation responding to the breach, and its contact point for data protection.
/// New incidents start with these DPO details.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub name: Option<String>,
    pub dpo_name: Option<String>,
    pub dpo_email: Option<String>,
    pub dpo_phone: Option<String>,
    /// The organisation's web site, named in letters.
    pub website: Option<String>,
    /// The page where a person checks a letter's verification code.
    pub verify_url: Option<String>,
    /// A phone number a person can call to check a letter.
    pub verify_phone: Option<String>,
    /// The sender's address for postal letters, one line per entry.
    #[serde(default)]
    pub postal_address: Vec<String>,
    /// The domain of the letters' Message-IDs (default: the web site's host).
    pub message_domain: Option<String>,
    /// The organisation's country (ISO code, e.g. `DE`): postal letters to people in it carry
    /// no country line, letters abroad end with the destination country in capitals.
    pub country: Option<String>,
    /// The jurisdiction code of the lead supervisory authority (GDPR Art. 56), e.g. `DE`:
    /// authority reports name it and go to it unless `--authority` says otherwise.
    pub lead_authority: Option<String>,
    /// The organisation is a HIPAA covered entity (or business associate): affected US
    /// residents with health data then count under `US-HIPAA` too.
    #[serde(default)]
    pub hipaa_covered_entity: bool,
}

/// Everything a command needs to know about where and as whom it runs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub actor: String,
    pub zone: Tz,
    pub organisation: Organisation,
    /// The configuration file that was read, if any.
    pub config_file: Option<PathBuf>,
    /// How assessments map severity bands to proposed decisions (policy, not law).
    pub policy: crate::assess::policy::Policy,
    /// A directory of playbooks and jurisdiction rules that replace or add to the embedded ones.
    pub playbook_dir: Option<PathBuf>,
    /// Letter templates and the default language.
    pub letters: Letters,
    /// Sending: `[send]`.
    pub send: crate::send::settings::SendSection,
    /// `BREACHDESK_SMTP_URL`, which overrides `[send] smtp_url`.
    pub smtp_url_env: Option<String>,
    /// `BREACHDESK_SMTP_PASSWORD`.
    pub smtp_password: Option<Secret>,
    /// A fixed "now" (`BREACHDESK_NOW`), for reproducing a past response and for tests.
    fixed_now: Option<DateTime<Utc>>,
}

/// A secret from the environment; never printed.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Settings {
    /// Reads the configuration file (if any) and the environment, then applies `overrides`.
    pub fn load(overrides: &Overrides) -> Result<Settings> {
        let explicit = overrides
            .config
            .clone()
            .or_else(|| env("BREACHDESK_CONFIG").map(PathBuf::from));
        let (file, config_file) = match explicit {
            Some(path) => (read_config(&path)?, Some(path)),
            None if Path::new(CONFIG_FILE).exists() => (
                read_config(Path::new(CONFIG_FILE))?,
                Some(PathBuf::from(CONFIG_FILE)),
            ),
            None => (FileConfig::default(), None),
        };

        if let (Some(url), Some(path)) = (&file.database.url, &config_file)
            && url_has_password(url)
        {
            return Err(Error::bad_input(format!(
                "{}: [database] url carries a password, which does not belong in a file: remove it \
                 and set BREACHDESK_DATABASE_URL (the whole URL, with the password) in the environment",
                path.display()
            )));
        }
        let database_url = overrides
            .database
            .clone()
            .or_else(|| env("BREACHDESK_DATABASE_URL"))
            .or(file.database.url)
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());

        let actor = overrides
            .actor
            .clone()
            .or_else(|| env("BREACHDESK_ACTOR"))
            .or(file.actor)
            .or_else(|| whoami::fallible::username().ok())
            .unwrap_or_else(|| "unknown".to_string());
        let actor = actor.trim().to_string();
        if actor.is_empty() {
            return Err(Error::bad_input(
                "the actor name is empty: give --actor NAME or set BREACHDESK_ACTOR",
            ));
        }

        let zone = match overrides
            .tz
            .clone()
            .or_else(|| env("BREACHDESK_TZ"))
            .or(file.timezone)
        {
            Some(name) => clock::parse_zone(&name)?,
            None => system_zone(),
        };

        let fixed_now = match env("BREACHDESK_NOW") {
            Some(text) => Some(
                clock::parse_time(&text, chrono_tz::UTC)
                    .map_err(|e| Error::bad_input(format!("BREACHDESK_NOW: {e}")))?,
            ),
            None => None,
        };

        let policy = file.assessment.resolve()?;
        Ok(Settings {
            database_url,
            actor,
            zone,
            organisation: file.organisation,
            config_file,
            policy,
            playbook_dir: file.playbooks.dir,
            letters: file.letters,
            send: file.send,
            smtp_url_env: env("BREACHDESK_SMTP_URL"),
            smtp_password: std::env::var("BREACHDESK_SMTP_PASSWORD")
                .ok()
                .filter(|p| !p.is_empty())
                .map(Secret),
            fixed_now,
        })
    }

    /// The current time, or the fixed time of `BREACHDESK_NOW`.
    pub fn now(&self) -> DateTime<Utc> {
        // Microseconds: what PostgreSQL keeps, so that every backend and the audit log agree.
        self.fixed_now.unwrap_or_else(Utc::now).trunc_subsecs(6)
    }
}

/// A secret (a database URL with its password) from the environment variable `name`.
pub fn secret_from_env(name: &str) -> Result<String> {
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if !valid {
        return Err(Error::bad_input(format!(
            "'{name}' is not an environment variable name: use upper-case letters, digits and _"
        )));
    }
    env(name).ok_or_else(|| Error::bad_input(format!("the environment variable {name} is not set")))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn read_config(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::bad_input(format!("cannot read configuration {}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| {
        let message = e.message();
        let line = e
            .span()
            .map(|span| text[..span.start].lines().count().max(1))
            .map(|line| format!(":{line}"))
            .unwrap_or_default();
        Error::bad_input(format!("{}{line}: {message}", path.display()))
    })
}

/// Crates whose tracing carries letter data or bound values (handlebars traces every value it
/// renders, lettre every SMTP line with its addresses, sea-orm and sqlx statements): silenced
/// at every level, whatever `BREACHDESK_LOG` asks for.
const SILENCED: [&str; 5] = [
    "handlebars",
    "lettre",
    "sea_orm::driver",
    "sea_orm::database",
    "sqlx::query",
];

/// Logs go to stderr, filtered by `BREACHDESK_LOG` (e.g. `info`, `breachdesk=debug`);
/// warnings only by default. Logs carry ids, never personal data.
pub fn init_logging() {
    let mut filter = tracing_subscriber::EnvFilter::try_from_env("BREACHDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    for target in SILENCED {
        if let Ok(directive) = format!("{target}=off").parse() {
            filter = filter.add_directive(directive);
        }
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The machine's time zone, or UTC when it cannot be told.
fn system_zone() -> Tz {
    iana_time_zone::get_timezone()
        .ok()
        .and_then(|name| name.parse().ok())
        .unwrap_or(chrono_tz::UTC)
}

/// The commented configuration file that `breachdesk init` writes when there is none.
pub fn default_config_text(database_url: &str) -> String {
    // A URL with a password in it stays out of the file: secrets come from the environment.
    let url_line = if url_has_password(database_url) {
        format!(
            "# url = \"{DEFAULT_DATABASE_URL}\"   (set BREACHDESK_DATABASE_URL for a URL with a password)"
        )
    } else {
        format!("url = \"{database_url}\"")
    };
    format!(
        r#"# breachdesk configuration.
# Values given on the command line (--database, --actor, --tz) or in the environment
# (BREACHDESK_DATABASE_URL, BREACHDESK_ACTOR, BREACHDESK_TZ) take precedence over this file.

[database]
# The embedded default is a SQLite file in this directory. For a team, or a large breach,
# point every member at one PostgreSQL database, e.g.
#   url = "postgres://breachdesk@db.internal.example/breachdesk"
# and keep any password in BREACHDESK_DATABASE_URL rather than in this file.
{url_line}

# Who you are in the audit log (default: your login name).
# actor = "jane.doe"

# The zone times are shown in and local times are read in (default: this machine's zone).
# timezone = "Europe/Berlin"

[organisation]
# Who the breach happened to, and the contact point every new incident starts with
# (GDPR Art. 33(3)(b) and 34(2)).
# name = "Example Ltd"
# dpo_name = "Data Protection Officer"
# dpo_email = "dpo@example.org"
# dpo_phone = "+49 30 1234567"
# What letters to the people affected name, and how they can check a letter is genuine
# (at least one of verify_url and verify_phone).
# website = "https://www.example.org"
# verify_url = "https://www.example.org/verify"
# verify_phone = "+49 30 1234568"
# postal_address = ["Example Ltd", "Musterstraße 1", "10115 Berlin"]
# The domain of the letters' Message-IDs (default: the web site's host).
# message_domain = "example.org"
# The organisation's country: postal letters within it carry no country line.
# country = "DE"
# The lead supervisory authority (GDPR Art. 56), as a jurisdiction code: authority reports
# go to it by default, and a submission to it meets the other EU/EEA states' obligations.
# lead_authority = "DE"
# A HIPAA covered entity (or business associate): US residents with health data exposed
# count under US-HIPAA too.
# hipaa_covered_entity = false

[letters]
# A directory whose files override the built-in letter templates file by file
# (`breachdesk letters lint --templates DIR` checks it).
# templates = "letter-templates"
# The language of letters to people whose language is not on record.
# default_language = "en"
# The language incidents' narratives are written in (default: default_language); letters in
# other languages use the translations given with `breachdesk incident translate`.
# narrative_language = "en"

[assessment]
# POLICY, not law: from which ENISA severity band (low, medium, high, very_high) an
# assessment proposes notifying the supervisory authority and telling the people.
# notify_authority_from = "medium"
# notify_subjects_from = "high"

[send]
# Where `breachdesk send` hands the letters over: your mail relay, in lettre's URL form,
#   smtps://relay.example.org:465                 (TLS from the start)
#   smtp://relay.example.org:587?tls=required     (STARTTLS)
# with a user name as smtps://USER@relay...; the password only in BREACHDESK_SMTP_PASSWORD.
# BREACHDESK_SMTP_URL overrides this. Plaintext is refused except to this machine.
# smtp_url = "smtps://relay.example.org:465"
# from = "Example Ltd Privacy <privacy@example.org>"
# reply_to = "dpo@example.org"
# concurrency = 4
# At most this many messages per second overall, and to one recipient domain.
# rate = 50
# default_domain_rate = 20
# [send.domain_rates]
# "gmail.com" = 10
# Temporary failures are tried again after 60 s, 120 s, 240 s, ... (at most 6 h apart).
# max_attempts = 8
# retry_base_seconds = 60
# How long to wait for the mail server at each step (connecting, each reply, each write, the
# QUIT when giving a connection up); a letter whose reply does not come in time is uncertain.
# timeout_seconds = 120
# Where `send --transport file` writes .eml files.
# file_dir = "sent-mail"

[playbooks]
# A directory whose playbook files (and jurisdictions.toml) replace or add to the built-in ones.
# dir = "playbooks"
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_shows_the_default_config() {
        let readme = include_str!("../README.md");
        assert!(
            readme.contains(default_config_text(DEFAULT_DATABASE_URL).trim_end()),
            "README.md's Configuration section differs from what `init` writes"
        );
    }

    #[test]
    fn default_config_parses_and_keeps_passwords_out() {
        let text = default_config_text("postgres://bd:s3cret@db/x");
        assert!(!text.contains("s3cret"));
        let parsed: FileConfig = toml::from_str(&text).expect("default config parses");
        assert!(parsed.database.url.is_none());
        let parsed: FileConfig = toml::from_str(&default_config_text(DEFAULT_DATABASE_URL)).unwrap();
        assert_eq!(parsed.database.url.as_deref(), Some(DEFAULT_DATABASE_URL));
    }
}
