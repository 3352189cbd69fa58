//! The `document_milestones` table: a document's dated steps.
use sea_orm::entity::prelude::*;

/// One row of `document_milestones`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "document_milestones")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub document_id: i64,
    pub position: i32,
    pub title: String,
    pub due_start: Date,
    pub due_end: Date,
    pub due_precision: String,
    pub tentative: bool,
    pub done: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(
    id,
    document_id,
    position,
    title,
    due_start,
    due_end,
    due_precision,
    tentative,
    done,
);
