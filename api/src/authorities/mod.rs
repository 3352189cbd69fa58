//! Authorities: French and foreign local authorities (régions, départements, communes,
//! intercommunalités, federated states), their parent authority and their CUF membership.
//! This module owns the rules; `graphql` exposes them, `queries` holds their SQL.

pub mod graphql;
pub mod loaders;
pub mod queries;

use async_graphql::Enum;
use chrono::{SubsecRound, Utc};
use entities::authority;
use sea_orm::{ConnectionTrait, TransactionSession, TransactionTrait};

use crate::audit::{self, Actor};
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::mutation::{Rejection, UserErrorCode};
use crate::pagination::{Ordering, Page, PageRequest};
use crate::storage;
use crate::text;
use crate::values::{CountryCode, LongText, Name, Population, WebUrl};

/// The tier of a local authority.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum AuthorityKind {
    /// A region (conseil régional), or a foreign equivalent.
    Region,
    /// A French département (conseil départemental, formerly conseil général).
    Department,
    /// A grouping of municipalities: communauté urbaine, d'agglomération, de communes,
    /// métropole.
    Intercommunality,
    /// A municipality (commune, municipio).
    Municipality,
    /// A federated state, such as a Mexican estado.
    State,
    /// Any other kind of public authority.
    Other,
}

impl AuthorityKind {
    const ALL: [Self; 6] = [
        Self::Region,
        Self::Department,
        Self::Intercommunality,
        Self::Municipality,
        Self::State,
        Self::Other,
    ];

    /// The stored name of this kind.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Region => "REGION",
            Self::Department => "DEPARTMENT",
            Self::Intercommunality => "INTERCOMMUNALITY",
            Self::Municipality => "MUNICIPALITY",
            Self::State => "STATE",
            Self::Other => "OTHER",
        }
    }

    /// The kind stored as `text`; an unknown value reads as `Other`.
    pub fn from_stored(text: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .unwrap_or(Self::Other)
    }
}

/// A new authority, parsed.
#[derive(Debug, Clone)]
pub struct NewAuthority {
    pub name: Name,
    pub kind: AuthorityKind,
    pub country_code: CountryCode,
    pub population: Option<Population>,
    pub parent_id: Option<i64>,
    pub is_cuf_member: bool,
    pub website: Option<WebUrl>,
    pub description: Option<LongText>,
}

/// Changes to an authority, parsed: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct AuthorityChanges {
    pub name: Option<Name>,
    pub kind: Option<AuthorityKind>,
    pub country_code: Option<CountryCode>,
    pub population: Option<Option<Population>>,
    pub parent_id: Option<Option<i64>>,
    pub is_cuf_member: Option<bool>,
    pub website: Option<Option<WebUrl>>,
    pub description: Option<Option<LongText>>,
}

/// Which authorities a list shows; every condition must hold.
#[derive(Debug, Clone, Default)]
pub struct AuthorityFilter {
    pub country_code: Option<CountryCode>,
    pub kinds: Vec<AuthorityKind>,
    /// Folded words that must all appear in the name, description or website.
    pub search: Vec<String>,
    pub parent_id: Option<i64>,
    pub is_cuf_member: Option<bool>,
}

/// The orderings of an authority list.
pub type AuthorityOrdering = Ordering<authority::Entity>;

/// A page of authorities and, when asked for, how many match in all.
pub async fn list_authorities(
    db: &impl ConnectionTrait,
    filter: &AuthorityFilter,
    ordering: &AuthorityOrdering,
    page: &PageRequest,
    with_total: bool,
) -> Result<(Page<authority::Model>, u64), ApiError> {
    Ok(queries::authorities_page(db, filter, ordering, page, with_total).await?)
}

/// The fields of an authority the audit log records.
fn snapshot(model: &authority::Model) -> serde_json::Value {
    serde_json::json!({
        "name": model.name,
        "kind": model.kind,
        "countryCode": model.country_code,
        "population": model.population,
        "parentId": model.parent_id.map(|id| ids::encode(NodeKind::Authority, id).0),
        "isCufMember": model.is_cuf_member,
        "website": model.website,
        "description": model.description,
    })
}

/// Recomputes the derived columns of `model`: its sort key and search text.
pub(crate) fn index(model: &mut authority::Model) {
    model.sort_key = text::fold(&model.name);
    model.search_text = text::fold_all([
        model.name.as_str(),
        model.description.as_deref().unwrap_or_default(),
    ]);
}

