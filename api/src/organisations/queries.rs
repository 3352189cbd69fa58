//! Every SQL statement about organisations. Generic over the connection so that each works
//! inside a transaction.

use entities::organisation::{self, Column, Entity};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, Select,
};

use super::{OrganisationFilter, OrganisationOrdering};
use crate::pagination::{self, Page, PageRequest, SortValue};

/// The organisation with this id, if any.
pub async fn organisation_by_id(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<organisation::Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// The organisations with these ids, in no particular order; missing ids are skipped.
pub async fn organisations_by_ids(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<organisation::Model>, DbErr> {
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

fn filtered(filter: &OrganisationFilter) -> Select<Entity> {
    let mut condition = Condition::all();
    if let Some(country_code) = &filter.country_code {
        condition = condition.add(Column::CountryCode.eq(country_code.as_str()));
    }
    if !filter.kinds.is_empty() {
        condition =
            condition.add(Column::Kind.is_in(filter.kinds.iter().map(|kind| kind.as_str())));
    }
    for word in &filter.search {
        condition = condition.add(Column::SearchText.like(format!("%{word}%")));
    }
    Entity::find().filter(condition)
}

fn sort_value(ordering: &OrganisationOrdering, row: &organisation::Model) -> (SortValue, i64) {
    let value = match ordering.column {
        Column::CreatedAt => SortValue::Time(row.created_at),
        _ => SortValue::Text(row.sort_key.clone()),
    };
    (value, row.id)
}

/// One page of the organisations that match `filter`.
pub async fn organisations_page(
    db: &impl ConnectionTrait,
    filter: &OrganisationFilter,
    ordering: OrganisationOrdering,
    page: &PageRequest,
) -> Result<Page<organisation::Model>, DbErr> {
    pagination::fetch_page(db, filtered(filter), ordering, Column::Id, page, |row| {
        sort_value(&ordering, row)
    })
    .await
}

/// How many organisations match `filter`.
pub async fn organisations_count(
    db: &impl ConnectionTrait,
    filter: &OrganisationFilter,
) -> Result<u64, DbErr> {
    filtered(filter).count(db).await
}

/// Inserts `model` (its id is assigned) and returns the stored row.
pub async fn insert_organisation(
    db: &impl ConnectionTrait,
    model: organisation::Model,
) -> Result<organisation::Model, DbErr> {
    let mut active = organisation::ActiveModel::from(model).reset_all();
    active.id = NotSet;
    active.insert(db).await
}

/// Stores `model` if its row is still at `version`; `None` when it is not (or is gone).
pub async fn update_organisation_at_version(
    db: &impl ConnectionTrait,
    model: organisation::Model,
    version: i32,
) -> Result<Option<organisation::Model>, DbErr> {
    let id = model.id;
    let mut active = organisation::ActiveModel::from(model).reset_all();
    active.id = NotSet;
    let updated = Entity::update_many()
        .set(active)
        .filter(Column::Id.eq(id))
        .filter(Column::Version.eq(version))
        .exec_with_returning(db)
        .await?;
    Ok(updated.into_iter().next())
}

/// Deletes the organisation `id` if it is still at `version`; whether it did.
pub async fn delete_organisation_at_version(
    db: &impl ConnectionTrait,
    id: i64,
    version: i32,
) -> Result<bool, DbErr> {
    let result = Entity::delete_many()
        .filter(Column::Id.eq(id))
        .filter(Column::Version.eq(version))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
