//! The errors a person sees: one line that says what went wrong, where, and what to do.
//!
//! Two kinds matter to scripts: bad input (exit 2) — the user can fix the command, the file or
//! the reference — and failures (exit 1) — the database, the disk or the network let us down.

use std::fmt;

/// An error that ends a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is wrong: a malformed time, an unknown reference, a bad value.
    #[error("{0}")]
    BadInput(String),
    /// Something outside the input failed: the database, a file, the network.
    #[error("{0}")]
    Failure(String),
}

impl Error {
    pub fn bad_input(msg: impl fmt::Display) -> Self {
        Error::BadInput(msg.to_string())
    }

    pub fn failure(msg: impl fmt::Display) -> Self {
        Error::Failure(msg.to_string())
    }

    /// The process exit code for this error: 2 for bad input, 1 for failures.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::BadInput(_) => 2,
            Error::Failure(_) => 1,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Turns a database error into a failure that says what we were doing, without the SQL or the
/// bound values (which may hold personal data).
pub trait DbContext<T> {
    fn context(self, doing: &str) -> Result<T>;
}

impl<T> DbContext<T> for std::result::Result<T, sea_orm::DbErr> {
    fn context(self, doing: &str) -> Result<T> {
        self.map_err(|e| Error::Failure(format!("database error while {doing}: {}", describe_db_error(&e))))
    }
}

/// A short description of a database error, free of statement text and bound values.
pub fn describe_db_error(err: &sea_orm::DbErr) -> String {
    use sea_orm::{DbErr, RuntimeErr};
    let runtime = match err {
        DbErr::Conn(r) | DbErr::Exec(r) | DbErr::Query(r) => Some(r),
        _ => None,
    };
    match runtime {
        Some(RuntimeErr::SqlxError(e)) => match e.as_database_error() {
            Some(db) => db.message().to_string(),
            None => first_line(&e.to_string()),
        },
        Some(RuntimeErr::Internal(msg)) => first_line(msg),
        _ => first_line(&err.to_string()),
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_string()
}
