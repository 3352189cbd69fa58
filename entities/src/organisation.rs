//! The `organisations` table: networks, ministries, embassies, agencies, consultants.
use sea_orm::entity::prelude::*;

/// One row of `organisations`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organisations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub acronym: Option<String>,
    /// The name folded to lowercase ASCII: the key the name ordering uses.
    pub sort_key: String,
    /// Folded text of every searchable field, for case- and accent-insensitive search.
    pub search_text: String,
    pub kind: String,
    pub country_code: Option<String>,
    pub website: Option<String>,
    pub description: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(
    id,
    name,
    acronym,
    sort_key,
    search_text,
    kind,
    country_code,
    website,
    description,
    version,
    created_at,
    updated_at,
);
