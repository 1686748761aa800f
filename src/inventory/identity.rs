//! Who a record without an email address belongs to: the keys that make records of one person
//! in several systems one subject, and the looser key that finds people who may be the same
//! without merging them. The rules are documented in docs/inventory.md.

use sha2::{Digest, Sha256};

/// Digits a phone number needs to identify anyone.
const PHONE_DIGITS: usize = 6;

/// The subject key of a person known by neither an explicit key nor an email address:
/// `a:` + a hash of the normalised name, first street line and postal code (or city, without
/// one); else `t:` + a hash of the normalised name and the phone number's digits; `None` when
/// the record has no name, or neither a full address nor a phone number.
pub fn key_without_email(
    name: &Option<String>,
    street: &Option<String>,
    postal_code: &Option<String>,
    city: &Option<String>,
    phone: &Option<String>,
) -> Option<String> {
    let name = name.as_deref().map(name_key).filter(|n| !n.is_empty())?;
    let town = postal_code
        .as_deref()
        .or(city.as_deref())
        .map(fold)
        .filter(|t| !t.is_empty());
    if let (Some(street), Some(town)) = (street.as_deref().map(fold).filter(|s| !s.is_empty()), town) {
        return Some(format!("a:{}", digest(&[&name, &street, &town])));
    }
    let digits: String = phone.as_deref()?.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= PHONE_DIGITS).then(|| format!("t:{}", digest(&[&name, &digits])))
}

/// The review key: a hash of the normalised name and postal code (or city). People who share
/// one but not a subject key, one of them without an email address, are listed after an import.
pub fn near_key(
    name: &Option<String>,
    postal_code: &Option<String>,
    city: &Option<String>,
) -> Option<String> {
    let name = name.as_deref().map(name_key).filter(|n| !n.is_empty())?;
    let town = postal_code
        .as_deref()
        .or(city.as_deref())
        .map(fold)
        .filter(|t| !t.is_empty())?;
    Some(digest(&[&name, &town]))
}

/// A postal address a letter can go to: a street line and a postal code or city (what the
/// outbox needs to print an address block).
pub fn is_postal_address(
    line1: &Option<String>,
    line2: &Option<String>,
    postal_code: &Option<String>,
    city: &Option<String>,
) -> bool {
    (line1.is_some() || line2.is_some()) && (postal_code.is_some() || city.is_some())
}

/// The name's words, lower-cased, without punctuation, in sorted order: `Lee, Ann` and
/// `Ann Lee` are one name.
fn name_key(name: &str) -> String {
    let lower = name.to_lowercase();
    let mut words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.sort_unstable();
    words.join(" ")
}

/// Letters and digits only, lower-cased: `Main St. 1` is `mainst1`.
fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn digest(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(&h.finalize()[..16])
}
