//! The `people` table: contacts of authorities and organisations.
use sea_orm::entity::prelude::*;

/// One row of `people`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "people")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    /// "last first", folded to lowercase ASCII: the key the name ordering uses.
    pub sort_key: String,
    /// Folded text of every searchable field, for case- and accent-insensitive search.
    pub search_text: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(
    id,
    first_name,
    last_name,
    sort_key,
    search_text,
    email,
    phone,
    version,
    created_at,
    updated_at,
);
