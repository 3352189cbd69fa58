//! Every SQL statement about expertise entries, the common offer and consultants'
//! recommendations, besides the generic ones of `storage`. Generic over the connection so
//! that each works inside a transaction.

use entities::expertise::{self, Column, Entity};
use entities::{
    consultant_recommendation as recommendation, consultant_recommendation_theme, cooperation,
    cooperation_partner, expertise_cooperation, person,
};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};

use super::{ExpertiseFilter, ExpertiseOrdering};
use crate::directory::{PartnerSide, Visibility};
use crate::pagination::{self, Page, PageRequest};
use crate::storage::{self, Children, Freshness, Keyed, Versioned};

impl Keyed for Entity {
    const ID: Column = Column::Id;

    fn id(model: &expertise::Model) -> i64 {
        model.id
    }
}

impl Versioned for Entity {
    const NOUN: &'static str = "expertise entry";
    const VERSION: Column = Column::Version;

    fn version(model: &expertise::Model) -> i32 {
        model.version
    }
}

impl Children for Entity {
    const PARENT: Column = Column::AuthorityId;
    const ORDER: Column = Column::SortKey;

    fn parent(model: &expertise::Model) -> Option<i64> {
        Some(model.authority_id)
    }
}

impl Children for expertise_cooperation::Entity {
    const PARENT: expertise_cooperation::Column = expertise_cooperation::Column::ExpertiseId;
    const ORDER: expertise_cooperation::Column = expertise_cooperation::Column::CooperationId;

    fn parent(model: &expertise_cooperation::Model) -> Option<i64> {
        Some(model.expertise_id)
    }
}

impl Keyed for recommendation::Entity {
    const ID: recommendation::Column = recommendation::Column::Id;

    fn id(model: &recommendation::Model) -> i64 {
        model.id
    }
}

impl Versioned for recommendation::Entity {
    const NOUN: &'static str = "recommendation";
    const VERSION: recommendation::Column = recommendation::Column::Version;

    fn version(model: &recommendation::Model) -> i32 {
        model.version
    }
}

impl Children for recommendation::Entity {
    const PARENT: recommendation::Column = recommendation::Column::OrganisationId;
    const ORDER: recommendation::Column = recommendation::Column::RecommendedAt;

    fn parent(model: &recommendation::Model) -> Option<i64> {
        Some(model.organisation_id)
    }
}

impl Children for consultant_recommendation_theme::Entity {
    const PARENT: consultant_recommendation_theme::Column =
        consultant_recommendation_theme::Column::RecommendationId;
    const ORDER: consultant_recommendation_theme::Column =
        consultant_recommendation_theme::Column::ThemeId;

    fn parent(model: &consultant_recommendation_theme::Model) -> Option<i64> {
        Some(model.recommendation_id)
    }
}

/// The ids of the entries citing a fiche of `country_code` that `visibility` shows.
fn citing_country(country_code: &str, visibility: Visibility) -> Condition {
    let fiches = Query::select()
        .column(cooperation::Column::Id)
        .from(cooperation::Entity)
        .cond_where(
            Condition::all()
                .add(cooperation::Column::CountryCode.eq(country_code))
                .add(crate::directory::queries::visible(visibility)),
        )
        .to_owned();
    let links = Query::select()
        .column(expertise_cooperation::Column::ExpertiseId)
        .from(expertise_cooperation::Entity)
        .and_where(expertise_cooperation::Column::CooperationId.in_subquery(fiches))
        .to_owned();
    Condition::all().add(Column::Id.in_subquery(links))
}

fn filtered(visibility: Visibility, filter: &ExpertiseFilter) -> Select<Entity> {
    let mut condition = Condition::all();
    if !filter.themes.is_empty() {
        condition = condition.add(Column::ThemeId.is_in(filter.themes.iter().copied()));
    }
    if let Some(authority_id) = filter.authority_id {
        condition = condition.add(Column::AuthorityId.eq(authority_id));
    }
    if let Some(country_code) = &filter.country_code {
        condition = condition.add(citing_country(country_code.as_str(), visibility));
    }
    // Folded words hold only ASCII letters, digits and spaces: no `%` or `_` reaches the
    // pattern, so nothing needs escaping.
    for word in &filter.search {
        condition = condition.add(Column::SearchText.like(format!("%{word}%")));
    }
    Entity::find().filter(condition)
}

/// One page of the entries that match `filter` and, when asked, how many match in all.
pub async fn expertise_page(
    db: &impl ConnectionTrait,
    visibility: Visibility,
    filter: &ExpertiseFilter,
    ordering: &ExpertiseOrdering,
    page: &PageRequest,
    with_total: bool,
) -> Result<(Page<expertise::Model>, u64), DbErr> {
    pagination::fetch_page(db, filtered(visibility, filter), ordering, page, with_total).await
}

/// How many entries `authority_id` keeps.
pub async fn count_of_authority(
    db: &impl ConnectionTrait,
    authority_id: i64,
) -> Result<u64, DbErr> {
    Entity::find()
        .filter(Column::AuthorityId.eq(authority_id))
        .count(db)
        .await
}

/// Those of the fiches `ids` that have `authority_id` among their French partners.
pub async fn french_cooperations_of(
    db: &impl ConnectionTrait,
    authority_id: i64,
    ids: &[i64],
) -> Result<Vec<i64>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    cooperation_partner::Entity::find()
        .select_only()
        .column(cooperation_partner::Column::CooperationId)
        .filter(cooperation_partner::Column::AuthorityId.eq(authority_id))
        .filter(cooperation_partner::Column::Side.eq(PartnerSide::French.as_str()))
        .filter(cooperation_partner::Column::CooperationId.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await
}

