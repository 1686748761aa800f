//! Writing one statement for both backends: `?` placeholders as SQLite takes them, numbered
//! `$1, $2, ...` for PostgreSQL.

use sea_orm::{DbBackend, Statement, Value};

/// `sql` with its `?` placeholders numbered for PostgreSQL; as written for SQLite.
pub fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    if backend != DbBackend::Postgres {
        return Statement::from_sql_and_values(backend, sql, values);
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    Statement::from_sql_and_values(backend, out, values)
}

/// The `n`th placeholder (from 1) for statements built piece by piece.
pub fn ph(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_string(),
    }
}
