//! Which input column feeds which inventory field. Columns are recognised by common header
//! names in English, German and French; `--map COLUMN=FIELD` adds or overrides, and
//! `--map "First+Last=name"` builds one field from several columns, joined by spaces. Before
//! an import, [`Mapping::summary`] tells what becomes of every column, with a hint for a
//! column that is ignored but looks like a field.

use std::fmt;

use serde::Serialize;

use crate::category::DataCategory;

use crate::error::{Error, Result};

/// An inventory field a column can feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    ExternalId,
    SubjectKey,
    Email,
    Name,
    GivenName,
    FamilyName,
    Locale,
    Country,
    Region,
    AddressLine1,
    AddressLine2,
    PostalCode,
    City,
    Phone,
    FirstSeen,
    LastSeen,
    Categories,
}

/// Every field with its name and the header names recognised without a `--map`.
#[rustfmt::skip]
const FIELDS: &[(Field, &str, &[&str])] = &[
    (Field::ExternalId, "external_id", &["external_id", "id", "record_id", "customer_id", "customer_number", "employee_id", "employee_number", "personnel_no", "personnel_number", "applicant_id", "contact_id", "user_id", "kundennummer", "personalnummer"]),
    (Field::SubjectKey, "subject_key", &["subject_key", "person_id", "person_key"]),
    (Field::Email, "email", &["email", "e_mail", "email_address", "mail", "e_mail_address", "e_mail_adresse", "email_adresse", "mailadresse", "courriel", "adresse_e_mail", "adresse_email", "adresse_courriel", "primary_email", "correo", "correo_electronico"]),
    (Field::Name, "name", &["name", "full_name", "fullname", "display_name", "nom_complet"]),
    (Field::GivenName, "given_name", &["given_name", "first_name", "firstname", "forename", "vorname", "prenom", "prénom"]),
    (Field::FamilyName, "family_name", &["family_name", "last_name", "lastname", "surname", "nachname", "familienname", "nom_de_famille", "nom"]),
    (Field::Locale, "locale", &["locale", "language", "lang", "sprache", "langue", "preferred_language"]),
    (Field::Country, "country", &["country", "country_code", "country_region", "country_or_region", "nation", "land", "pays", "staat", "pais", "país", "paese", "landescode", "code_pays"]),
    (Field::Region, "region", &["region", "state", "province", "bundesland", "state_code"]),
    (Field::AddressLine1, "address_line1", &["address_line1", "address_line_1", "address", "address1", "street", "street_address", "strasse", "straße", "adresse", "rue"]),
    (Field::AddressLine2, "address_line2", &["address_line2", "address_line_2", "address2", "adresszusatz", "complement_adresse"]),
    (Field::PostalCode, "postal_code", &["postal_code", "postcode", "zip", "zip_code", "plz", "postleitzahl", "code_postal"]),
    (Field::City, "city", &["city", "town", "ort", "stadt", "ville"]),
    (Field::Phone, "phone", &["phone", "telephone", "phone_number", "mobile", "telefon", "telefonnummer", "téléphone", "telephone_number"]),
    (Field::FirstSeen, "first_seen", &["first_seen", "created", "created_at", "registered", "registered_at", "since", "angelegt_am"]),
    (Field::LastSeen, "last_seen", &["last_seen", "updated", "updated_at", "last_activity", "last_login", "modified", "geaendert_am"]),
    (Field::Categories, "categories", &["categories", "data_categories"]),
];

/// Words in a header that suggest a field without being safe to map unasked (a `Nationality`
/// is not where a person lives), checked after the recognised names.
#[rustfmt::skip]
const HINTS: &[(&str, Field)] = &[
    ("country", Field::Country), ("nationality", Field::Country), ("nationalite", Field::Country),
    ("nationalität", Field::Country), ("staatsangehoerigkeit", Field::Country), ("staatsangehörigkeit", Field::Country),
    ("email", Field::Email), ("mail", Field::Email), ("courriel", Field::Email),
    ("phone", Field::Phone), ("tel", Field::Phone), ("telefon", Field::Phone), ("mobil", Field::Phone),
    ("zip", Field::PostalCode), ("postcode", Field::PostalCode), ("plz", Field::PostalCode),
    ("city", Field::City), ("town", Field::City), ("ort", Field::City),
    ("street", Field::AddressLine1), ("address", Field::AddressLine1), ("strasse", Field::AddressLine1),
    ("name", Field::Name), ("language", Field::Locale), ("locale", Field::Locale),
];

