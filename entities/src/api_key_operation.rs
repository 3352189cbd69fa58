//! The `api_key_operations` table: the documents a pinned API key may run.
use sea_orm::entity::prelude::*;

/// One row of `api_key_operations`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_key_operations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub api_key_id: i64,
    /// The operation's name, as the integration calls it.
    pub name: String,
    /// SHA-256 of the document's exact text, hex: what a request is matched on.
    pub sha256: String,
    pub document: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(id, api_key_id, name, sha256, document, created_at);
