//! Every SQL statement about the directory, besides the generic ones of `storage`.

use entities::cooperation::{self, Column, Entity};
use entities::{cooperation_partner, cooperation_theme, theme};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};

use super::{CooperationFilter, CooperationOrdering, PartnerSide, ValidationState, Visibility};
use crate::pagination::{self, Page, PageRequest};
use crate::storage::{self, Freshness, Keyed, Versioned};

impl Keyed for Entity {
    const ID: Column = Column::Id;

    fn id(model: &cooperation::Model) -> i64 {
        model.id
    }
}

impl Versioned for Entity {
    const NOUN: &'static str = "cooperation";
    const VERSION: Column = Column::Version;

    fn version(model: &cooperation::Model) -> i32 {
        model.version
    }
}

impl Keyed for theme::Entity {
    const ID: theme::Column = theme::Column::Id;

    fn id(model: &theme::Model) -> i64 {
        model.id
    }
}

impl Versioned for theme::Entity {
    const NOUN: &'static str = "theme";
    const VERSION: theme::Column = theme::Column::Version;

    fn version(model: &theme::Model) -> i32 {
        model.version
    }
}

/// Fiches with `authority_id` among their partners (on `side`, or either).
fn with_partner(authority_id: i64, side: Option<PartnerSide>) -> Expr {
    let mut partners = Query::select();
    partners
        .column(cooperation_partner::Column::CooperationId)
        .from(cooperation_partner::Entity)
        .and_where(cooperation_partner::Column::AuthorityId.eq(authority_id));
    if let Some(side) = side {
        partners.and_where(cooperation_partner::Column::Side.eq(side.as_str()));
    }
    Column::Id.in_subquery(partners.to_owned())
}

/// The condition `visibility` puts on fiches.
pub fn visible(visibility: Visibility) -> Condition {
    match visibility {
        Visibility::All => Condition::all(),
        Visibility::ValidatedAnd(member) => {
            let mut condition = Condition::any()
                .add(Column::ValidationState.eq(ValidationState::Validated.as_str()));
            if let Some(authority_id) = member {
                condition = condition.add(with_partner(authority_id, Some(PartnerSide::French)));
            }
            condition
        }
    }
}

fn filtered(visibility: Visibility, filter: &CooperationFilter) -> Select<Entity> {
    let mut condition = Condition::all().add(visible(visibility));
    if let Some(country_code) = &filter.country_code {
        condition = condition.add(Column::CountryCode.eq(country_code.as_str()));
    }
    if !filter.statuses.is_empty() {
        condition = condition
            .add(Column::Status.is_in(filter.statuses.iter().map(|status| status.as_str())));
    }
    if !filter.validation_states.is_empty() {
        condition = condition.add(
            Column::ValidationState
                .is_in(filter.validation_states.iter().map(|state| state.as_str())),
        );
    }
    if !filter.themes.is_empty() {
        condition = condition.add(
            Column::Id.in_subquery(
                Query::select()
                    .column(cooperation_theme::Column::CooperationId)
                    .from(cooperation_theme::Entity)
                    .and_where(
                        cooperation_theme::Column::ThemeId.is_in(filter.themes.iter().copied()),
                    )
                    .to_owned(),
            ),
        );
    }
    if let Some(authority_id) = filter.authority_id {
        condition = condition.add(with_partner(authority_id, None));
    }
    if let Some(to_year) = filter.to_year {
        condition = condition.add(
            Condition::any()
                .add(Column::StartYear.is_null())
                .add(Column::StartYear.lte(to_year)),
        );
    }
    if let Some(from_year) = filter.from_year {
        condition = condition.add(
            Condition::any()
                .add(Column::EndYear.is_null())
                .add(Column::EndYear.gte(from_year)),
        );
    }
    for word in &filter.search {
        condition = condition.add(Column::SearchText.like(format!("%{word}%")));
    }
    Entity::find().filter(condition)
}

/// One page of the visible fiches that match `filter` and, when asked, how many in all.
pub async fn cooperations_page(
    db: &impl ConnectionTrait,
    visibility: Visibility,
    filter: &CooperationFilter,
    ordering: &CooperationOrdering,
    page: &PageRequest,
    with_total: bool,
) -> Result<(Page<cooperation::Model>, u64), DbErr> {
    pagination::fetch_page(db, filtered(visibility, filter), ordering, page, with_total).await
}

/// The fiche `id` if `visibility` shows it and it matches `filter`.
pub async fn matching_cooperation(
    db: &impl ConnectionTrait,
    visibility: Visibility,
    filter: &CooperationFilter,
    id: i64,
) -> Result<Option<cooperation::Model>, DbErr> {
    filtered(visibility, filter)
        .filter(Column::Id.eq(id))
        .one(db)
        .await
}

/// How many visible fiches match `filter`, and when the latest of them changed.
pub async fn cooperations_freshness(
    db: &impl ConnectionTrait,
    visibility: Visibility,
    filter: &CooperationFilter,
) -> Result<Freshness, DbErr> {
    storage::freshness(db, filtered(visibility, filter), Column::UpdatedAt).await
}

/// How many authorities and themes exist, and when the latest of each changed: the names
/// and labels an export shows with its fiches.
pub async fn names_freshness(db: &impl ConnectionTrait) -> Result<[Freshness; 2], DbErr> {
    Ok([
        storage::freshness(
            db,
            entities::authority::Entity::find(),
            entities::authority::Column::UpdatedAt,
        )
        .await?,
        storage::freshness(db, theme::Entity::find(), theme::Column::UpdatedAt).await?,
    ])
}

