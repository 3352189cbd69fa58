//! Every SQL statement of the open-data exports, besides those they borrow from the
//! directory and programmes.

use chrono::{NaiveTime, TimeZone, Utc};
use entities::{
    action_funding, authority, cost_share, country_group, organisation, programme,
    programme_action, programme_partner,
};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::AidYear;
use crate::programmes::CommitmentState;
use crate::storage::{self, Freshness};

/// The ids of the country groups of `country_code`, as a subquery.
fn groups_of(country_code: &str) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(country_group::Column::Id)
        .from(country_group::Entity)
        .and_where(country_group::Column::CountryCode.eq(country_code))
        .to_owned()
}

/// The programmes of the groups of `country_code`.
fn programmes_of_country(country_code: &str) -> sea_orm::Select<programme::Entity> {
    programme::Entity::find()
        .filter(programme::Column::GroupId.in_subquery(groups_of(country_code)))
}

/// Up to `limit` programmes of the groups of `country_code` after the id `after`, by id.
pub async fn programmes_page(
    db: &impl ConnectionTrait,
    country_code: &str,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<programme::Model>, DbErr> {
    let mut select = programmes_of_country(country_code);
    if let Some(after) = after {
        select = select.filter(programme::Column::Id.gt(after));
    }
    select
        .order_by_asc(programme::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// The partner organisations of these programmes.
pub async fn partners_of(
    db: &impl ConnectionTrait,
    programme_ids: &[i64],
) -> Result<Vec<programme_partner::Model>, DbErr> {
    crate::storage::rows_of::<programme_partner::Entity>(
        db,
        programme_partner::Column::ProgrammeId,
        programme_ids,
        &[programme_partner::Column::Id],
    )
    .await
}

/// What the programme side of a country's IATI file is made of: its programmes, their
/// actions and shares (a share's commitment bumps its `updated_at`), their co-financing
/// lines (which have no `updated_at`: how many, and how many declined), the organisations
/// and country groups they name.
pub async fn country_programmes_freshness(
    db: &impl ConnectionTrait,
    country_code: &str,
) -> Result<Vec<Freshness>, DbErr> {
    let programme_ids = Query::select()
        .column(programme::Column::Id)
        .from(programme::Entity)
        .and_where(programme::Column::GroupId.in_subquery(groups_of(country_code)))
        .to_owned();
    let actions = programme_action::Entity::find()
        .filter(programme_action::Column::ProgrammeId.in_subquery(programme_ids));
    let action_ids = Query::select()
        .column(programme_action::Column::Id)
        .from(programme_action::Entity)
        .and_where(
            programme_action::Column::ProgrammeId.in_subquery(
                Query::select()
                    .column(programme::Column::Id)
                    .from(programme::Entity)
                    .and_where(programme::Column::GroupId.in_subquery(groups_of(country_code)))
                    .to_owned(),
            ),
        )
        .to_owned();
    let shares = cost_share::Entity::find()
        .filter(cost_share::Column::ActionId.in_subquery(action_ids.clone()));
    let fundings = action_funding::Entity::find()
        .filter(action_funding::Column::ActionId.in_subquery(action_ids));
    let declined = fundings
        .clone()
        .filter(action_funding::Column::Commitment.eq(CommitmentState::Declined.as_str()));
    Ok(vec![
        storage::freshness(
            db,
            programmes_of_country(country_code),
            programme::Column::UpdatedAt,
        )
        .await?,
        storage::freshness(db, actions, programme_action::Column::UpdatedAt).await?,
        storage::freshness(db, shares, cost_share::Column::UpdatedAt).await?,
        counted(fundings.count(db).await?),
        counted(declined.count(db).await?),
        storage::freshness(
            db,
            organisation::Entity::find(),
            organisation::Column::UpdatedAt,
        )
        .await?,
        storage::freshness(
            db,
            country_group::Entity::find(),
            country_group::Column::UpdatedAt,
        )
        .await?,
    ])
}

fn counted(count: u64) -> Freshness {
    Freshness {
        count: i64::try_from(count).unwrap_or(i64::MAX),
        last: None,
    }
}

/// The programmes whose money counts in `year` (see [`super::aid_year`]): those starting
/// in it, those without a start ending in it, those with neither recorded in it.
pub async fn programmes_counting_in(
    db: &impl ConnectionTrait,
    year: AidYear,
) -> Result<Vec<programme::Model>, DbErr> {
    let (Some(first), Some(last)) = (year.first_day(), year.last_day()) else {
        return Ok(Vec::new());
    };
    let Some(next) = last.succ_opt() else {
        return Ok(Vec::new());
    };
    let midnight = |day: chrono::NaiveDate| Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN));
    let condition = Condition::any()
        .add(programme::Column::StartsOn.between(first, last))
        .add(
            Condition::all()
                .add(programme::Column::StartsOn.is_null())
                .add(programme::Column::EndsOn.between(first, last)),
        )
        .add(
            Condition::all()
                .add(programme::Column::StartsOn.is_null())
                .add(programme::Column::EndsOn.is_null())
                .add(programme::Column::CreatedAt.gte(midnight(first)))
                .add(programme::Column::CreatedAt.lt(midnight(next))),
        );
    crate::storage::all(
        db,
        programme::Entity::find()
            .filter(condition)
            .order_by_asc(programme::Column::Id),
    )
    .await
}

/// The shares of these actions (of `authority_id` alone, when given) pledged or beyond:
/// PLEDGED, CONFIRMED or PAID.
pub async fn committed_shares(
    db: &impl ConnectionTrait,
    action_ids: &[i64],
    authority_id: Option<i64>,
) -> Result<Vec<cost_share::Model>, DbErr> {
    let committed = [
        CommitmentState::Pledged,
        CommitmentState::Confirmed,
        CommitmentState::Paid,
    ];
    let mut select = cost_share::Entity::find()
        .filter(cost_share::Column::ActionId.is_in(action_ids.iter().copied()))
        .filter(cost_share::Column::Commitment.is_in(committed.map(CommitmentState::as_str)));
    if let Some(authority_id) = authority_id {
        select = select.filter(cost_share::Column::AuthorityId.eq(authority_id));
    }
    select.order_by_asc(cost_share::Column::Id).all(db).await
}

/// What the aid summary's validator is made of: the shares (of `authority_id` alone, when
/// given), every programme and action (their dates and groups decide where a share counts),
/// the country groups (their countries) and the authorities (their names).
pub async fn aid_summary_freshness(
    db: &impl ConnectionTrait,
    authority_id: Option<i64>,
) -> Result<Vec<Freshness>, DbErr> {
    let mut shares = cost_share::Entity::find();
    if let Some(authority_id) = authority_id {
        shares = shares.filter(cost_share::Column::AuthorityId.eq(authority_id));
    }
    Ok(vec![
        storage::freshness(db, shares, cost_share::Column::UpdatedAt).await?,
        storage::freshness(db, programme::Entity::find(), programme::Column::UpdatedAt).await?,
        storage::freshness(
            db,
            programme_action::Entity::find(),
            programme_action::Column::UpdatedAt,
        )
        .await?,
        storage::freshness(
            db,
            country_group::Entity::find(),
            country_group::Column::UpdatedAt,
        )
        .await?,
        storage::freshness(db, authority::Entity::find(), authority::Column::UpdatedAt).await?,
    ])
}
