//! sea-orm entities, one module per table. Storage only: no business rules, no GraphQL.
//! Enumerations are stored as their SCREAMING_CASE names in text columns; the `api` crate
//! parses them into its domain types.

pub mod affiliation;
pub mod api_key;
pub mod audit_entry;
pub mod authority;
pub mod organisation;
pub mod person;
pub mod session;
pub mod user;
