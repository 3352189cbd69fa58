//! The `country_groups` table: a country group (groupe-pays).
use sea_orm::entity::prelude::*;

/// One row of `country_groups`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "country_groups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub sort_key: String,
    pub country_code: String,
    pub chair_authority_id: Option<i64>,
    pub chair_person_id: Option<i64>,
    pub coordinator_person_id: Option<i64>,
    pub launched_on: Option<Date>,
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
    country_code,
    chair_authority_id,
    chair_person_id,
    coordinator_person_id,
    launched_on,
    description,
    version,
    created_at,
    updated_at,
);
