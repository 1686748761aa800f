//! One inventory row checked and normalised: the person's identity key, contact data, the
//! record's categories and dates. A row that fails gets a reason (never the bad value of a
//! personal field, so that reports can be shown and logged); a row imported without a bad
//! value (an invalid email address) gets a flag saying so.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::fields::{SubjectEmail, parse_country, parse_locale, parse_seen, repair_postal_code};
use super::identity;
use super::mapping::{Field, Mapping};
use crate::category::DataCategory;

pub use crate::db::import::RecordRow as InventoryRow;

/// A checked row, and what was left out of it (shown with its line, never with the value).
pub type Parsed = (InventoryRow, Option<String>);

/// Checks one row. `values` are the row's fields in column order.
pub fn parse_row(line: u64, values: &[&str], mapping: &Mapping, system_key: &str) -> Result<Parsed, String> {
    let get = |f: Field| mapping.get(f, values);
    let external_id = get(Field::ExternalId).ok_or("missing record id (external_id)")?;
    if external_id.chars().count() > 200 {
        return Err("record id (external_id) longer than 200 characters".into());
    }
    let email_text = get(Field::Email);
    let (email, bad_email) = match &email_text {
        Some(text) => match SubjectEmail::parse(text) {
            Ok(e) => (Some(e), None),
            Err(reason) => (None, Some(reason)),
        },
        None => (None, None),
    };
    let country = match get(Field::Country) {
        Some(text) => Some(
            parse_country(&text)
                .ok_or("unknown country: use an ISO code such as DE, or a country name")?
                .to_string(),
        ),
        None => None,
    };
    let locale = match get(Field::Locale) {
        Some(text) => {
            Some(parse_locale(&text).ok_or("unknown locale: use a language tag such as de or de-AT")?)
        }
        None => None,
    };
    let seen = |f: Field| -> Result<Option<DateTime<Utc>>, String> {
        match get(f) {
            Some(text) => parse_seen(&text)
                .map(Some)
                .ok_or_else(|| format!("cannot read {f}: use YYYY-MM-DD or RFC 3339")),
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
    let (address_line1, address_line2, city, phone) = (
        get(Field::AddressLine1),
        get(Field::AddressLine2),
        get(Field::City),
        get(Field::Phone),
    );
    let subject_key = get(Field::SubjectKey);
    let postal = identity::is_postal_address(&address_line1, &address_line2, &postal_code, &city);
    let flag = match bad_email {
        None => None,
        Some(reason) if postal => Some(format!(
            "{reason}: imported without the email address; the person gets a postal letter"
        )),
        Some(reason) if name.is_some() || phone.is_some() || subject_key.is_some() => Some(format!(
            "{reason}: imported without the email address; no postal address either, so no letter \
             can reach the person until one is added"
        )),
        Some(reason) => {
            return Err(format!(
                "{reason}, and nothing else reaches or identifies the person (no name, postal address or phone)"
            ));
        }
    };
    let subject_key = match (subject_key, &email) {
        (Some(key), _) => format!("k:{key}"),
        (None, Some(e)) => format!("e:{}", e.match_key()),
        (None, None) => identity::key_without_email(&name, &address_line1, &postal_code, &city, &phone)
            .unwrap_or_else(|| format!("r:{system_key}:{external_id}")),
    };
    // What the record holds, read from its values: a field the file carries but this row leaves
    // empty is a category the person is never told about.
    let held = [
        ("name", name.is_some()),
        ("email", email_text.is_some()),
        ("phone", phone.is_some()),
        (
            "postal_address",
            address_line1.is_some() || address_line2.is_some() || postal_code.is_some() || city.is_some(),
        ),
    ]
    .into_iter()
    .filter(|(_, has)| *has)
    .fold(0, |m, (key, _)| m | DataCategory::of_field(key));
    let mut row = InventoryRow {
        line,
        external_id,
        subject_key,
        email: email.map(|e| e.as_str().to_string()),
        near_key: identity::near_key(&name, &postal_code, &city),
        name,
        locale,
        country,
        region,
        address_line1,
        address_line2,
        postal_code,
        city,
        phone,
        first_seen,
        last_seen,
        categories,
        held_categories: held,
        unheld_categories: mapping.carried_categories() & !held,
        content_hash: String::new(),
    };
    row.content_hash = content_hash(&row);
    Ok((row, flag))
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
        Some(r.held_categories.to_string()),
        Some(r.unheld_categories.to_string()),
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
        .unwrap()
        .0;
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
        .unwrap()
        .0;
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
            "unknown country: use an ISO code such as DE, or a country name"
        );
        // A value in the wrong column may be someone's name or address: never repeated.
        let err = parse_row(2, &["1", "", "Janet"], &m, "s").unwrap_err();
        assert!(!err.contains("Janet"), "{err}");
        let no_email = parse_row(2, &["1", "", ""], &m, "s").unwrap().0;
        assert_eq!(no_email.subject_key, "r:s:1");
    }

    #[test]
    fn a_bad_email_is_left_out_and_flagged_unless_nothing_else_identifies_the_person() {
        let m = mapping(&["id", "email", "name", "street", "zip", "city"]);
        let (row, flag) = parse_row(
            3,
            &["1", "not-an-email", "Ann Lee", "Main St 1", "12345", "Town"],
            &m,
            "s",
        )
        .unwrap();
        assert_eq!(row.email, None);
        assert!(row.subject_key.starts_with("a:"), "{}", row.subject_key);
        let flag = flag.unwrap();
        assert!(
            flag.contains("postal letter") && !flag.contains("not-an-email"),
            "{flag}"
        );
        let err = parse_row(4, &["2", "a(b)@example.org", "", "", "", ""], &m, "s").unwrap_err();
        assert!(err.starts_with("invalid email address"), "{err}");
    }

    #[test]
    fn what_the_record_holds_is_read_from_its_values() {
        let m = mapping(&["id", "email", "name", "phone"]);
        let (row, _) = parse_row(2, &["1", "", "Ann Lee", ""], &m, "s").unwrap();
        let bits = |keys: &str| DataCategory::mask(&DataCategory::parse_list(keys).unwrap());
        assert_eq!(row.held_categories, bits("name"));
        assert_eq!(row.unheld_categories, bits("email,phone"));
        let exposed = DataCategory::of_record(
            0,
            bits("name,email,phone,health"),
            row.held_categories,
            row.unheld_categories,
        );
        assert_eq!(exposed, bits("name,health"));
    }

    #[test]
    fn people_without_email_are_keyed_by_name_and_address_or_phone() {
        let m = mapping(&["id", "name", "street", "zip", "phone"]);
        let key = |v: &[&str]| parse_row(2, v, &m, "s").unwrap().0.subject_key;
        let a = key(&["1", "Ann Lee", "Main St. 1", "12345", ""]);
        assert_eq!(a, key(&["2", "LEE, Ann", "main st 1", " 12345", "+1 555 0100"]));
        assert_ne!(a, key(&["3", "Ann Lee", "Main St 2", "12345", ""]));
        let t = key(&["4", "Ann Lee", "", "", "+1 555 0100"]);
        assert!(t.starts_with("t:"), "{t}");
        assert_eq!(t, key(&["5", "Lee Ann", "", "", "+1-555-0100"]));
        assert_eq!(key(&["6", "Ann Lee", "", "", ""]), "r:s:6");
    }
}
