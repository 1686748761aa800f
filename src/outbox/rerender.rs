//! Rendering again the letters a resolution withdrew because their person's data changed:
//! each on the channel it had (where the person can still be reached on it, else the one
//! `auto` picks), with the current template set. Idempotent: a crash between the withdrawal
//! and this leaves them withdrawn, and the next `letters render` of their kind renders them.

use std::collections::{BTreeMap, HashMap};

use crate::config::Settings;
use crate::db::Db;
use crate::db::withdraw::ToRender;
use crate::error::Result;
use crate::letters::{Channel, LetterKind};

use super::{ChannelChoice, RenderRequest, render};

/// Renders `letters` again; returns how many letters were added.
pub async fn rerender(db: &Db, settings: &Settings, reference: &str, letters: &[ToRender]) -> Result<u64> {
    let mut groups: BTreeMap<(String, i32), HashMap<i64, Option<Channel>>> = BTreeMap::new();
    for l in letters {
        let channel = Channel::ALL.into_iter().find(|c| c.as_str() == l.channel);
        groups
            .entry((l.kind.clone(), l.update_number))
            .or_default()
            .insert(l.subject_id, channel);
    }
    let mut added = 0;
    for ((kind, update_number), subjects) in groups {
        let kind: LetterKind = kind.parse()?;
        let req = RenderRequest {
            reference: reference.to_string(),
            channel: ChannelChoice::Auto,
            kind,
            update: (kind == LetterKind::Update).then_some(update_number),
            allow_untranslated: false,
            templates: None,
            rerender_pending: false,
            subjects: Some(subjects),
            include_reached: false,
        };
        let s = render(db, settings, &req, &mut |_, _| {}).await?;
        added += s.added_email + s.added_postal;
    }
    Ok(added)
}
