//! Organisations: CUF itself, networks such as the ARF, ministries and their delegations,
//! embassies, agencies and consultants. This module owns the rules; `graphql` exposes them,
//! `queries` holds their SQL.

pub mod graphql;
pub mod loaders;
pub mod queries;

use async_graphql::Enum;
use chrono::{SubsecRound, Utc};
use entities::organisation;
use sea_orm::{ConnectionTrait, TransactionSession, TransactionTrait};

use crate::audit::{self, Actor};
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::mutation::{Rejection, UserErrorCode};
use crate::pagination::{Ordering, Page, PageRequest};
use crate::storage;
use crate::text;
use crate::values::{CountryCode, LongText, Name, WebUrl};

/// What sort of organisation it is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum OrganisationKind {
    /// A network of local authorities, such as CUF or the ARF.
    Network,
    /// A ministry or one of its delegations (such as the DAECT).
    Ministry,
    /// An embassy.
    Embassy,
    /// A public or development agency.
    Agency,
    /// A consultancy working on site.
    Consultant,
    /// Any other organisation.
    Other,
}

impl OrganisationKind {
    const ALL: [Self; 6] = [
        Self::Network,
        Self::Ministry,
        Self::Embassy,
        Self::Agency,
        Self::Consultant,
        Self::Other,
    ];

    /// The stored name of this kind.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Network => "NETWORK",
            Self::Ministry => "MINISTRY",
            Self::Embassy => "EMBASSY",
            Self::Agency => "AGENCY",
            Self::Consultant => "CONSULTANT",
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

/// A new organisation, parsed.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub name: Name,
    pub acronym: Option<Name>,
    pub kind: OrganisationKind,
    pub country_code: Option<CountryCode>,
    pub website: Option<WebUrl>,
    pub description: Option<LongText>,
}

/// Changes to an organisation, parsed: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct OrganisationChanges {
    pub name: Option<Name>,
    pub acronym: Option<Option<Name>>,
    pub kind: Option<OrganisationKind>,
    pub country_code: Option<Option<CountryCode>>,
    pub website: Option<Option<WebUrl>>,
    pub description: Option<Option<LongText>>,
}

/// Which organisations a list shows; every condition must hold.
#[derive(Debug, Clone, Default)]
pub struct OrganisationFilter {
    pub country_code: Option<CountryCode>,
    pub kinds: Vec<OrganisationKind>,
    /// Folded words that must all appear in the name, acronym or description.
    pub search: Vec<String>,
}

/// The orderings of an organisation list.
pub type OrganisationOrdering = Ordering<organisation::Entity>;

/// A page of organisations and, when asked for, how many match in all.
pub async fn list_organisations(
    db: &impl ConnectionTrait,
    filter: &OrganisationFilter,
    ordering: &OrganisationOrdering,
    page: &PageRequest,
    with_total: bool,
) -> Result<(Page<organisation::Model>, u64), ApiError> {
    Ok(queries::organisations_page(db, filter, ordering, page, with_total).await?)
}

/// The fields of an organisation the audit log records.
fn snapshot(model: &organisation::Model) -> serde_json::Value {
    serde_json::json!({
        "name": model.name,
        "acronym": model.acronym,
        "kind": model.kind,
        "countryCode": model.country_code,
        "website": model.website,
        "description": model.description,
    })
}

/// Recomputes the derived columns of `model`: its sort key and search text.
pub(crate) fn index(model: &mut organisation::Model) {
    model.sort_key = text::fold(&model.name);
    model.search_text = text::fold_all([
        model.name.as_str(),
        model.acronym.as_deref().unwrap_or_default(),
        model.description.as_deref().unwrap_or_default(),
    ]);
}

/// Creates an organisation.
pub async fn create_organisation(
    db: &impl TransactionTrait,
    actor: &Actor,
    new: NewOrganisation,
) -> Result<organisation::Model, Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let now = Utc::now().trunc_subsecs(6);
    let mut model = organisation::Model {
        id: 0,
        name: new.name.as_str().to_owned(),
        acronym: new.acronym.map(|acronym| acronym.as_str().to_owned()),
        sort_key: String::new(),
        search_text: String::new(),
        kind: new.kind.as_str().to_owned(),
        country_code: new.country_code.map(|code| code.as_str().to_owned()),
        website: new.website.map(|url| url.as_str().to_owned()),
        description: new.description.map(LongText::into_inner),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    index(&mut model);
    let created = storage::insert::<organisation::Entity>(&transaction, model).await?;
    let node = ids::encode(NodeKind::Organisation, created.id);
    audit::record(
        &transaction,
        actor,
        "createOrganisation",
        Some(&node),
        None,
        Some(snapshot(&created)),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(created)
}

fn apply_changes(model: &mut organisation::Model, changes: OrganisationChanges) {
    if let Some(name) = changes.name {
        model.name = name.as_str().to_owned();
    }
    if let Some(acronym) = changes.acronym {
        model.acronym = acronym.map(|acronym| acronym.as_str().to_owned());
    }
    if let Some(kind) = changes.kind {
        model.kind = kind.as_str().to_owned();
    }
    if let Some(country_code) = changes.country_code {
        model.country_code = country_code.map(|code| code.as_str().to_owned());
    }
    if let Some(website) = changes.website {
        model.website = website.map(|url| url.as_str().to_owned());
    }
    if let Some(description) = changes.description {
        model.description = description.map(LongText::into_inner);
    }
}

/// Applies `changes` to the organisation `id` if it is still at `version`.
pub async fn update_organisation(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    version: i32,
    changes: OrganisationChanges,
) -> Result<organisation::Model, Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let mut model = storage::current::<organisation::Entity>(&transaction, id, version).await?;
    let before = snapshot(&model);
    apply_changes(&mut model, changes);
    index(&mut model);
    model.version = version + 1;
    model.updated_at = Utc::now().trunc_subsecs(6);
    let Some(updated) =
        storage::update_at_version::<organisation::Entity>(&transaction, id, version, model)
            .await?
    else {
        return Err(storage::stale::<organisation::Entity>(version, version + 1));
    };
    let node = ids::encode(NodeKind::Organisation, id);
    audit::record(
        &transaction,
        actor,
        "updateOrganisation",
        Some(&node),
        Some(before),
        Some(snapshot(&updated)),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(updated)
}

/// Deletes the organisation `id` if it is still at `version` and nothing refers to it.
pub async fn delete_organisation(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    version: i32,
) -> Result<(), Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let current = storage::current::<organisation::Entity>(&transaction, id, version).await?;
    let affiliations = crate::people::queries::count_affiliations_with(
        &transaction,
        entities::affiliation::Column::OrganisationId,
        id,
    )
    .await?;
    if affiliations > 0 {
        return Err(Rejection::user(
            &["id"],
            UserErrorCode::InUse,
            format!(
                "the organisation is still referenced ({affiliations} affiliations of people): \
                 remove those references first"
            ),
        ));
    }
    if !storage::delete_at_version::<organisation::Entity>(&transaction, id, version).await? {
        return Err(storage::stale::<organisation::Entity>(version, version + 1));
    }
    let node = ids::encode(NodeKind::Organisation, id);
    audit::record(
        &transaction,
        actor,
        "deleteOrganisation",
        Some(&node),
        Some(snapshot(&current)),
        None,
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(())
}
