//! The `audit_entries` table: who changed what, written with every change.
use sea_orm::entity::prelude::*;

/// One row of `audit_entries`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub user_id: Option<i64>,
    pub api_key_id: Option<i64>,
    /// The actor as shown: a user's email, an API key's name, or "system".
    pub actor: String,
    pub mutation: String,
    /// The global id of the changed node, if any.
    pub node_id: Option<String>,
    /// JSON `{"before": …, "after": …}` of the changed fields.
    pub changes: String,
    pub request_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(
    id, at, user_id, api_key_id, actor, mutation, node_id, changes, request_id
);
