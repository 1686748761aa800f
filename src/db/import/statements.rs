//! The statements that move a staged chunk into `subject` and `subject_record`, written once
//! for both backends (they differ only in placeholders).

use sea_orm::DbBackend;

/// The statements that move a staged chunk into place, for one backend.
pub(crate) struct Statements {
    pub duplicates: String,
    pub counts: String,
    /// Keeps an email-less record with the person it already belongs to (see `new`).
    pub keep: String,
    pub subjects: String,
    pub records: String,
}

impl Statements {
    pub fn new(backend: DbBackend) -> Statements {
        let ph = |n: usize| match backend {
            DbBackend::Postgres => format!("${n}"),
            _ => "?".to_string(),
        };
        // The lookups into `subject_record` and `subject` are scalar subqueries: one index probe
        // per staged row, whatever the planner believes about the tables' sizes (a hash join
        // would read the whole system's records for every chunk).
        //
        // (MATERIALIZED: each probe once, not once per use of its result.)
        //
        // A record id an earlier chunk of this batch wrote is a duplicate within the file.
        let duplicates = format!(
            "WITH d AS MATERIALIZED (SELECT s.line AS line, (SELECT r.source_line FROM subject_record r \
             WHERE r.system_id = {} AND r.external_id = s.external_id AND r.batch_id = {}) AS first_line \
             FROM bd_stage s) SELECT line, first_line FROM d WHERE first_line IS NOT NULL ORDER BY line",
            ph(1),
            ph(2)
        );
        let counts = format!(
            "WITH c AS MATERIALIZED (SELECT s.content_hash AS content_hash, (SELECT r.content_hash \
             FROM subject_record r WHERE r.system_id = {} AND r.external_id = s.external_id) AS h FROM bd_stage s) \
             SELECT COALESCE(SUM(CASE WHEN h IS NULL THEN 1 ELSE 0 END), 0) AS inserted, \
             COALESCE(SUM(CASE WHEN h IS NOT NULL AND h <> content_hash THEN 1 ELSE 0 END), 0) AS updated, \
             COUNT(*) AS total FROM c",
            ph(1)
        );
        // One subject per person: new ones inserted, known ones given the newest non-empty
        // values. The postal address is one unit: a row that has any part of one replaces all
        // of it, so that a new address never mixes with the street or postal code of an old one.
        let contact = [
            "email",
            "name",
            "locale",
            "country",
            "region",
            "address_line1",
            "address_line2",
            "postal_code",
            "city",
            "phone",
            "near_key",
        ];
        let address = [
            "country",
            "region",
            "address_line1",
            "address_line2",
            "postal_code",
            "city",
        ];
        let has_address = address
            .iter()
            .map(|c| format!("excluded.{c} IS NOT NULL"))
            .collect::<Vec<_>>()
            .join(" OR ");
        let set: Vec<String> = contact
            .iter()
            .map(|c| {
                if address.contains(c) {
                    format!("{c} = CASE WHEN {has_address} THEN excluded.{c} ELSE subject.{c} END")
                } else {
                    format!("{c} = COALESCE(excluded.{c}, subject.{c})")
                }
            })
            .collect();
        let mut differs: Vec<String> = contact
            .iter()
            .filter(|c| !address.contains(c))
            .map(|c| format!("(excluded.{c} IS NOT NULL AND excluded.{c} IS DISTINCT FROM subject.{c})"))
            .collect();
        let address_differs = address
            .iter()
            .map(|c| format!("excluded.{c} IS DISTINCT FROM subject.{c}"))
            .collect::<Vec<_>>()
            .join(" OR ");
        differs.push(format!("(({has_address}) AND ({address_differs}))"));
        // The staged rows in file order. SQLite applies an upsert's rows one after the other,
        // so a person on several lines of a chunk takes each line's values in turn (the newest
        // win, an address stays whole) and needs no grouping, which was a quarter of the
        // import's work in the database. PostgreSQL refuses to update a row twice in one
        // statement: there the chunk's lines are grouped by person first, each value taken from
        // the last line that has it (the address from the last line that has one), which is
        // what SQLite's line-by-line upsert makes of them.
        let now = format!("{}, {}", ph(1), ph(2));
        let rows = match backend {
            DbBackend::Postgres => {
                let staged_address = address
                    .iter()
                    .map(|c| format!("{c} IS NOT NULL"))
                    .collect::<Vec<_>>()
                    .join(" OR ");
                let aggregated: Vec<String> = contact
                    .iter()
                    .map(|c| {
                        let given = if address.contains(c) {
                            staged_address.clone()
                        } else {
                            format!("{c} IS NOT NULL")
                        };
                        format!("(array_agg({c} ORDER BY line DESC) FILTER (WHERE {given}))[1]")
                    })
                    .collect();
                format!(
                    "{}, {now} FROM bd_stage WHERE true GROUP BY subject_key ORDER BY MIN(line)",
                    aggregated.join(", ")
                )
            }
            _ => format!(
                "{}, {now} FROM bd_stage WHERE true ORDER BY line",
                contact.join(", ")
            ),
        };
        // A record already in the inventory stays with its person when the key its row gives
        // is not an email address and neither is the person's: someone without email who
        // moves (a new address, so a new name-and-address key) is the same person with a new
        // address, not a new person with a second letter and a second case. Keys: a: name and
        // address, t: name and phone, r: one record (docs/inventory.md).
        let derived = |col: &str| format!("({col} LIKE 'a:%' OR {col} LIKE 't:%' OR {col} LIKE 'r:%')");
        let held_key = format!(
            "(SELECT subj.subject_key FROM subject_record r JOIN subject subj ON subj.id = r.subject_id \
             WHERE r.system_id = {} AND r.external_id = bd_stage.external_id)",
            // Numbered on SQLite too: the one value is used three times.
            match backend {
                DbBackend::Postgres => "$1",
                _ => "?1",
            }
        );
        let keep = format!(
            "UPDATE bd_stage SET subject_key = {held_key} WHERE {} AND {held_key} <> subject_key \
             AND {}",
            derived("subject_key"),
            derived(&held_key),
        );
        let subjects = format!(
            "INSERT INTO subject (subject_key, {cols}, created_at, updated_at) \
             SELECT subject_key, {rows} \
             ON CONFLICT (subject_key) DO UPDATE SET {set}, updated_at = excluded.updated_at WHERE {differs}",
            cols = contact.join(", "),
            set = set.join(", "),
            differs = differs.join(" OR "),
        );
        let records = format!(
            "INSERT INTO subject_record (system_id, external_id, subject_id, categories, held_categories, \
             unheld_categories, first_seen, last_seen, content_hash, batch_id, source_line, updated_at) \
             SELECT {sys}, s.external_id, (SELECT subj.id FROM subject subj WHERE subj.subject_key = s.subject_key), \
             s.categories, s.held_categories, s.unheld_categories, s.first_seen, s.last_seen, s.content_hash, {batch}, s.line, {now} FROM bd_stage s WHERE true \
             ON CONFLICT (system_id, external_id) DO UPDATE SET subject_id = excluded.subject_id, \
             categories = excluded.categories, held_categories = excluded.held_categories, \
             unheld_categories = excluded.unheld_categories, first_seen = excluded.first_seen, last_seen = excluded.last_seen, \
             updated_at = CASE WHEN subject_record.content_hash = excluded.content_hash \
             THEN subject_record.updated_at ELSE excluded.updated_at END, \
             content_hash = excluded.content_hash, batch_id = excluded.batch_id, source_line = excluded.source_line",
            sys = ph(1),
            batch = ph(2),
            now = ph(3),
        );
        Statements {
            duplicates,
            counts,
            keep,
            subjects,
            records,
        }
    }
}
