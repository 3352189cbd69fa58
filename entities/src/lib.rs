//! sea-orm entities, one module per table. Storage only: no business rules, no GraphQL.
//! Enumerations are stored as their SCREAMING_CASE names in text columns; the `api` crate
//! parses them into its domain types.

pub mod action_funding;
pub mod affiliation;
pub mod agenda_item;
pub mod api_key;
pub mod api_key_operation;
pub mod audit_entry;
pub mod authority;
pub mod consultant_recommendation;
pub mod consultant_recommendation_theme;
pub mod cooperation;
pub mod cooperation_partner;
pub mod cooperation_theme;
pub mod cost_item;
pub mod cost_share;
pub mod country_group;
pub mod decision;
pub mod document;
pub mod document_author;
pub mod document_milestone;
pub mod document_version;
pub mod event;
pub mod event_participant;
pub mod expertise;
pub mod expertise_cooperation;
pub mod follow_up;
pub mod group_membership;
pub mod organisation;
pub mod outbox;
pub mod person;
pub mod programme;
pub mod programme_action;
pub mod programme_milestone;
pub mod programme_partner;
pub mod session;
pub mod theme;
pub mod user;

/// A model read from a PostgreSQL row by position.
///
/// sea-orm reads each column by its name: it hashes the name to find the column, checks the
/// column's type twice, and formats the name into an error for every NULL it meets, only to
/// discard it. On a page of the directory that was about a quarter of the server's work
/// (ARCHITECTURE.md, "Performance"). The rows `Entity::find()` returns hold the model's
/// columns in the order of its fields, so they can be read by position instead.
pub trait FromPgRow: Sized {
    /// The model's columns, in the order `Entity::find()` selects them.
    const COLUMNS: &'static [&'static str];

    /// The model held by `row`, whose columns are [`Self::COLUMNS`] in that order.
    fn from_pg_row(row: &sea_orm::sqlx::postgres::PgRow) -> Result<Self, sea_orm::sqlx::Error>;
}

/// Implements [`FromPgRow`] for the module's `Model`, whose fields are listed in the order
/// they are declared. A field left out does not compile; the order is checked by a test
/// (`api`'s `storage::tests`) and, in debug builds, against every row read, as is each
/// column's type. Release builds skip sqlx's type check, which compares a text column with
/// six type names: the migrations fix the columns' types, and the test suite, run on
/// PostgreSQL in debug builds, reads the models' rows with the check.
#[macro_export]
macro_rules! from_pg_row {
    ($($field:ident),+ $(,)?) => {
        impl $crate::FromPgRow for Model {
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),+];

            fn from_pg_row(
                row: &sea_orm::sqlx::postgres::PgRow,
            ) -> Result<Self, sea_orm::sqlx::Error> {
                use sea_orm::sqlx::Row as _;
                let mut position = 0..;
                let mut next = || position.next().unwrap_or_default();
                // Debug builds (the tests) check every column's type against the field's;
                // release builds rely on them, as the migrations fix both.
                if cfg!(debug_assertions) {
                    Ok(Self { $($field: row.try_get(next())?),+ })
                } else {
                    Ok(Self { $($field: row.try_get_unchecked(next())?),+ })
                }
            }
        }
    };
}
