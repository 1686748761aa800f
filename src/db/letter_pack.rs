//! Letters stored compressed against a dictionary. Every letter of a group (one language,
//! country, channel and kind) repeats the same narrative, measures, contact point and
//! advice, and differs from the others only in the person's own lines. Each letter's text
//! and HTML are stored LZ4-compressed with, as dictionary, a specimen letter of its group
//! rendered for no one (a made-up name and address, every data category): a letter of about
//! 6 KB then takes a few hundred bytes, written once at render time and read by the sender.
//! A specimen holds no personal data, so erasing a person never touches a dictionary.
//!
//! Rows written before packing (and letters blanked by erasure) keep `packed` NULL and their
//! text in `body_text` and `body_html`.

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::{ConnectionTrait, Value};
use sha2::{Digest, Sha256};

use super::sql::stmt;
use crate::error::{DbContext, Error, Result};

/// A specimen letter's bytes, named by their SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dictionary {
    pub hash: String,
    pub bytes: Vec<u8>,
}

impl Dictionary {
    /// The dictionary of letters like the specimen with this text and HTML.
    pub fn of(text: &str, html: &str) -> Dictionary {
        let bytes = payload(text, html);
        let hash = hex::encode(Sha256::digest(&bytes));
        Dictionary { hash, bytes }
    }
}

/// A letter's text and HTML in one byte string: the text's length (u32 LE), the text, the HTML.
fn payload(text: &str, html: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + text.len() + html.len());
    write_payload(&mut out, text, html);
    out
}