/// The fiches cited by these entries.
pub async fn cooperation_ids_of(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<expertise_cooperation::Model>, DbErr> {
    crate::storage::rows_of::<expertise_cooperation::Entity>(
        db,
        expertise_cooperation::Column::ExpertiseId,
        ids,
        &[
            expertise_cooperation::Column::ExpertiseId,
            expertise_cooperation::Column::CooperationId,
        ],
    )
    .await
}

/// Replaces the fiches the entry `id` cites.
pub async fn replace_cooperations(
    db: &impl ConnectionTrait,
    id: i64,
    cooperation_ids: &[i64],
) -> Result<(), DbErr> {
    expertise_cooperation::Entity::delete_many()
        .filter(expertise_cooperation::Column::ExpertiseId.eq(id))
        .exec(db)
        .await?;
    let mut unique = cooperation_ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    let rows = unique
        .into_iter()
        .map(|cooperation_id| expertise_cooperation::Model {
            expertise_id: id,
            cooperation_id,
        });
    storage::insert_links::<expertise_cooperation::Entity>(db, rows).await
}

/// The entries of `authority_ids` on `theme_id`, for the offer.
pub async fn offer_entries(
    db: &impl ConnectionTrait,
    authority_ids: &[i64],
    theme_id: i64,
) -> Result<Vec<expertise::Model>, DbErr> {
    crate::storage::all(
        db,
        Entity::find()
            .filter(Column::ThemeId.eq(theme_id))
            .filter(Column::AuthorityId.is_in(authority_ids.iter().copied())),
    )
    .await
}

/// The themes `authority_ids` have entries on.
pub async fn offer_theme_ids(
    db: &impl ConnectionTrait,
    authority_ids: &[i64],
) -> Result<Vec<i64>, DbErr> {
    Entity::find()
        .select_only()
        .column(Column::ThemeId)
        .distinct()
        .filter(Column::AuthorityId.is_in(authority_ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await
}

/// What an offer's validator is made of: the entries of `authority_ids`, the fiches they
/// cite that `visibility` shows, and their contact people. Three aggregate statements.
pub async fn offer_freshness(
    db: &impl ConnectionTrait,
    authority_ids: &[i64],
    visibility: Visibility,
) -> Result<[Freshness; 3], DbErr> {
    let entries = Query::select()
        .column(Column::Id)
        .from(Entity)
        .and_where(Column::AuthorityId.is_in(authority_ids.iter().copied()))
        .to_owned();
    let cited = Query::select()
        .column(expertise_cooperation::Column::CooperationId)
        .from(expertise_cooperation::Entity)
        .and_where(expertise_cooperation::Column::ExpertiseId.in_subquery(entries))
        .to_owned();
    let contacts = Query::select()
        .column(Column::ContactPersonId)
        .from(Entity)
        .and_where(Column::AuthorityId.is_in(authority_ids.iter().copied()))
        .to_owned();
    Ok([
        storage::freshness(
            db,
            Entity::find().filter(Column::AuthorityId.is_in(authority_ids.iter().copied())),
            Column::UpdatedAt,
        )
        .await?,
        storage::freshness(
            db,
            cooperation::Entity::find()
                .filter(cooperation::Column::Id.in_subquery(cited))
                .filter(crate::directory::queries::visible(visibility)),
            cooperation::Column::UpdatedAt,
        )
        .await?,
        storage::freshness(
            db,
            person::Entity::find().filter(person::Column::Id.in_subquery(contacts)),
            person::Column::UpdatedAt,
        )
        .await?,
    ])
}

/// The recommendation of `organisation_id` by `authority_id` (CUF's when `None`), if any.
pub async fn recommendation_by(
    db: &impl ConnectionTrait,
    organisation_id: i64,
    authority_id: Option<i64>,
) -> Result<Option<recommendation::Model>, DbErr> {
    let recommender = match authority_id {
        Some(id) => recommendation::Column::AuthorityId.eq(id),
        None => recommendation::Column::AuthorityId.is_null(),
    };
    recommendation::Entity::find()
        .filter(recommendation::Column::OrganisationId.eq(organisation_id))
        .filter(recommender)
        .one(db)
        .await
}

/// The themes of the recommendation `id`.
pub async fn recommendation_theme_ids(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Vec<i64>, DbErr> {
    consultant_recommendation_theme::Entity::find()
        .select_only()
        .column(consultant_recommendation_theme::Column::ThemeId)
        .filter(consultant_recommendation_theme::Column::RecommendationId.eq(id))
        .order_by_asc(consultant_recommendation_theme::Column::ThemeId)
        .into_tuple()
        .all(db)
        .await
}

/// Replaces the themes of the recommendation `id`.
pub async fn replace_recommendation_themes(
    db: &impl ConnectionTrait,
    id: i64,
    theme_ids: &[i64],
) -> Result<(), DbErr> {
    consultant_recommendation_theme::Entity::delete_many()
        .filter(consultant_recommendation_theme::Column::RecommendationId.eq(id))
        .exec(db)
        .await?;
    let rows = theme_ids
        .iter()
        .map(|theme_id| consultant_recommendation_theme::Model {
            recommendation_id: id,
            theme_id: *theme_id,
        });
    storage::insert_links::<consultant_recommendation_theme::Entity>(db, rows).await
}

/// The titles of those of the fiches `ids` that `visibility` shows, by id.
pub async fn visible_cooperation_titles(
    db: &impl ConnectionTrait,
    ids: &[i64],
    visibility: Visibility,
) -> Result<Vec<(i64, String)>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    cooperation::Entity::find()
        .select_only()
        .column(cooperation::Column::Id)
        .column(cooperation::Column::Title)
        .filter(cooperation::Column::Id.is_in(ids.iter().copied()))
        .filter(crate::directory::queries::visible(visibility))
        .into_tuple()
        .all(db)
        .await
}
