//! Every SQL statement about authorities, besides the generic ones of `storage`. Generic over
//! the connection so that each works inside a transaction.

use entities::authority::{self, Column, Entity};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    Select,
};

use super::{AuthorityFilter, AuthorityOrdering};
use crate::pagination::{self, Page, PageRequest};
use crate::storage::{Keyed, Versioned};

impl Keyed for Entity {
    const ID: Column = Column::Id;

    fn id(model: &authority::Model) -> i64 {
        model.id
    }
}

impl Versioned for Entity {
    const NOUN: &'static str = "authority";
    const VERSION: Column = Column::Version;

    fn version(model: &authority::Model) -> i32 {
        model.version
    }
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

/// One page of the authorities that match `filter` and, when asked, how many match in all.
pub async fn authorities_page(
    db: &impl ConnectionTrait,
    filter: &AuthorityFilter,
    ordering: &AuthorityOrdering,
    page: &PageRequest,
    with_total: bool,
) -> Result<(Page<authority::Model>, u64), DbErr> {
    pagination::fetch_page(db, filtered(filter), ordering, page, with_total).await
}

/// How many authorities have `id` as their parent.
pub async fn count_children(db: &impl ConnectionTrait, id: i64) -> Result<u64, DbErr> {
    Entity::find()
        .filter(Column::ParentId.eq(id))
        .count(db)
        .await
}