/// Creates an authority. Its parent must exist.
pub async fn create_authority(
    db: &impl TransactionTrait,
    actor: &Actor,
    new: NewAuthority,
) -> Result<authority::Model, Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    if let Some(parent_id) = new.parent_id {
        check_parent_exists(&transaction, parent_id).await?;
    }
    let now = Utc::now().trunc_subsecs(6);
    let mut model = authority::Model {
        id: 0,
        name: new.name.as_str().to_owned(),
        sort_key: String::new(),
        search_text: String::new(),
        kind: new.kind.as_str().to_owned(),
        country_code: new.country_code.as_str().to_owned(),
        population: new.population.map(Population::get),
        parent_id: new.parent_id,
        is_cuf_member: new.is_cuf_member,
        website: new.website.map(|url| url.as_str().to_owned()),
        description: new.description.map(LongText::into_inner),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    index(&mut model);
    let created = storage::insert::<authority::Entity>(&transaction, model).await?;
    let node = ids::encode(NodeKind::Authority, created.id);
    audit::record(
        &transaction,
        actor,
        "createAuthority",
        Some(&node),
        None,
        Some(snapshot(&created)),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(created)
}

async fn check_parent_exists(db: &impl ConnectionTrait, parent_id: i64) -> Result<(), Rejection> {
    if storage::find::<authority::Entity>(db, parent_id)
        .await?
        .is_none()
    {
        return Err(Rejection::user(
            &["parentId"],
            UserErrorCode::NotFound,
            "no authority has this id",
        ));
    }
    Ok(())
}

/// The deepest chain of parents the API accepts.
const MAX_PARENT_DEPTH: usize = 16;

/// Refuses a parent that is the authority itself or one of its descendants.
async fn check_no_cycle(
    db: &impl ConnectionTrait,
    id: i64,
    parent_id: i64,
) -> Result<(), Rejection> {
    let mut ancestor = Some(parent_id);
    for _ in 0..MAX_PARENT_DEPTH {
        let Some(current) = ancestor else {
            return Ok(());
        };
        if current == id {
            return Err(Rejection::user(
                &["parentId"],
                UserErrorCode::Invalid,
                "an authority cannot be its own parent or the parent of its parent",
            ));
        }
        ancestor = storage::find::<authority::Entity>(db, current)
            .await?
            .and_then(|authority| authority.parent_id);
    }
    Err(Rejection::user(
        &["parentId"],
        UserErrorCode::Invalid,
        format!("authorities nest at most {MAX_PARENT_DEPTH} levels deep"),
    ))
}

/// Applies `changes` to the authority `id` if it is still at `version`.
pub async fn update_authority(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    version: i32,
    changes: AuthorityChanges,
) -> Result<authority::Model, Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    actor.caller.require_own_authority(id)?;
    if changes.is_cuf_member.is_some() && !actor.caller.is_staff() {
        return Err(ApiError::Forbidden.into());
    }
    let current = storage::current::<authority::Entity>(&transaction, id, version).await?;
    let before = snapshot(&current);
    if let Some(Some(parent_id)) = changes.parent_id {
        check_parent_exists(&transaction, parent_id).await?;
        check_no_cycle(&transaction, id, parent_id).await?;
    }
    let mut model = current;
    apply_changes(&mut model, changes);
    index(&mut model);
    model.version = version + 1;
    model.updated_at = Utc::now().trunc_subsecs(6);
    let updated =
        storage::update_at_version::<authority::Entity>(&transaction, id, version, model).await?;
    let Some(updated) = updated else {
        return Err(storage::stale::<authority::Entity>(version, version + 1));
    };
    let node = ids::encode(NodeKind::Authority, id);
    audit::record(
        &transaction,
        actor,
        "updateAuthority",
        Some(&node),
        Some(before),
        Some(snapshot(&updated)),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(updated)
}

fn apply_changes(model: &mut authority::Model, changes: AuthorityChanges) {
    if let Some(name) = changes.name {
        model.name = name.as_str().to_owned();
    }
    if let Some(kind) = changes.kind {
        model.kind = kind.as_str().to_owned();
    }
    if let Some(country_code) = changes.country_code {
        model.country_code = country_code.as_str().to_owned();
    }
    if let Some(population) = changes.population {
        model.population = population.map(Population::get);
    }
    if let Some(parent_id) = changes.parent_id {
        model.parent_id = parent_id;
    }
    if let Some(is_cuf_member) = changes.is_cuf_member {
        model.is_cuf_member = is_cuf_member;
    }
    if let Some(website) = changes.website {
        model.website = website.map(|url| url.as_str().to_owned());
    }
    if let Some(description) = changes.description {
        model.description = description.map(LongText::into_inner);
    }
}

/// Deletes the authority `id` if it is still at `version` and nothing refers to it.
pub async fn delete_authority(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    version: i32,
) -> Result<(), Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let current = storage::current::<authority::Entity>(&transaction, id, version).await?;
    let children = queries::count_children(&transaction, id).await?;
    let affiliations = crate::people::queries::count_affiliations_with(
        &transaction,
        entities::affiliation::Column::AuthorityId,
        id,
    )
    .await?;
    if children + affiliations > 0 {
        return Err(Rejection::user(
            &["id"],
            UserErrorCode::InUse,
            format!(
                "the authority is still referenced ({children} child authorities, \
                 {affiliations} affiliations of people): remove those references first"
            ),
        ));
    }
    if !storage::delete_at_version::<authority::Entity>(&transaction, id, version).await? {
        return Err(storage::stale::<authority::Entity>(version, version + 1));
    }
    let node = ids::encode(NodeKind::Authority, id);
    audit::record(
        &transaction,
        actor,
        "deleteAuthority",
        Some(&node),
        Some(snapshot(&current)),
        None,
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(())
}
