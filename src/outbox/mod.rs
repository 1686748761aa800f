//! The outbox: every affected person's letter rendered once and stored with its hash, ready
//! for the sender. `render` streams the affected people a page at a time, renders on two
//! threads and writes each page with multi-row inserts; re-running adds only what is missing.

pub mod letter;
mod show;

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use sea_orm::TransactionTrait;
use serde::Serialize;
use serde_json::json;

use crate::audit;
use crate::config::Settings;
use crate::db::Db;
use crate::db::entities::notification::NotificationStatus;
use crate::db::outbox::{self as sql, NewNotification};
use crate::db::resolve::{self as affected, AffectedRow};
use crate::error::{DbContext, Error, Result};
use crate::incident;
use crate::letters::{Channel, LetterKind, Renderer};
pub use letter::{ChannelChoice, LetterSetup};
pub use show::{Shown, find_subject, preview, show};

/// People per page read, rendered and written together.
const PAGE: u64 = 2_000;
/// Pages rendered or rendering while the writer stores one: the bound on memory.
const QUEUE: usize = 2;

/// What `letters render` is asked to do.
#[derive(Debug, Clone)]
pub struct RenderRequest {
    pub reference: String,
    pub channel: ChannelChoice,
    pub kind: LetterKind,
    /// The update whose letters to render (update letters; default: the latest).
    pub update: Option<i32>,
    /// Render letters in languages the narrative has no translation into (they tell it in the
    /// language it was written in).
    pub allow_untranslated: bool,
    pub templates: Option<PathBuf>,
    /// Delete pending letters rendered with another template version first, so that they
    /// are rendered again with the current one.
    pub rerender_pending: bool,
}

/// Letters of the incident rendered with a template version other than the current one.
#[derive(Debug, Clone, Serialize)]
pub struct OtherVersion {
    pub template_version: String,
    /// Not yet sent: `--rerender-pending` renders these again.
    pub pending: i64,
    /// Past pending (sending, sent, ...): kept as they are, as evidence.
    pub not_pending: i64,
}

/// What a `letters render` run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RenderSummary {
    pub incident: String,
    pub kind: &'static str,
    /// The update the letters tell of (update letters).
    pub update: Option<i32>,
    pub template_version: String,
    /// Affected people looked at.
    pub subjects: u64,
    /// Letters added by this run, by channel.
    pub added_email: u64,
    pub added_postal: u64,
    /// Letters added by this run, by template locale.
    pub added_by_locale: BTreeMap<String, u64>,
    /// People who already had their letter.
    pub already: u64,
    /// People with neither a valid email address nor a postal address (for the channel asked).
    pub unreachable: u64,
    /// Pending letters deleted by `--rerender-pending` (and rendered again).
    pub rerendered: u64,
    /// Letters rendered with other template versions, still in the outbox.
    pub other_versions: Vec<OtherVersion>,
    /// Letter languages of the people affected without a translation of the narrative (only
    /// with `allow_untranslated`; otherwise the run is refused).
    pub untranslated: Vec<crate::narrative::Gap>,
    pub seconds: f64,
}

