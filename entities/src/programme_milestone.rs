//! The `programme_milestones` table: a dated step of a programme's schedule.
use sea_orm::entity::prelude::*;

/// One row of `programme_milestones`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programme_milestones")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub programme_id: i64,
    pub position: i32,
    pub title: String,
    pub due_start: Option<Date>,
    pub due_end: Option<Date>,
    pub due_precision: Option<String>,
    pub due_tentative: bool,
    pub done: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(
    id,
    programme_id,
    position,
    title,
    due_start,
    due_end,
    due_precision,
    due_tentative,
    done,
);
