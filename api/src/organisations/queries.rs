//! Every SQL statement about organisations, besides the generic ones of `storage`. Generic
//! over the connection so that each works inside a transaction.

use entities::organisation::{self, Column, Entity};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Select};

use super::{OrganisationFilter, OrganisationOrdering};
use crate::pagination::{self, Page, PageRequest};
use crate::storage::{Keyed, Versioned};

impl Keyed for Entity {
    const ID: Column = Column::Id;

    fn id(model: &organisation::Model) -> i64 {
        model.id
    }
}

impl Versioned for Entity {
    const NOUN: &'static str = "organisation";
    const VERSION: Column = Column::Version;

    fn version(model: &organisation::Model) -> i32 {
        model.version
    }
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

/// One page of the organisations that match `filter` and, when asked, how many match in all.
pub async fn organisations_page(
    db: &impl ConnectionTrait,
    filter: &OrganisationFilter,
    ordering: &OrganisationOrdering,
    page: &PageRequest,
    with_total: bool,
) -> Result<(Page<organisation::Model>, u64), DbErr> {
    pagination::fetch_page(db, filtered(filter), ordering, page, with_total).await
}
