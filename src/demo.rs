//! The built-in sample organisation of `breachdesk demo`: four systems (a website contact
//! form, a job-applicant portal, a CRM of client contacts, the HR system) with a few hundred
//! people in several countries and languages, overlapping across systems the way real
//! inventories do (applicants who became employees, website contacts who are clients, the
//! same address written in different case). Generated from a fixed seed, so every run is the
//! same; all addresses use the reserved example domains.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A sample system: key, name, categories, kinds of people.
pub struct SampleSystem {
    pub key: &'static str,
    pub name: &'static str,
    pub categories: &'static str,
    pub subject_kinds: &'static str,
    pub file: &'static str,
}

pub const SYSTEMS: &[SampleSystem] = &[
    SampleSystem {
        key: "website",
        name: "Website contact form",
        categories: "name,email,communications",
        subject_kinds: "prospect,website_visitor",
        file: "website-contact-form.csv",
    },
    SampleSystem {
        key: "applicants",
        name: "Job applicant portal",
        categories: "name,email,phone,postal_address,date_of_birth,job_application",
        subject_kinds: "applicant",
        file: "applicants.csv",
    },
    SampleSystem {
        key: "crm",
        name: "CRM of client contacts",
        categories: "name,email,phone,employment",
        subject_kinds: "client_contact",
        file: "crm-contacts.csv",
    },
    SampleSystem {
        key: "hr",
        name: "HR system",
        categories: "name,email,postal_address,national_id,bank_account,employment,health",
        subject_kinds: "employee",
        file: "hr-employees.csv",
    },
];

struct Country {
    code: &'static str,
    locale: &'static str,
    given: &'static [&'static str],
    family: &'static [&'static str],
    cities: &'static [(&'static str, &'static str)],
    streets: &'static [&'static str],
}

const COUNTRIES: &[Country] = &[
    Country {
        code: "DE",
        locale: "de",
        given: &[
            "Anna", "Lukas", "Sophie", "Jonas", "Marie", "Felix", "Lea", "Paul", "Jürgen", "Käthe",
        ],
        family: &[
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Becker",
            "Hoffmann",
            "Schäfer",
        ],
        cities: &[
            ("Berlin", "10115"),
            ("Dresden", "01067"),
            ("München", "80331"),
            ("Köln", "50667"),
        ],
        streets: &["Hauptstraße", "Gartenweg", "Lindenallee", "Bahnhofstraße"],
    },
    Country {
        code: "AT",
        locale: "de-AT",
        given: &["Lena", "Tobias", "Hannah", "Florian"],
        family: &["Gruber", "Huber", "Wagner", "Pichler"],
        cities: &[("Wien", "1010"), ("Graz", "8010")],
        streets: &["Ringstraße", "Mariahilfer Straße"],
    },
    Country {
        code: "FR",
        locale: "fr",
        given: &[
            "Camille", "Louis", "Chloé", "Hugo", "Léa", "Gabriel", "Inès", "Théo",
        ],
        family: &[
            "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Lefèvre",
        ],
        cities: &[("Paris", "75011"), ("Lyon", "69002"), ("Marseille", "13001")],
        streets: &["rue de la Paix", "avenue Victor Hugo", "boulevard Voltaire"],
    },
    Country {
        code: "GB",
        locale: "en-GB",
        given: &["Oliver", "Amelia", "Harry", "Isla", "George", "Ava"],
        family: &["Smith", "Jones", "Taylor", "Brown", "Williams", "O'Brien"],
        cities: &[("London", "SW1A 1AA"), ("Manchester", "M1 1AE")],
        streets: &["High Street", "Station Road", "Church Lane"],
    },
    Country {
        code: "US",
        locale: "en-US",
        given: &["Emma", "Liam", "Olivia", "Noah", "Mia", "Ethan"],
        family: &["Johnson", "Garcia", "Miller", "Davis", "Rodriguez", "Wilson"],
        cities: &[("San Francisco", "94103"), ("New York", "10001")],
        streets: &["Market Street", "Broadway", "Mission Street"],
    },
    Country {
        code: "ES",
        locale: "es",
        given: &["Lucía", "Hugo", "Martina", "Mateo"],
        family: &["García", "Fernández", "López", "Martínez"],
        cities: &[("Madrid", "28013"), ("Barcelona", "08001")],
        streets: &["Calle Mayor", "Gran Vía"],
    },
];

