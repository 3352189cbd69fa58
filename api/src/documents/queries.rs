//! Every SQL statement about documents, besides the generic ones of `storage`.

use chrono::NaiveDate;
use entities::document::{self, Column, Entity};
use entities::{document_author, document_milestone, document_version};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
};

use super::{DocumentKind, DocumentStatus, DocumentVisibility};
use crate::pagination::{self, Ordering, Page, PageRequest, SortValue};

/// Which documents a list shows; every condition must hold.
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    pub group_id: Option<i64>,
    pub kinds: Vec<DocumentKind>,
    pub statuses: Vec<DocumentStatus>,
    /// Documents with a milestone not yet done whose due date starts before this day.
    pub milestones_due_before: Option<NaiveDate>,
}

/// Documents by title.
pub fn by_title() -> Ordering<Entity> {
    Ordering::new(
        "TITLE",
        Column::SortKey,
        pagination::OrderDirection::Asc,
        |row: &document::Model| SortValue::Text(row.sort_key.clone()),
    )
}

/// One page of the documents of `visibilities` that match `filter`, and how many in all.
pub async fn documents_page(
    db: &impl ConnectionTrait,
    visibilities: &[DocumentVisibility],
    filter: &DocumentFilter,
    page: &PageRequest,
    with_total: bool,
) -> Result<(Page<document::Model>, u64), DbErr> {
    let mut condition = Condition::all()
        .add(Column::Visibility.is_in(visibilities.iter().map(|visibility| visibility.as_str())));
    if let Some(group_id) = filter.group_id {
        condition = condition.add(Column::GroupId.eq(group_id));
    }
    if !filter.kinds.is_empty() {
        condition =
            condition.add(Column::Kind.is_in(filter.kinds.iter().map(|kind| kind.as_str())));
    }
    if !filter.statuses.is_empty() {
        condition = condition
            .add(Column::Status.is_in(filter.statuses.iter().map(|status| status.as_str())));
    }
    if let Some(day) = filter.milestones_due_before {
        condition = condition.add(
            Column::Id.in_subquery(
                Query::select()
                    .column(document_milestone::Column::DocumentId)
                    .from(document_milestone::Entity)
                    .and_where(document_milestone::Column::Done.eq(false))
                    .and_where(document_milestone::Column::DueStart.lt(day))
                    .to_owned(),
            ),
        );
    }
    pagination::fetch_page(
        db,
        Entity::find().filter(condition),
        &by_title(),
        page,
        with_total,
    )
    .await
}

/// Removes the authors and milestones of the document `id`, before they are written anew.
pub async fn delete_children(db: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    document_author::Entity::delete_many()
        .filter(document_author::Column::DocumentId.eq(id))
        .exec(db)
        .await?;
    document_milestone::Entity::delete_many()
        .filter(document_milestone::Column::DocumentId.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The highest version number of the document `id`, 0 without any.
pub async fn last_version_number(db: &impl ConnectionTrait, id: i64) -> Result<i32, DbErr> {
    let last: Option<Option<i32>> = document_version::Entity::find()
        .select_only()
        .column_as(document_version::Column::Number.max(), "last")
        .filter(document_version::Column::DocumentId.eq(id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(last.flatten().unwrap_or(0))
}
