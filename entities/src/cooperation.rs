//! The `cooperations` table: one directory entry (fiche) each.
use sea_orm::entity::prelude::*;

/// One row of `cooperations`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cooperations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    /// The title folded to lowercase ASCII: the key the title ordering uses.
    pub sort_key: String,
    /// Folded title, summary and partner names, for case- and accent-insensitive search.
    pub search_text: String,
    pub country_code: String,
    pub status: String,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    /// `start_year`, or 0 when unknown: the key the start-year ordering uses.
    pub start_year_key: i32,
    pub summary: Option<String>,
    /// Comma-separated source names (`CUF_SURVEY,EMBASSY`).
    pub sources: String,
    pub internal_notes: Option<String>,
    pub validation_state: String,
    /// Since when the fiche awaits validation by its authority.
    pub awaiting_since: Option<DateTimeUtc>,
    pub validated_at: Option<DateTimeUtc>,
    pub validated_by: Option<i64>,
    /// Whether CUF recorded the validation on the authority's behalf.
    pub validated_on_behalf: bool,
    pub last_reminded_at: Option<DateTimeUtc>,
    pub reminder_count: i32,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(
    id,
    title,
    sort_key,
    search_text,
    country_code,
    status,
    start_year,
    end_year,
    start_year_key,
    summary,
    sources,
    internal_notes,
    validation_state,
    awaiting_since,
    validated_at,
    validated_by,
    validated_on_behalf,
    last_reminded_at,
    reminder_count,
    version,
    created_at,
    updated_at,
);