const DOMAINS: &[&str] = &["example.org", "example.com", "example.net", "mail.example.org"];

/// A deterministic pseudo-random sequence (64-bit LCG), enough for sample data.
struct Seq(u64);

impl Seq {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

struct Person {
    given: &'static str,
    family: &'static str,
    email: Option<String>,
    country: &'static Country,
    region: &'static str,
    city: (&'static str, &'static str),
    street: String,
    phone: String,
    birth: String,
}

/// Writes the sample systems' CSV files into `dir` and returns their paths, in [`SYSTEMS`]
/// order. `people` is the size of the population (the demo uses 300).
pub fn write_sample_files(dir: &Path, people: usize) -> Result<Vec<PathBuf>> {
    crate::private_file::create_dir(dir)
        .map_err(|e| Error::failure(format!("cannot create {}: {e}", dir.display())))?;
    let mut seq = Seq(0x0b5e_55ed_2026);
    let population: Vec<Person> = (0..people)
        .map(|i| {
            let country = seq.pick(COUNTRIES);
            let given = *seq.pick(country.given);
            let family = *seq.pick(country.family);
            let local: String = format!("{}.{}{}", ascii(given), ascii(family), i)
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
                .collect();
            let email = (!seq.chance(6)).then(|| format!("{local}@{}", seq.pick(DOMAINS)));
            let city = *seq.pick(country.cities);
            let street = format!("{} {}", seq.pick(country.streets), 1 + seq.next() % 120);
            let region = match (country.code, city.0) {
                ("US", "San Francisco") => "CA",
                ("US", _) => "NY",
                _ => "",
            };
            Person {
                given,
                family,
                email,
                country,
                region,
                city,
                street,
                phone: format!("+{} {}", 30 + seq.next() % 60, 1_000_000 + seq.next() % 8_999_999),
                birth: format!(
                    "{}-{:02}-{:02}",
                    1960 + seq.next() % 45,
                    1 + seq.next() % 12,
                    1 + seq.next() % 28
                ),
            }
        })
        .collect();

    // Who is where: the first 40% reached the website, 30%..60% applied, 50%..95% are client
    // contacts, and a fifth of the applicants became employees (plus some earlier hires).
    let n = people;
    let website: Vec<usize> = (0..n * 2 / 5).collect();
    let applicants: Vec<usize> = (n * 3 / 10..n * 3 / 5).collect();
    let crm: Vec<usize> = (n / 2..n * 19 / 20).filter(|i| i % 7 != 0).collect();
    let hr: Vec<usize> = applicants
        .iter()
        .copied()
        .filter(|i| i % 5 == 0)
        .chain((n * 19 / 20)..n)
        .collect();

    let mut files = Vec::new();
    let mut csv = String::new();
    csv.push_str("id,email,first_name,last_name,message_date,language\n");
    for &i in &website {
        let p = &population[i];
        let email = p.email.clone().unwrap_or_default().to_uppercase();
        let _ = writeln!(
            csv,
            "W{i:05},{email},{},{},2025-{:02}-15,{}",
            p.given,
            p.family,
            1 + i % 12,
            p.country.locale
        );
    }
    files.push(write(dir, SYSTEMS[0].file, &csv)?);

    csv.clear();
    csv.push_str("applicant_id;E-Mail;Vorname;Nachname;Telefon;Straße;PLZ;Ort;Land;Bundesland;Geburtsdatum;Sprache;angelegt_am;geaendert_am\n");
    for &i in &applicants {
        let p = &population[i];
        let email = p.email.clone().unwrap_or_default();
        let year = 2022 + (i % 4);
        let _ = writeln!(
            csv,
            "A-{i};{email};{};{};{};\"{}\";{};{};{};{};{};{};{year}-03-01;{year}-09-30",
            p.given,
            p.family,
            p.phone,
            p.street,
            p.city.1,
            p.city.0,
            p.country.code,
            p.region,
            p.birth,
            p.country.locale
        );
    }
    files.push(write(dir, SYSTEMS[1].file, &csv)?);

    csv.clear();
    csv.push_str("contact_id,email,name,phone,company,country\n");
    for &i in &crm {
        let p = &population[i];
        let Some(email) = &p.email else { continue };
        let _ = writeln!(
            csv,
            "C{i},{email},\"{} {}\",{},Example Client {},{}",
            p.given,
            p.family,
            p.phone,
            i % 17,
            p.country.code
        );
    }
    files.push(write(dir, SYSTEMS[2].file, &csv)?);

    csv.clear();
    csv.push_str("personnel_no,email,first_name,last_name,street,postal_code,city,country,region,language,first_seen,last_seen\n");
    for &i in &hr {
        let p = &population[i];
        let email = p.email.clone().unwrap_or_default();
        let _ = writeln!(
            csv,
            "{},{email},{},{},\"{}\",{},{},{},{},{},2019-01-01,2026-10-31",
            10_000 + i,
            p.given,
            p.family,
            p.street,
            p.city.1,
            p.city.0,
            p.country.code,
            p.region,
            p.country.locale
        );
    }
    files.push(write(dir, SYSTEMS[3].file, &csv)?);
    Ok(files)
}

/// The people are invented, but the files are written as real exports should be: readable
/// by their owner only.
fn write(dir: &Path, name: &str, text: &str) -> Result<PathBuf> {
    let path = dir.join(name);
    crate::private_file::write(&path, text.as_bytes())
        .map_err(|e| Error::failure(format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}

/// The ASCII letters of a name, lower-cased, for sample addresses.
fn ascii(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'ä' => 'a',
            'ö' | 'ô' => 'o',
            'ü' => 'u',
            'é' | 'è' | 'ë' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' => 'u',
            'á' => 'a',
            'ç' => 'c',
            'ß' => 's',
            _ => c,
        })
        .filter(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_lowercase()
}

/// The demo incident's narrative in German and French (nature, likely consequences, measures
/// taken, measures proposed), as an operator gives it with `incident translate`.
pub const NARRATIVE_TRANSLATIONS: &[(&str, [&str; 4])] = &[
    (
        "de",
        [
            "Ein Angreifer hat den Dateiserver der Personalabteilung verschlüsselt, nachdem er einen Teil \
             davon kopiert hatte. Auf dem Server lagen Bewerbungen und Personalakten.",
            "Die Kontakt- und Identitätsdaten von Bewerberinnen, Bewerbern und Beschäftigten könnten \
             veröffentlicht oder für Phishing genutzt werden.",
            "Der Server wurde vom Netz getrennt, aus der Offline-Sicherung der Vornacht wiederhergestellt, \
             und alle Zugangsdaten wurden geändert.",
            "Wir informieren alle Betroffenen, beobachten einschlägige Leak-Seiten und bieten Unterstützung an.",
        ],
    ),
    (
        "fr",
        [
            "Un attaquant a chiffré le serveur de fichiers des ressources humaines après en avoir copié une \
             partie. Des candidatures et des dossiers du personnel se trouvaient sur ce serveur.",
            "Les coordonnées et les données d'identité des candidats et des salariés pourraient être publiées \
             ou utilisées pour de l'hameçonnage.",
            "Le serveur a été isolé, restauré à partir de la sauvegarde hors ligne de la nuit précédente, et \
             tous les identifiants ont été changés.",
            "Nous informons toutes les personnes concernées, surveillons les sites de fuite et proposons notre aide.",
        ],
    ),
    (
        "es",
        [
            "Un atacante cifró el servidor de archivos del departamento de personal después de copiar parte de su \
             contenido. En el servidor había candidaturas y expedientes del personal.",
            "Los datos de contacto y de identidad de candidatos y empleados podrían publicarse o usarse para \
             intentos de phishing.",
            "Desconectamos el servidor, lo restauramos a partir de la copia de seguridad sin conexión de la noche \
             anterior y cambiamos todas las credenciales de acceso.",
            "Estamos informando a todas las personas afectadas, vigilamos los sitios donde se publican datos \
             robados y ofrecemos ayuda.",
        ],
    ),
];
