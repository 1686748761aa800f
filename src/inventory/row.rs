//! One inventory row checked and normalised: the person's identity key, contact data, the
//! record's categories and dates. A row that fails gets a reason (never the bad value of a
//! personal field, so that reports can be shown and logged).

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::fields::{SubjectEmail, parse_country, parse_locale, parse_seen, repair_postal_code};
use super::mapping::{Field, Mapping};
use crate::category::DataCategory;

pub use crate::db::import::RecordRow as InventoryRow;

/// Checks one row. `values` are the row's fields in column order.
pub fn parse_row(
    line: u64,
    values: &[&str],
    mapping: &Mapping,
    system_key: &str,
) -> Result<InventoryRow, String> {
    let get = |f: Field| mapping.get(f, values);
    let external_id = get(Field::ExternalId).ok_or("missing record id (external_id)")?;
    if external_id.chars().count() > 200 {
        return Err("record id (external_id) longer than 200 characters".into());
    }
    let email = match get(Field::Email) {
        Some(text) => Some(SubjectEmail::parse(&text).map_err(str::to_string)?),
        None => None,
    };
    let country = match get(Field::Country) {
        Some(text) => Some(
            parse_country(&text)
                .ok_or_else(|| format!("unknown country '{}'", text.trim()))?
                .to_string(),
        ),
        None => None,
    };
    let locale = match get(Field::Locale) {
        Some(text) => Some(parse_locale(&text).ok_or_else(|| format!("unknown locale '{}'", text.trim()))?),
        None => None,
    };
    let seen = |f: Field| -> Result<Option<DateTime<Utc>>, String> {
        match get(f) {
            Some(text) => parse_seen(&text)
                .map(Some)
                .ok_or_else(|| format!("cannot read {f} '{}': use YYYY-MM-DD or RFC 3339", text.trim())),
            None => Ok(None),
        }
    };
    let (first_seen, last_seen) = (seen(Field::FirstSeen)?, seen(Field::LastSeen)?);
    if let (Some(a), Some(b)) = (first_seen, last_seen)
        && a > b
    {
        return Err("first_seen is after last_seen".into());
    }
    let categories = match get(Field::Categories) {
        Some(text) => {
            let list = DataCategory::parse_list(&text.replace([';', '|'], ",")).map_err(|e| e.to_string())?;
            DataCategory::mask(&list)
        }
        None => 0,
    };
    let name = get(Field::Name).or_else(|| {
        let parts: Vec<String> = [get(Field::GivenName), get(Field::FamilyName)]
            .into_iter()
            .flatten()
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    });
    let region = get(Field::Region).map(|r| if r.len() <= 3 { r.to_ascii_uppercase() } else { r });
    let postal_code = get(Field::PostalCode).map(|p| repair_postal_code(&p, country.as_deref()));
    let subject_key = match (get(Field::SubjectKey), &email) {
        (Some(key), _) => format!("k:{key}"),
        (None, Some(e)) => format!("e:{}", e.match_key()),
        (None, None) => format!("r:{system_key}:{external_id}"),
    };
    let mut row = InventoryRow {
        line,
        external_id,
        subject_key,
        email: email.map(|e| e.as_str().to_string()),
        name,
        locale,
        country,
        region,
        address_line1: get(Field::AddressLine1),
        address_line2: get(Field::AddressLine2),
        postal_code,
        city: get(Field::City),
        phone: get(Field::Phone),
        first_seen,
        last_seen,
        categories,
        content_hash: String::new(),
    };
    row.content_hash = content_hash(&row);
    Ok(row)
}

fn content_hash(r: &InventoryRow) -> String {
    let mut h = Sha256::new();
    let t = |v: &Option<DateTime<Utc>>| v.map(|t| t.timestamp_micros().to_string());
    for part in [
        Some(r.subject_key.clone()),
        r.email.clone(),
        r.name.clone(),
        r.locale.clone(),
        r.country.clone(),
        r.region.clone(),
        r.address_line1.clone(),
        r.address_line2.clone(),
        r.postal_code.clone(),
        r.city.clone(),
        r.phone.clone(),
        t(&r.first_seen),
        t(&r.last_seen),
        Some(r.categories.to_string()),
    ] {
        h.update(part.as_deref().unwrap_or("\u{0}").as_bytes());
        h.update([0x1f]);
    }
    hex::encode(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(headers: &[&str]) -> Mapping {
        Mapping::build(&headers.iter().map(|s| s.to_string()).collect::<Vec<_>>(), &[]).unwrap()
    }

    #[test]
    fn normalises_a_good_row_and_keys_the_person_by_email() {
        let m = mapping(&[
            "id",
            "email",
            "first_name",
            "last_name",
            "country",
            "zip",
            "language",
            "categories",
        ]);
        let r = parse_row(
            2,
            &[
                "7",
                " Ann.Lee@Example.ORG",
                "Ann",
                "Lee",
                "Deutschland",
                "1067",
                "de_at",
                "email;health",
            ],
            &m,
            "crm",
        )
        .unwrap();
        assert_eq!(r.subject_key, "e:ann.lee@example.org");
        assert_eq!(r.email.as_deref(), Some("Ann.Lee@example.org"));
        assert_eq!(r.name.as_deref(), Some("Ann Lee"));
        assert_eq!(r.country.as_deref(), Some("DE"));
        assert_eq!(r.postal_code.as_deref(), Some("01067"));
        assert_eq!(r.locale.as_deref(), Some("de-AT"));
        assert_eq!(
            DataCategory::join(&DataCategory::from_mask(r.categories)),
            "email,health"
        );
        let again = parse_row(
            9,
            &[
                "7",
                "ann.lee@example.org ",
                "Ann",
                "Lee",
                "DE",
                "01067",
                "de-AT",
                "health,email",
            ],
            &m,
            "crm",
        )
        .unwrap();
        assert_eq!(r.content_hash.len(), 32);
        assert_ne!(r.content_hash, again.content_hash, "the email as written differs");
    }

    #[test]
    fn rejects_with_reasons_that_do_not_repeat_personal_values() {
        let m = mapping(&["id", "email", "country"]);
        assert_eq!(
            parse_row(2, &["", "a@x.org", "DE"], &m, "s").unwrap_err(),
            "missing record id (external_id)"
        );
        let err = parse_row(2, &["1", "secret.person@", "DE"], &m, "s").unwrap_err();
        assert!(
            err.starts_with("invalid email address") && !err.contains("secret.person"),
            "{err}"
        );
        assert_eq!(
            parse_row(2, &["1", "", "Atlantis"], &m, "s").unwrap_err(),
            "unknown country 'Atlantis'"
        );
        let no_email = parse_row(2, &["1", "", ""], &m, "s").unwrap();
        assert_eq!(no_email.subject_key, "r:s:1");
    }
}
