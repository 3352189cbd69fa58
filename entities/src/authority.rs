//! The `authorities` table: French and foreign local authorities.
use sea_orm::entity::prelude::*;

/// One row of `authorities`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "authorities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// The name folded to lowercase ASCII: the key the name ordering uses.
    pub sort_key: String,
    /// Folded text of every searchable field, for case- and accent-insensitive search.
    pub search_text: String,
    pub kind: String,
    pub country_code: String,
    pub population: Option<i64>,
    pub parent_id: Option<i64>,
    pub is_cuf_member: bool,
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
    sort_key,
    search_text,
    kind,
    country_code,
    population,
    parent_id,
    is_cuf_member,
    website,
    description,
    version,
    created_at,
    updated_at,
);
