//! The personal-data inventory: the register of systems that hold personal data, and the
//! people in each, imported from files and SQL sources.

pub mod chunk;
pub mod countries;
pub mod fields;
pub mod identity;
pub mod import;
pub mod mapping;
pub mod reader;
pub mod report;
pub mod row;
pub mod source;
pub mod system;