/// What an input column feeds, as the import announces it.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnUse {
    pub column: String,
    /// The field it feeds (fields, when several), or `None`: ignored.
    pub field: Option<String>,
    /// For an ignored column: the field it looks like, and how to map it.
    pub hint: Option<String>,
}

impl Field {
    pub fn name(self) -> &'static str {
        FIELDS
            .iter()
            .find(|(f, _, _)| *f == self)
            .map(|(_, n, _)| *n)
            .unwrap_or("?")
    }

    fn parse(name: &str) -> Result<Field> {
        let wanted = normalise(name);
        FIELDS
            .iter()
            .find(|(_, n, _)| *n == wanted)
            .map(|(f, _, _)| *f)
            .ok_or_else(|| {
                let names: Vec<&str> = FIELDS.iter().map(|(_, n, _)| *n).collect();
                Error::bad_input(format!(
                    "unknown field '{name}' in --map: fields are {}",
                    names.join(", ")
                ))
            })
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `E-Mail Adresse` and `e_mail_adresse` are the same header.
fn normalise(header: &str) -> String {
    header
        .trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect::<String>()
        .split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// The columns feeding each field of one input.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    pub fields: Vec<(Field, Vec<usize>)>,
}

impl Mapping {
    /// Builds the mapping from the header row and the `--map` specifications.
    pub fn build(headers: &[String], specs: &[String]) -> Result<Mapping> {
        let normalised: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
        let column = |name: &str| -> Result<usize> {
            let n = normalise(name);
            normalised.iter().position(|h| *h == n).ok_or_else(|| {
                Error::bad_input(format!(
                    "--map names column '{name}', which the input does not have; its columns are: {}",
                    headers.join(", ")
                ))
            })
        };
        let mut fields: Vec<(Field, Vec<usize>)> = Vec::new();
        for spec in specs {
            let (columns, field) = spec.rsplit_once('=').ok_or_else(|| {
                Error::bad_input(format!(
                    "--map '{spec}' should be COLUMN=FIELD, e.g. --map \"E-Mail=email\""
                ))
            })?;
            let field = Field::parse(field)?;
            let columns = columns.split('+').map(column).collect::<Result<Vec<_>>>()?;
            fields.retain(|(f, _)| *f != field);
            fields.push((field, columns));
        }
        let taken: Vec<usize> = fields.iter().flat_map(|(_, c)| c.clone()).collect();
        for (field, _, synonyms) in FIELDS {
            if fields.iter().any(|(f, _)| f == field) {
                continue;
            }
            let found = normalised
                .iter()
                .enumerate()
                .find(|(i, h)| synonyms.contains(&h.as_str()) && !taken.contains(i));
            if let Some((i, _)) = found {
                fields.push((*field, vec![i]));
            }
        }
        let mapping = Mapping { fields };
        if mapping.columns(Field::ExternalId).is_none() {
            return Err(Error::bad_input(format!(
                "no column gives the record id (external_id): name it with --map COLUMN=external_id; the columns are: {}",
                headers.join(", ")
            )));
        }
        Ok(mapping)
    }

    pub fn columns(&self, field: Field) -> Option<&[usize]> {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, c)| c.as_slice())
    }

    /// The field's value in `row`: its columns' trimmed values joined by single spaces, or
    /// `None` when they are all empty.
    pub fn get<'a>(&self, field: Field, row: &'a [&'a str]) -> Option<String> {
        let columns = self.columns(field)?;
        let parts: Vec<&str> = columns
            .iter()
            .filter_map(|&i| row.get(i).map(|v| v.trim()))
            .filter(|v| !v.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    /// The categories whose field this input carries (name, email, phone, postal address): a
    /// row that leaves such a field empty does not hold that category.
    pub fn carried_categories(&self) -> i64 {
        self.fields
            .iter()
            .map(|(f, _)| match f {
                Field::Name | Field::GivenName | Field::FamilyName => DataCategory::of_field("name"),
                Field::Email => DataCategory::of_field("email"),
                Field::Phone => DataCategory::of_field("phone"),
                Field::AddressLine1 | Field::AddressLine2 | Field::PostalCode | Field::City => {
                    DataCategory::of_field("postal_address")
                }
                _ => 0,
            })
            .fold(0, |m, b| m | b)
    }

    /// What becomes of each column of `headers`, in their order: the field it feeds, or
    /// ignored, with a hint when its name looks like a field.
    pub fn summary(&self, headers: &[String]) -> Vec<ColumnUse> {
        headers
            .iter()
            .enumerate()
            .map(|(i, column)| {
                let fed: Vec<&str> = self
                    .fields
                    .iter()
                    .filter(|(_, cols)| cols.contains(&i))
                    .map(|(f, _)| f.name())
                    .collect();
                let field = (!fed.is_empty()).then(|| fed.join(", "));
                let hint = field.is_none().then(|| self.hint(column, headers)).flatten();
                ColumnUse {
                    column: column.clone(),
                    field,
                    hint,
                }
            })
            .collect()
    }

    /// Why an ignored column may matter: it has a recognised name of a field another column
    /// already gives, or a word of one.
    fn hint(&self, column: &str, headers: &[String]) -> Option<String> {
        let n = normalise(column);
        if n.is_empty() {
            return None;
        }
        let suggest = |field: Field| {
            let by = self.columns(field).map(|cols| {
                cols.iter()
                    .filter_map(|&i| headers.get(i).map(String::as_str))
                    .collect::<Vec<_>>()
                    .join("+")
            });
            match by {
                Some(by) => format!(
                    "looks like {field}, which '{by}' gives; --map \"{column}={field}\" takes it instead"
                ),
                None => format!("looks like {field}: --map \"{column}={field}\" imports it"),
            }
        };
        if let Some((field, _, _)) = FIELDS.iter().find(|(_, _, names)| names.contains(&n.as_str())) {
            return Some(suggest(*field));
        }
        let words: Vec<&str> = n.split('_').collect();
        HINTS
            .iter()
            .find(|(word, _)| words.contains(word) || (word.len() >= 5 && n.contains(word)))
            .map(|(_, field)| suggest(*field))
    }

    /// The mapping in the `COLUMN=FIELD` form, to store with a SQL source.
    pub fn describe(&self, headers: &[String]) -> Vec<String> {
        self.fields
            .iter()
            .map(|(f, cols)| {
                let names: Vec<&str> = cols
                    .iter()
                    .filter_map(|&i| headers.get(i).map(String::as_str))
                    .collect();
                format!("{}={f}", names.join("+"))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn recognises_common_headers_and_builds_names_from_parts() {
        let h = headers(&[
            "Kundennummer",
            "Vorname",
            "Nachname",
            "E-Mail",
            "PLZ",
            "Ort",
            "Land",
            "Notiz",
        ]);
        let m = Mapping::build(&h, &["Vorname+Nachname=name".into()]).unwrap();
        assert_eq!(m.columns(Field::ExternalId), Some(&[0][..]));
        assert_eq!(m.columns(Field::Email), Some(&[3][..]));
        assert_eq!(m.columns(Field::Name), Some(&[1, 2][..]));
        assert_eq!(m.columns(Field::PostalCode), Some(&[4][..]));
        let row = [
            "42",
            " Jürgen ",
            "Müller",
            "j@x.de",
            "01067",
            "Dresden",
            "DE",
            "vip",
        ];
        assert_eq!(m.get(Field::Name, &row).as_deref(), Some("Jürgen Müller"));
    }

    #[test]
    fn tells_what_becomes_of_every_column_and_hints_at_look_alikes() {
        let h = headers(&[
            "ID",
            "Nation",
            "Country/Region",
            "Nationality",
            "Customer Phone",
            "Notes",
        ]);
        let m = Mapping::build(&h, &[]).unwrap();
        let s = m.summary(&h);
        assert_eq!(s[0].field.as_deref(), Some("external_id"));
        assert_eq!(s[1].field.as_deref(), Some("country"));
        assert_eq!(s[2].field, None);
        assert!(
            s[2].hint.as_deref().unwrap().contains("which 'Nation' gives"),
            "{:?}",
            s[2]
        );
        assert!(
            s[3].hint
                .as_deref()
                .unwrap()
                .contains("--map \"Nationality=country\""),
            "{:?}",
            s[3]
        );
        assert!(s[4].hint.as_deref().unwrap().contains("phone"), "{:?}", s[4]);
        assert_eq!((s[5].field.as_deref(), s[5].hint.as_deref()), (None, None));
    }

    #[test]
    fn explains_what_is_missing() {
        let err = Mapping::build(&headers(&["mail", "who"]), &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("external_id") && err.contains("mail, who"), "{err}");
        let err = Mapping::build(&headers(&["id"]), &["nope=email".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("'nope'"), "{err}");
        let err = Mapping::build(&headers(&["id"]), &["id=shoe".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field 'shoe'"), "{err}");
    }
}
