//! Every SQL statement about events, besides the generic ones of `storage`.

use chrono::NaiveDate;
use entities::event::{self, Column, Entity};
use entities::{agenda_item, decision, event_participant, follow_up};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use super::{EventKind, EventVisibility, FollowUpStatus};
use crate::pagination::{self, Ordering, Page, PageRequest, SortValue};
use crate::storage::{Keyed, Versioned};

impl Keyed for Entity {
    const ID: Column = Column::Id;

    fn id(model: &event::Model) -> i64 {
        model.id
    }
}

impl Versioned for Entity {
    const NOUN: &'static str = "event";
    const VERSION: Column = Column::Version;

    fn version(model: &event::Model) -> i32 {
        model.version
    }
}

macro_rules! keyed {
    ($($module:ident),+) => {
        $(impl Keyed for $module::Entity {
            const ID: $module::Column = $module::Column::Id;

            fn id(model: &$module::Model) -> i64 {
                model.id
            }
        })+
    };
}
keyed!(event_participant, agenda_item, decision, follow_up);

/// Which events a list shows; every condition must hold.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub group_id: Option<i64>,
    pub kinds: Vec<EventKind>,
    /// Events whose date overlaps this range.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub tentative: Option<bool>,
    pub visibility: Option<EventVisibility>,
}

/// Events by date, then creation.
pub fn by_date() -> Ordering<Entity> {
    Ordering::new(
        "DATE",
        Column::DateStart,
        pagination::OrderDirection::Asc,
        |row: &event::Model| SortValue::Date(row.date_start),
    )
}

fn filtered(filter: &EventFilter, sees_members_events: bool) -> Select<Entity> {
    let mut condition = Condition::all();
    if !sees_members_events {
        condition = condition.add(Column::Visibility.eq(EventVisibility::Public.as_str()));
    }
    if let Some(group_id) = filter.group_id {
        condition = condition.add(Column::GroupId.eq(group_id));
    }
    if !filter.kinds.is_empty() {
        condition =
            condition.add(Column::Kind.is_in(filter.kinds.iter().map(|kind| kind.as_str())));
    }
    if let Some(from) = filter.from {
        condition = condition.add(Column::DateEnd.gte(from));
    }
    if let Some(to) = filter.to {
        condition = condition.add(Column::DateStart.lte(to));
    }
    if let Some(tentative) = filter.tentative {
        condition = condition.add(Column::Tentative.eq(tentative));
    }
    if let Some(visibility) = filter.visibility {
        condition = condition.add(Column::Visibility.eq(visibility.as_str()));
    }
    Entity::find().filter(condition)
}

/// One page of the events `filter` selects that the caller may see.
pub async fn events_page(
    db: &impl ConnectionTrait,
    filter: &EventFilter,
    sees_members_events: bool,
    page: &PageRequest,
    with_total: bool,
) -> Result<(Page<event::Model>, u64), DbErr> {
    pagination::fetch_page(
        db,
        filtered(filter, sees_members_events),
        &by_date(),
        page,
        with_total,
    )
    .await
}

/// Deletes the participants, agenda, decisions and follow-ups of the event `id`.
pub async fn delete_children(db: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    decision::Entity::delete_many()
        .filter(decision::Column::EventId.eq(id))
        .exec(db)
        .await?;
    agenda_item::Entity::delete_many()
        .filter(agenda_item::Column::EventId.eq(id))
        .exec(db)
        .await?;
    follow_up::Entity::delete_many()
        .filter(follow_up::Column::EventId.eq(id))
        .exec(db)
        .await?;
    event_participant::Entity::delete_many()
        .filter(event_participant::Column::EventId.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// What hangs off an event, each table loaded for a batch of events by its own
/// [`crate::storage::ChildrenLoader`], only when a query asks for it.
macro_rules! children_of_event {
    ($($module:ident by $order:ident),* $(,)?) => {
        $(impl crate::storage::Children for $module::Entity {
            const PARENT: $module::Column = $module::Column::EventId;
            const ORDER: $module::Column = $module::Column::$order;

            fn parent(model: &$module::Model) -> Option<i64> {
                Some(model.event_id)
            }
        })*
    };
}

children_of_event!(
    event_participant by Id,
    agenda_item by Position,
    decision by Position,
    follow_up by Id,
);

/// Follow-ups across events: open ones due before `overdue_before`, of one authority.
pub async fn follow_ups(
    db: &impl ConnectionTrait,
    overdue_before: Option<NaiveDate>,
    owner_authority_id: Option<i64>,
    limit: u64,
) -> Result<Vec<follow_up::Model>, DbErr> {
    let mut select = follow_up::Entity::find();
    if let Some(today) = overdue_before {
        select = select
            .filter(follow_up::Column::Status.eq(FollowUpStatus::Open.as_str()))
            .filter(follow_up::Column::DueEnd.lt(today));
    }
    if let Some(authority_id) = owner_authority_id {
        select = select.filter(follow_up::Column::OwnerAuthorityId.eq(authority_id));
    }
    let select = select
        .order_by_asc(follow_up::Column::DueEnd)
        .order_by_asc(follow_up::Column::Id)
        .limit(limit);
    crate::storage::all(db, select).await
}

/// The next events of a group, from `today` on, that the caller may see.
pub async fn upcoming_events(
    db: &impl ConnectionTrait,
    group_id: i64,
    today: NaiveDate,
    sees_members_events: bool,
    limit: u64,
) -> Result<Vec<event::Model>, DbErr> {
    let filter = EventFilter {
        group_id: Some(group_id),
        from: Some(today),
        ..EventFilter::default()
    };
    let select = filtered(&filter, sees_members_events)
        .order_by_asc(Column::DateStart)
        .order_by_asc(Column::Id)
        .limit(limit);
    crate::storage::all(db, select).await
}

/// The open follow-ups of a group's events, earliest due first.
pub async fn open_follow_ups_of_group(
    db: &impl ConnectionTrait,
    group_id: i64,
    sees_members_events: bool,
    limit: u64,
) -> Result<Vec<follow_up::Model>, DbErr> {
    use sea_orm::sea_query::Query;
    let mut events = Query::select();
    events
        .column(Column::Id)
        .from(Entity)
        .and_where(Column::GroupId.eq(group_id));
    if !sees_members_events {
        events.and_where(Column::Visibility.eq(EventVisibility::Public.as_str()));
    }
    crate::storage::all(
        db,
        follow_up::Entity::find()
            .filter(follow_up::Column::EventId.in_subquery(events.to_owned()))
            .filter(follow_up::Column::Status.eq(FollowUpStatus::Open.as_str()))
            .order_by_asc(follow_up::Column::DueEnd)
            .order_by_asc(follow_up::Column::Id)
            .limit(limit),
    )
    .await
}