/// Fills the outbox for every affected person of the incident; `progress` is told how many
/// people have been looked at (of the total given first).
pub async fn render(
    db: &Db,
    settings: &Settings,
    req: &RenderRequest,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<RenderSummary> {
    let started = Instant::now();
    let inc = incident::find(db, &req.reference).await?;
    let stored = crate::narrative::Stored::load(db, inc.id).await?;
    let setup = LetterSetup::new(
        settings,
        &inc,
        req.kind,
        req.update,
        &stored,
        req.templates.clone(),
    )?;
    let update_number = setup.update_number;
    let gaps = crate::narrative::coverage(db, settings, inc.id, &setup.set, &stored, update_number).await?;
    if !gaps.is_empty() && !req.allow_untranslated {
        return Err(Error::bad_input(crate::narrative::describe(
            &inc.reference,
            &crate::narrative::narrative_language(settings),
            &gaps,
        )));
    }
    let version = setup.set.version().to_string();
    let kind = req.kind.as_str();
    let mut summary = RenderSummary {
        incident: inc.reference.clone(),
        kind,
        update: (update_number > 0).then_some(update_number),
        template_version: version.clone(),
        untranslated: gaps,
        ..Default::default()
    };
    if req.rerender_pending {
        let txn = db.conn.begin().await.context("writing the outbox")?;
        summary.rerendered = sql::delete_stale_pending(&txn, inc.id, kind, update_number, &version).await?;
        txn.commit().await.context("writing the outbox")?;
    }
    let total = sql::count_affected(&db.conn, inc.id).await?;
    progress(0, total);

    // Three stages at once: this task reads page k+1 while page k renders on two threads and
    // a writer task stores page k-1. The queue between them is short, so memory stays flat.
    let setup = Arc::new(setup);
    let (queue, pending) = tokio::sync::mpsc::channel::<Rendering>(QUEUE);
    let writer = tokio::spawn(write_all(
        db.conn.clone(),
        (inc.id, kind, update_number),
        version.clone(),
        settings.clone(),
        pending,
    ));
    let read = read_all(
        db,
        inc.id,
        req,
        update_number,
        &setup,
        &mut summary,
        queue,
        &mut |done| progress(done, total),
    )
    .await;
    let written = writer
        .await
        .map_err(|e| Error::failure(format!("the outbox writer failed: {e}")))?;
    // A writer that stopped early makes the reader stop too: its error is the one to report.
    let added = match (read, written) {
        (_, Err(e)) => return Err(e),
        (Err(e), Ok(_)) => return Err(e),
        (Ok(()), Ok(added)) => added,
    };
    summary.added_email = added.email;
    summary.added_postal = added.postal;
    summary.added_by_locale = added.by_locale;

    for (v, status, n) in sql::versions(&db.conn, inc.id, kind, update_number).await? {
        if v == version {
            continue;
        }
        let entry = match summary
            .other_versions
            .iter_mut()
            .find(|o| o.template_version == v)
        {
            Some(e) => e,
            None => {
                summary.other_versions.push(OtherVersion {
                    template_version: v.clone(),
                    pending: 0,
                    not_pending: 0,
                });
                summary.other_versions.last_mut().expect("just pushed")
            }
        };
        if status == NotificationStatus::Pending.as_str() {
            entry.pending += n;
        } else {
            entry.not_pending += n;
        }
    }
    summary.seconds = started.elapsed().as_secs_f64();

    let rec = audit::begin(db, &settings.actor, settings.now()).await?;
    rec.record(
        "letters.render",
        &format!("incident:{}", inc.reference),
        Some(&inc.reference),
        json!({
            "kind": kind,
            "update": summary.update,
            "untranslated": summary.untranslated.iter().map(|g| &g.locale).collect::<Vec<_>>(),
            "template_version": version,
            "subjects": summary.subjects,
            "added_email": summary.added_email,
            "added_postal": summary.added_postal,
            "already": summary.already,
            "unreachable": summary.unreachable,
            "rerendered": summary.rerendered,
        }),
    )
    .await?;
    rec.commit().await?;
    Ok(summary)
}

/// A page's letters being rendered.
type Rendering = tokio::task::JoinHandle<Result<Vec<NewNotification>>>;

/// Letters a run added.
#[derive(Default)]
struct Added {
    email: u64,
    postal: u64,
    by_locale: BTreeMap<String, u64>,
}

/// Reads the affected people a page at a time, leaves out those who have their letter or
/// cannot be reached, and queues the rest's letters for rendering; stops early when the
/// writer has stopped.
#[allow(clippy::too_many_arguments)]
async fn read_all(
    db: &Db,
    incident_id: i64,
    req: &RenderRequest,
    update_number: i32,
    setup: &Arc<LetterSetup>,
    summary: &mut RenderSummary,
    queue: tokio::sync::mpsc::Sender<Rendering>,
    progress: &mut dyn FnMut(u64),
) -> Result<()> {
    let kind = req.kind.as_str();
    let mut after = 0_i64;
    loop {
        let page = affected::page(&db.conn, incident_id, after, PAGE).await?;
        let last_page = (page.len() as u64) < PAGE;
        let (Some(first), Some(last)) = (page.first(), page.last()) else {
            return Ok(());
        };
        let (first_id, last_id) = (first.subject_id, last.subject_id);
        after = last_id;
        let mut have: HashSet<(i64, Channel)> = HashSet::new();
        let mut bounced: HashSet<i64> = HashSet::new();
        for (id, channel, status) in
            sql::existing(&db.conn, incident_id, kind, update_number, first_id, last_id).await?
        {
            let Ok(channel) = channel.parse::<Channel>() else {
                continue;
            };
            if (status == NotificationStatus::Bounced.as_str()
                || status == NotificationStatus::Failed.as_str())
                && channel == Channel::Email
            {
                bounced.insert(id);
            }
            have.insert((id, channel));
        }
        summary.subjects += page.len() as u64;
        let mut todo: Vec<(AffectedRow, Channel)> = Vec::with_capacity(page.len());
        for row in page {
            // `auto`: a person whose email letter bounced or was refused is due a postal one.
            let choice = match req.channel {
                ChannelChoice::Auto if bounced.contains(&row.subject_id) => {
                    ChannelChoice::Only(Channel::Postal)
                }
                other => other,
            };
            let Some(channel) = letter::channel_for(&row, choice) else {
                summary.unreachable += 1;
                continue;
            };
            if have.contains(&(row.subject_id, channel)) {
                summary.already += 1;
            } else {
                todo.push((row, channel));
            }
        }
        if !todo.is_empty() {
            let setup = Arc::clone(setup);
            let rendering = tokio::task::spawn_blocking(move || render_all(&setup, &todo));
            if queue.send(rendering).await.is_err() {
                // The writer stopped; it reports why.
                return Ok(());
            }
        }
        progress(summary.subjects);
        if last_page {
            return Ok(());
        }
    }
}

/// Waits for each page's letters in turn and writes them in one transaction; stops at the
/// first error.
async fn write_all(
    conn: sea_orm::DatabaseConnection,
    (incident_id, kind, update_number): (i64, &'static str, i32),
    version: String,
    settings: Settings,
    mut pending: tokio::sync::mpsc::Receiver<Rendering>,
) -> Result<Added> {
    let mut added = Added::default();
    while let Some(rendering) = pending.recv().await {
        let letters = rendering
            .await
            .map_err(|e| Error::failure(format!("a render thread failed: {e}")))??;
        if letters.is_empty() {
            continue;
        }
        for l in &letters {
            *added.by_locale.entry(l.locale.clone()).or_default() += 1;
            match l.channel {
                "email" => added.email += 1,
                _ => added.postal += 1,
            }
        }
        let txn = conn.begin().await.context("writing the outbox")?;
        sql::insert(
            &txn,
            incident_id,
            kind,
            update_number,
            &version,
            letters,
            settings.now(),
        )
        .await?;
        txn.commit().await.context("writing the outbox")?;
    }
    Ok(added)
}

/// Renders `todo` on two threads (one letter takes ~70 µs; a page is thousands).
fn render_all(setup: &LetterSetup, todo: &[(AffectedRow, Channel)]) -> Result<Vec<NewNotification>> {
    if todo.len() < 64 {
        return render_part(setup, todo);
    }
    let (a, b) = todo.split_at(todo.len() / 2);
    let (ra, rb) = std::thread::scope(|s| {
        let other = s.spawn(|| render_part(setup, b));
        let mine = render_part(setup, a);
        (mine, other.join())
    });
    let mut letters = ra?;
    letters.extend(rb.unwrap_or_else(|p| std::panic::resume_unwind(p))?);
    Ok(letters)
}

fn render_part(setup: &LetterSetup, todo: &[(AffectedRow, Channel)]) -> Result<Vec<NewNotification>> {
    let mut renderer = Renderer::new(&setup.set);
    todo.iter()
        .map(|(row, channel)| setup.render(&mut renderer, row, *channel))
        .collect()
}
