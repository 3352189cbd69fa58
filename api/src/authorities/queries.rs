//! Every SQL statement about authorities. Generic over the connection so that each works
//! inside a transaction.

use entities::authority::{self, Column, Entity};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, Select,
};

use super::{AuthorityFilter, AuthorityOrdering};
use crate::pagination::{self, Page, PageRequest, SortValue};

/// The authority with this id, if any.
pub async fn authority_by_id(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<authority::Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// The authorities with these ids, in no particular order; missing ids are skipped.
pub async fn authorities_by_ids(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<authority::Model>, DbErr> {
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

fn filtered(filter: &AuthorityFilter) -> Select<Entity> {
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
    if let Some(parent_id) = filter.parent_id {
        condition = condition.add(Column::ParentId.eq(parent_id));
    }
    if let Some(is_cuf_member) = filter.is_cuf_member {
        condition = condition.add(Column::IsCufMember.eq(is_cuf_member));
    }
    Entity::find().filter(condition)
}

fn sort_value(ordering: &AuthorityOrdering, row: &authority::Model) -> (SortValue, i64) {
    let value = match ordering.column {
        Column::CreatedAt => SortValue::Time(row.created_at),
        _ => SortValue::Text(row.sort_key.clone()),
    };
    (value, row.id)
}

/// One page of the authorities that match `filter`.
pub async fn authorities_page(
    db: &impl ConnectionTrait,
    filter: &AuthorityFilter,
    ordering: AuthorityOrdering,
    page: &PageRequest,
) -> Result<Page<authority::Model>, DbErr> {
    pagination::fetch_page(db, filtered(filter), ordering, Column::Id, page, |row| {
        sort_value(&ordering, row)
    })
    .await
}

/// How many authorities match `filter`.
pub async fn authorities_count(
    db: &impl ConnectionTrait,
    filter: &AuthorityFilter,
) -> Result<u64, DbErr> {
    filtered(filter).count(db).await
}

/// Inserts `model` (its id is assigned) and returns the stored row.
pub async fn insert_authority(
    db: &impl ConnectionTrait,
    model: authority::Model,
) -> Result<authority::Model, DbErr> {
    let mut active = authority::ActiveModel::from(model).reset_all();
    active.id = NotSet;
    active.insert(db).await
}

/// Stores `model` if its row is still at `version`; `None` when it is not (or is gone).
pub async fn update_authority_at_version(
    db: &impl ConnectionTrait,
    model: authority::Model,
    version: i32,
) -> Result<Option<authority::Model>, DbErr> {
    let id = model.id;
    let mut active = authority::ActiveModel::from(model).reset_all();
    active.id = NotSet;
    let updated = Entity::update_many()
        .set(active)
        .filter(Column::Id.eq(id))
        .filter(Column::Version.eq(version))
        .exec_with_returning(db)
        .await?;
    Ok(updated.into_iter().next())
}

/// Deletes the authority `id` if it is still at `version`; whether it did.
pub async fn delete_authority_at_version(
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

/// How many authorities have `id` as their parent.
pub async fn count_children(db: &impl ConnectionTrait, id: i64) -> Result<u64, DbErr> {
    Entity::find()
        .filter(Expr::col(Column::ParentId).eq(id))
        .count(db)
        .await
}