/// The visible fiche `id`, if any.
pub async fn visible_cooperation(
    db: &impl ConnectionTrait,
    visibility: Visibility,
    id: i64,
) -> Result<Option<cooperation::Model>, DbErr> {
    Entity::find()
        .filter(Column::Id.eq(id))
        .filter(visible(visibility))
        .one(db)
        .await
}

/// How many visible fiches of `country_code` fall in each value of `column`.
pub async fn count_by(
    db: &impl ConnectionTrait,
    visibility: Visibility,
    country_code: &str,
    column: Column,
) -> Result<Vec<(String, i64)>, DbErr> {
    Entity::find()
        .select_only()
        .column(column)
        .column_as(Column::Id.count(), "count")
        .filter(Column::CountryCode.eq(country_code))
        .filter(visible(visibility))
        .group_by(column)
        .into_tuple()
        .all(db)
        .await
}

/// How many visible fiches of `country_code` have each theme.
pub async fn count_by_theme(
    db: &impl ConnectionTrait,
    visibility: Visibility,
    country_code: &str,
) -> Result<Vec<(i64, i64)>, DbErr> {
    let fiches = Query::select()
        .column(Column::Id)
        .from(Entity)
        .cond_where(
            Condition::all()
                .add(Column::CountryCode.eq(country_code))
                .add(visible(visibility)),
        )
        .to_owned();
    cooperation_theme::Entity::find()
        .select_only()
        .column(cooperation_theme::Column::ThemeId)
        .column_as(cooperation_theme::Column::CooperationId.count(), "count")
        .filter(cooperation_theme::Column::CooperationId.in_subquery(fiches))
        .group_by(cooperation_theme::Column::ThemeId)
        .into_tuple()
        .all(db)
        .await
}

/// The partners of these fiches.
pub async fn partners_of(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<cooperation_partner::Model>, DbErr> {
    crate::storage::rows_of::<cooperation_partner::Entity>(
        db,
        cooperation_partner::Column::CooperationId,
        ids,
        &[
            cooperation_partner::Column::CooperationId,
            cooperation_partner::Column::AuthorityId,
        ],
    )
    .await
}

/// The theme links of these fiches.
pub async fn theme_ids_of(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<cooperation_theme::Model>, DbErr> {
    crate::storage::rows_of::<cooperation_theme::Entity>(
        db,
        cooperation_theme::Column::CooperationId,
        ids,
        &[],
    )
    .await
}

/// Replaces the partners of the fiche `id`.
pub async fn replace_partners(
    db: &impl ConnectionTrait,
    id: i64,
    rows: Vec<cooperation_partner::Model>,
) -> Result<(), DbErr> {
    cooperation_partner::Entity::delete_many()
        .filter(cooperation_partner::Column::CooperationId.eq(id))
        .exec(db)
        .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let rows = rows
        .into_iter()
        .map(|row| sea_orm::IntoActiveModel::into_active_model(row).reset_all());
    cooperation_partner::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Replaces the themes of the fiche `id`.
pub async fn replace_themes(
    db: &impl ConnectionTrait,
    id: i64,
    themes: &[i64],
) -> Result<(), DbErr> {
    cooperation_theme::Entity::delete_many()
        .filter(cooperation_theme::Column::CooperationId.eq(id))
        .exec(db)
        .await?;
    if themes.is_empty() {
        return Ok(());
    }
    let rows = themes.iter().map(|theme_id| {
        sea_orm::IntoActiveModel::into_active_model(cooperation_theme::Model {
            cooperation_id: id,
            theme_id: *theme_id,
        })
        .reset_all()
    });
    cooperation_theme::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Every theme, by label.
pub async fn all_themes(db: &impl ConnectionTrait) -> Result<Vec<theme::Model>, DbErr> {
    crate::storage::all(db, theme::Entity::find().order_by_asc(theme::Column::Label)).await
}

/// The fiches of `country_code` awaiting validation, oldest first, with their French partners.
pub async fn awaiting_validation(
    db: &impl ConnectionTrait,
    country_code: &str,
) -> Result<Vec<(cooperation::Model, Vec<i64>)>, DbErr> {
    let fiches = crate::storage::all(
        db,
        Entity::find()
            .filter(Column::CountryCode.eq(country_code))
            .filter(Column::ValidationState.eq(ValidationState::AwaitingValidation.as_str()))
            .order_by_asc(Column::AwaitingSince)
            .order_by_asc(Column::Id),
    )
    .await?;
    let ids: Vec<i64> = fiches.iter().map(|fiche| fiche.id).collect();
    let partners = partners_of(db, &ids).await?;
    Ok(fiches
        .into_iter()
        .map(|fiche| {
            let french = partners
                .iter()
                .filter(|row| {
                    row.cooperation_id == fiche.id && row.side == PartnerSide::French.as_str()
                })
                .map(|row| row.authority_id)
                .collect();
            (fiche, french)
        })
        .collect())
}

/// Records a reminder on these fiches: when, and one more in their count.
pub async fn record_reminder(
    db: &impl ConnectionTrait,
    ids: &[i64],
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::ExprTrait;
    Entity::update_many()
        .col_expr(Column::LastRemindedAt, Expr::value(at))
        .col_expr(
            Column::ReminderCount,
            Expr::col(Column::ReminderCount).add(1),
        )
        .filter(Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}
