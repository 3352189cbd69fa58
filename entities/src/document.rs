//! The `documents` table: a document of the resource centre, belonging to a group, an event,
//! a programme or a fiche.
use sea_orm::entity::prelude::*;

/// One row of `documents`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    /// The title folded to lowercase ASCII: the key the list is ordered by.
    pub sort_key: String,
    pub kind: String,
    pub status: String,
    /// PUBLIC, MEMBERS or CUF.
    pub visibility: String,
    /// An ISO 639-1 language code (`fr`, `es`, …).
    pub language: String,
    pub group_id: Option<i64>,
    pub event_id: Option<i64>,
    pub programme_id: Option<i64>,
    pub cooperation_id: Option<i64>,
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
    kind,
    status,
    visibility,
    language,
    group_id,
    event_id,
    programme_id,
    cooperation_id,
    version,
    created_at,
    updated_at,
);