fn write_payload(out: &mut Vec<u8>, text: &str, html: &str) {
    out.extend_from_slice(&(text.len() as u32).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(html.as_bytes());
}

/// Packs letter after letter with the same two buffers: no allocation per letter but the
/// packed bytes themselves.
#[derive(Default)]
pub struct Packer {
    payload: Vec<u8>,
    out: Vec<u8>,
}

impl Packer {
    /// `text` and `html` compressed against `dict`.
    pub fn pack(&mut self, text: &str, html: &str, dict: &Dictionary) -> Vec<u8> {
        self.payload.clear();
        write_payload(&mut self.payload, text, html);
        let most = lz4_flex::block::get_maximum_output_size(self.payload.len());
        if self.out.len() < most {
            self.out.resize(most, 0);
        }
        // The format of `compress_prepend_size_with_dict`: the input's length, then the block.
        let dict: &[u8] = if dict.bytes.len() > 3 { &dict.bytes } else { b"" };
        let n = lz4_flex::block::compress_into_with_dict(&self.payload, &mut self.out, dict)
            .expect("the buffer holds the largest possible output");
        let mut packed = Vec::with_capacity(4 + n);
        packed.extend_from_slice(&(self.payload.len() as u32).to_le_bytes());
        packed.extend_from_slice(&self.out[..n]);
        packed
    }
}

/// The text and HTML that [`Packer::pack`] stored with the dictionary `dict`.
pub fn unpack(packed: &[u8], dict: &[u8]) -> Result<(String, String)> {
    let broken = |why: &str| Error::failure(format!("a stored letter cannot be read: {why}"));
    let bytes = lz4_flex::block::decompress_size_prepended_with_dict(packed, dict)
        .map_err(|e| broken(&e.to_string()))?;
    let len = bytes
        .get(..4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or_else(|| broken("too short"))?;
    if bytes.len() < 4 + len {
        return Err(broken("too short"));
    }
    let mut bytes = bytes;
    let html = String::from_utf8(bytes.split_off(4 + len)).map_err(|_| broken("not UTF-8"))?;
    let text = String::from_utf8(bytes.split_off(4)).map_err(|_| broken("not UTF-8"))?;
    Ok((text, html))
}

/// A letter's text and HTML as the outbox stores them: packed against a dictionary.
#[derive(Debug, Clone)]
pub struct PackedBody {
    pub dictionary: Arc<Dictionary>,
    pub bytes: Vec<u8>,
}

/// The dictionaries one run has stored or read, by id and by hash.
#[derive(Default)]
pub struct Dictionaries {
    ids: HashMap<String, i64>,
    bytes: HashMap<i64, Arc<Vec<u8>>>,
}

impl Dictionaries {
    /// The id of `dict`, stored first if the database does not have it.
    pub async fn id_of<C: ConnectionTrait>(&mut self, conn: &C, dict: &Dictionary) -> Result<i64> {
        if let Some(&id) = self.ids.get(&dict.hash) {
            return Ok(id);
        }
        const DOING: &str = "storing a letter dictionary";
        let b = conn.get_database_backend();
        conn.execute_raw(stmt(
            b,
            "INSERT INTO letter_dictionary (hash, bytes) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING",
            vec![dict.hash.clone().into(), Value::Bytes(Some(dict.bytes.clone()))],
        ))
        .await
        .context(DOING)?;
        let row = conn
            .query_one_raw(stmt(
                b,
                "SELECT id FROM letter_dictionary WHERE hash = ?",
                vec![dict.hash.clone().into()],
            ))
            .await
            .context(DOING)?
            .ok_or_else(|| Error::failure("a letter dictionary vanished while it was stored"))?;
        let id: i64 = row.try_get("", "id").context(DOING)?;
        self.ids.insert(dict.hash.clone(), id);
        self.bytes.insert(id, Arc::new(dict.bytes.clone()));
        Ok(id)
    }

    /// Reads the dictionaries among `ids` that this run has not seen yet.
    pub async fn load<C: ConnectionTrait>(
        &mut self,
        conn: &C,
        ids: impl IntoIterator<Item = i64>,
    ) -> Result<()> {
        let mut missing: Vec<i64> = ids
            .into_iter()
            .filter(|id| !self.bytes.contains_key(id))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        if missing.is_empty() {
            return Ok(());
        }
        const DOING: &str = "reading letter dictionaries";
        let b = conn.get_database_backend();
        let list = vec!["?"; missing.len()].join(",");
        let rows = conn
            .query_all_raw(stmt(
                b,
                &format!("SELECT id, bytes FROM letter_dictionary WHERE id IN ({list})"),
                missing.into_iter().map(Value::from).collect(),
            ))
            .await
            .context(DOING)?;
        for r in rows {
            let id: i64 = r.try_get("", "id").context(DOING)?;
            let bytes: Vec<u8> = r.try_get("", "bytes").context(DOING)?;
            self.bytes.insert(id, Arc::new(bytes));
        }
        Ok(())
    }

    /// The text and HTML of a stored letter: `packed` with its dictionary when packed, else
    /// the plain columns. The dictionary must have been loaded.
    pub fn body(
        &self,
        text: String,
        html: String,
        packed: Option<Vec<u8>>,
        dictionary_id: Option<i64>,
    ) -> Result<(String, String)> {
        match (packed, dictionary_id) {
            (Some(bytes), Some(id)) => {
                let dict = self
                    .bytes
                    .get(&id)
                    .ok_or_else(|| Error::failure(format!("letter dictionary {id} is missing")))?;
                unpack(&bytes, dict)
            }
            _ => Ok((text, html)),
        }
    }
}

/// The columns a query selects (from `notification_content` as `alias`) to read a letter's
/// text and HTML with [`Dictionaries::body`].
pub fn columns(alias: &str) -> String {
    format!("{alias}.body_text, {alias}.body_html, {alias}.packed, {alias}.dictionary_id")
}

/// Reads the stored text and HTML of each row of `rows` (selected with [`columns`]), loading
/// the dictionaries they need.
pub async fn bodies<C: ConnectionTrait>(
    conn: &C,
    dicts: &mut Dictionaries,
    rows: &[sea_orm::QueryResult],
) -> Result<Vec<(String, String)>> {
    const DOING: &str = "reading stored letters";
    let mut raw = Vec::with_capacity(rows.len());
    for r in rows {
        let text: String = r.try_get("", "body_text").context(DOING)?;
        let html: String = r.try_get("", "body_html").context(DOING)?;
        let packed: Option<Vec<u8>> = r.try_get("", "packed").context(DOING)?;
        let dictionary_id: Option<i64> = r.try_get("", "dictionary_id").context(DOING)?;
        raw.push((text, html, packed, dictionary_id));
    }
    dicts.load(conn, raw.iter().filter_map(|r| r.3)).await?;
    raw.into_iter()
        .map(|(t, h, p, d)| dicts.body(t, h, p, d))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(text: &str, html: &str, dict: &Dictionary) -> Vec<u8> {
        Packer::default().pack(text, html, dict)
    }

    #[test]
    fn a_letter_comes_back_exactly_and_small() {
        let specimen_text = "Dear Specimen,\n\nyour data were copied. ".repeat(60);
        let specimen_html = format!("<p>{}</p>", specimen_text.replace('\n', "<br>"));
        let dict = Dictionary::of(&specimen_text, &specimen_html);
        let text = specimen_text.replace("Specimen", "Ærnö 🙂 <script>");
        let html = specimen_html.replace("Specimen", "Ærnö 🙂 &lt;script&gt;");
        let packed = pack(&text, &html, &dict);
        assert_eq!(
            unpack(&packed, &dict.bytes).unwrap(),
            (text.clone(), html.clone())
        );
        assert!(
            packed.len() * 5 < text.len() + html.len(),
            "{} bytes",
            packed.len()
        );
        // The wrong dictionary does not give the letter back.
        let other = Dictionary::of("something else entirely", "");
        assert_ne!(unpack(&packed, &other.bytes).ok(), Some((text, html)));
    }

    #[test]
    fn a_reused_packer_writes_what_the_one_shot_format_writes() {
        let dict = Dictionary::of(&"Dear Specimen, your data were copied.\n".repeat(80), "<p>x</p>");
        let mut packer = Packer::default();
        for (text, html) in [
            (
                "Dear Anna, your data were copied.\n".repeat(90),
                "<p>a</p>".to_string(),
            ),
            ("short".to_string(), String::new()),
            (
                "Dear Bob 🙂, your data were copied.\n".repeat(70),
                "<p>b</p>".repeat(300),
            ),
        ] {
            let mut payload = (text.len() as u32).to_le_bytes().to_vec();
            payload.extend_from_slice(text.as_bytes());
            payload.extend_from_slice(html.as_bytes());
            let packed = packer.pack(&text, &html, &dict);
            assert_eq!(
                packed,
                lz4_flex::block::compress_prepend_size_with_dict(&payload, &dict.bytes)
            );
            assert_eq!(unpack(&packed, &dict.bytes).unwrap(), (text, html));
        }
    }

    #[test]
    fn empty_parts_and_a_truncated_letter() {
        let dict = Dictionary::of("", "");
        let packed = pack("", "", &dict);
        assert_eq!(
            unpack(&packed, &dict.bytes).unwrap(),
            (String::new(), String::new())
        );
        let packed = pack("text only", "", &dict);
        assert_eq!(
            unpack(&packed, &dict.bytes).unwrap(),
            ("text only".to_string(), String::new())
        );
        assert!(unpack(&packed[..3], &dict.bytes).is_err());
    }
}
