//! Every SQL statement about people and their affiliations, besides the generic ones of
//! `storage`. Generic over the connection so that each works inside a transaction.

use entities::affiliation;
use entities::person::{self, Column, Entity};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Select,
};

use super::{PersonFilter, PersonOrdering};
use crate::pagination::{self, Page, PageRequest};
use crate::storage::{Keyed, Versioned};

impl Keyed for Entity {
    const ID: Column = Column::Id;

    fn id(model: &person::Model) -> i64 {
        model.id
    }
}

impl Versioned for Entity {
    const NOUN: &'static str = "person";
    const VERSION: Column = Column::Version;

    fn version(model: &person::Model) -> i32 {
        model.version
    }
}

fn affiliated_with(column: affiliation::Column, id: i64) -> Expr {
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

/// One page of the people that match `filter` and, when asked, how many match in all.
pub async fn people_page(
    db: &impl ConnectionTrait,
    filter: &PersonFilter,
    ordering: &PersonOrdering,
    page: &PageRequest,
    with_total: bool,
) -> Result<(Page<person::Model>, u64), DbErr> {
    pagination::fetch_page(db, filtered(filter), ordering, page, with_total).await
}

/// The affiliations of these people, each person's in their order.
pub async fn affiliations_of_people(
    db: &impl ConnectionTrait,
    person_ids: &[i64],
) -> Result<Vec<affiliation::Model>, DbErr> {
    crate::storage::rows_of::<affiliation::Entity>(
        db,
        affiliation::Column::PersonId,
        person_ids,
        &[affiliation::Column::PersonId, affiliation::Column::Position],
    )
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

/// How many affiliations point at `column` = `id` (an authority or an organisation).
pub async fn count_affiliations_with(
    db: &impl ConnectionTrait,
    column: affiliation::Column,
    id: i64,
) -> Result<u64, DbErr> {
    affiliation::Entity::find()
        .filter(column.eq(id))
        .count(db)
        .await
}

/// The people with an e-mail address affiliated with each of these authorities (current
/// affiliations only), as (authority id, person) pairs.
pub async fn contacts_of(
    db: &impl ConnectionTrait,
    authority_ids: &[i64],
) -> Result<Vec<(i64, person::Model)>, DbErr> {
    let affiliations = crate::storage::all(
        db,
        affiliation::Entity::find()
            .filter(affiliation::Column::AuthorityId.is_in(authority_ids.iter().copied()))
            .filter(affiliation::Column::Until.is_null()),
    )
    .await?;
    let person_ids: Vec<i64> = affiliations.iter().map(|row| row.person_id).collect();
    let people = crate::storage::all(
        db,
        Entity::find()
            .filter(Column::Id.is_in(person_ids))
            .filter(Column::Email.is_not_null())
            .order_by_asc(Column::SortKey),
    )
    .await?;
    Ok(affiliations
        .iter()
        .filter_map(|row| {
            let person = people.iter().find(|person| person.id == row.person_id)?;
            Some((row.authority_id?, person.clone()))
        })
        .collect())
}
