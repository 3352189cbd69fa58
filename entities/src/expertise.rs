//! The `expertise` table: an authority's know-how on a theme, for the offer of its country
//! groups.
use sea_orm::entity::prelude::*;

/// One row of `expertise`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "expertise")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub authority_id: i64,
    pub theme_id: i64,
    pub title: String,
    /// The title folded to lowercase ASCII: the key the title ordering uses.
    pub sort_key: String,
    /// Folded text of the title, description, services and the authority's name.
    pub search_text: String,
    pub description: String,
    /// The services or departments that hold the know-how, one per line.
    pub services: String,
    /// ISO 639-1 codes of the languages spoken, comma-separated.
    pub languages: String,
    pub contact_person_id: Option<i64>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(
    id,
    authority_id,
    theme_id,
    title,
    sort_key,
    search_text,
    description,
    services,
    languages,
    contact_person_id,
    version,
    created_at,
    updated_at,
);
