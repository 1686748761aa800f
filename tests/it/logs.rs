//! No personal data in logs at any level: the demo at `trace` prints none of the names and
//! addresses of its sample people on stderr.

use crate::common::{TestEnv, run_ok};

/// Every name, email address and street of the demo's sample files.
fn sample_personal_data(env: &TestEnv) -> Vec<String> {
    let personal = [
        "email",
        "e-mail",
        "name",
        "first_name",
        "last_name",
        "vorname",
        "nachname",
        "street",
        "straße",
        "telefon",
        "phone",
    ];
    let mut values = Vec::new();
    for entry in std::fs::read_dir(env.dir().join("breachdesk-demo")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let delimiter = if text.lines().next().unwrap_or("").contains(';') {
            b';'
        } else {
            b','
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        let headers = reader.headers().unwrap().clone();
        let columns: Vec<usize> = headers
            .iter()
            .enumerate()
            .filter(|(_, h)| personal.contains(&h.to_lowercase().as_str()))
            .map(|(i, _)| i)
            .collect();
        for record in reader.records() {
            let record = record.unwrap();
            for &i in &columns {
                let v = record.get(i).unwrap_or("").trim();
                if v.chars().count() >= 3 {
                    values.push(v.to_lowercase());
                }
            }
        }
    }
    values.sort();
    values.dedup();
    values
}

pub fn demo_at_trace_logs_no_personal_data(env: &TestEnv) {
    let output = env
        .cmd()
        .env_remove("BREACHDESK_DATABASE_URL")
        .env("BREACHDESK_LOG", "trace")
        .arg("demo")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr).to_lowercase();
    let values = sample_personal_data(env);
    assert!(values.len() > 300, "the sample files were read: {}", values.len());
    let leaked: Vec<&String> = values.iter().filter(|v| stderr.contains(v.as_str())).collect();
    assert!(leaked.is_empty(), "personal data on stderr: {leaked:?}");
    // The rest of the demo still works: the log above is not empty because nothing ran.
    assert!(
        run_ok(
            env.cmd()
                .env_remove("BREACHDESK_DATABASE_URL")
                .args(["audit", "verify"])
        )
        .contains("intact")
    );
}
