//! The `affiliations` table: a person's position in exactly one authority or organisation.
use sea_orm::entity::prelude::*;

/// One row of `affiliations`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "affiliations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    pub authority_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub job_title: Option<String>,
    pub since: Option<Date>,
    pub until: Option<Date>,
    /// The affiliation's rank in the person's list, from 0.
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::from_pg_row!(
    id,
    person_id,
    authority_id,
    organisation_id,
    job_title,
    since,
    until,
    position,
);
