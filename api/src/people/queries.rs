//! Every SQL statement about people and their affiliations. Generic over the connection so
//! that each works inside a transaction.

use entities::affiliation;
use entities::person::{self, Column, Entity};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Select,
};

use super::{PersonFilter, PersonOrdering};
use crate::pagination::{self, Page, PageRequest, SortValue};

/// The person with this id, if any.
pub async fn person_by_id(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<person::Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// The people with these ids, in no particular order; missing ids are skipped.
pub async fn people_by_ids(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<person::Model>, DbErr> {
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

fn affiliated_with(column: affiliation::Column, id: i64) -> sea_orm::sea_query::SimpleExpr {
    Column::Id.in_subquery(
        Query::select()
            .column(affiliation::Column::PersonId)
            .from(affiliation::Entity)
            .and_where(column.eq(id))
            .to_owned(),
    )
}

fn filtered(filter: &PersonFilter) -> Select<Entity> {
    let mut condition = Condition::all();
    for word in &filter.search {
        condition = condition.add(Column::SearchText.like(format!("%{word}%")));
    }
    if let Some(authority_id) = filter.authority_id {
        condition = condition.add(affiliated_with(
            affiliation::Column::AuthorityId,
            authority_id,
        ));
    }
    if let Some(organisation_id) = filter.organisation_id {
        condition = condition.add(affiliated_with(
            affiliation::Column::OrganisationId,
            organisation_id,
        ));
    }
    Entity::find().filter(condition)
}

fn sort_value(ordering: &PersonOrdering, row: &person::Model) -> (SortValue, i64) {
    let value = match ordering.column {
        Column::CreatedAt => SortValue::Time(row.created_at),
        _ => SortValue::Text(row.sort_key.clone()),
    };
    (value, row.id)
}

/// One page of the people that match `filter`.
pub async fn people_page(
    db: &impl ConnectionTrait,
    filter: &PersonFilter,
    ordering: PersonOrdering,
    page: &PageRequest,
) -> Result<Page<person::Model>, DbErr> {
    pagination::fetch_page(db, filtered(filter), ordering, Column::Id, page, |row| {
        sort_value(&ordering, row)
    })
    .await
}

/// How many people match `filter`.
pub async fn people_count(db: &impl ConnectionTrait, filter: &PersonFilter) -> Result<u64, DbErr> {
    filtered(filter).count(db).await
}

/// Inserts `model` (its id is assigned) and returns the stored row.
pub async fn insert_person(
    db: &impl ConnectionTrait,
    model: person::Model,
) -> Result<person::Model, DbErr> {
    let mut active = person::ActiveModel::from(model).reset_all();
    active.id = NotSet;
    active.insert(db).await
}

/// Stores `model` if its row is still at `version`; `None` when it is not (or is gone).
pub async fn update_person_at_version(
    db: &impl ConnectionTrait,
    model: person::Model,
    version: i32,
) -> Result<Option<person::Model>, DbErr> {
    let id = model.id;
    let mut active = person::ActiveModel::from(model).reset_all();
    active.id = NotSet;
    let updated = Entity::update_many()
        .set(active)
        .filter(Column::Id.eq(id))
        .filter(Column::Version.eq(version))
        .exec_with_returning(db)
        .await?;
    Ok(updated.into_iter().next())
}

/// Deletes the person `id` if they are still at `version`; whether it did.
pub async fn delete_person_at_version(
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

/// The affiliations of these people, each person's in their order.
pub async fn affiliations_of_people(
    db: &impl ConnectionTrait,
    person_ids: &[i64],
) -> Result<Vec<affiliation::Model>, DbErr> {
    affiliation::Entity::find()
        .filter(affiliation::Column::PersonId.is_in(person_ids.iter().copied()))
        .order_by_asc(affiliation::Column::PersonId)
        .order_by_asc(affiliation::Column::Position)
        .all(db)
        .await
}

/// Inserts affiliations (their ids are assigned), in one statement.
pub async fn insert_affiliations(
    db: &impl ConnectionTrait,
    rows: Vec<affiliation::Model>,
) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let rows = rows.into_iter().map(|row| {
        let mut active = affiliation::ActiveModel::from(row).reset_all();
        active.id = NotSet;
        active
    });
    affiliation::Entity::insert_many(rows).exec(db).await?;
    Ok(())
}

/// Deletes every affiliation of the person `id`.
pub async fn delete_affiliations_of(db: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    affiliation::Entity::delete_many()
        .filter(affiliation::Column::PersonId.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// How many affiliations point at the authority `id`.
pub async fn count_affiliations_with_authority(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<u64, DbErr> {
    affiliation::Entity::find()
        .filter(affiliation::Column::AuthorityId.eq(id))
        .count(db)
        .await
}

/// How many affiliations point at the organisation `id`.
pub async fn count_affiliations_with_organisation(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<u64, DbErr> {
    affiliation::Entity::find()
        .filter(affiliation::Column::OrganisationId.eq(id))
        .count(db)
        .await
}
