//! The expertise offer ("offre territoriale commune"): a French authority's know-how on a
//! theme of CUF's taxonomy, the services that hold it, the directory fiches that show it, a
//! contact person and the languages spoken; a country group's common offer (`offer`, the
//! CSV); and the vetting of consultants (`vetting`). This module owns the rules of expertise
//! entries; `graphql` exposes them, `queries` holds their SQL.

pub mod graphql;
pub mod loaders;
pub mod offer;
pub mod queries;
pub mod vetting;
pub mod vetting_graphql;

use chrono::{SubsecRound, Utc};
use entities::{authority, expertise};
use sea_orm::{ConnectionTrait, TransactionSession, TransactionTrait};
use serde_json::{Value, json};

use crate::audit::{self, Actor};
use crate::directory::Visibility;
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::mutation::{Rejection, UserError, UserErrorCode};
use crate::pagination::{Ordering, Page, PageRequest};
use crate::storage;
use crate::text;
use crate::values::{CountryCode, LanguageCode, LongText, Name};

/// The most services an entry names.
pub const MAX_SERVICES: usize = 10;
/// The most languages an entry names.
pub const MAX_LANGUAGES: usize = 10;
/// The most fiches an entry cites.
pub const MAX_COOPERATIONS: usize = 20;
/// The most entries one authority keeps: what bounds a theme's part of a group's offer.
pub const MAX_PER_AUTHORITY: u64 = 100;

/// What an expertise entry says, parsed.
#[derive(Debug, Clone)]
pub struct ExpertiseContent {
    pub theme_id: i64,
    pub title: Name,
    pub description: LongText,
    pub services: Vec<Name>,
    pub languages: Vec<LanguageCode>,
    pub contact_person_id: Option<i64>,
    pub cooperation_ids: Vec<i64>,
}

/// Changes to an entry, parsed: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ExpertiseChanges {
    pub theme_id: Option<i64>,
    pub title: Option<Name>,
    pub description: Option<LongText>,
    pub services: Option<Vec<Name>>,
    pub languages: Option<Vec<LanguageCode>>,
    pub contact_person_id: Option<Option<i64>>,
    pub cooperation_ids: Option<Vec<i64>>,
}

/// Which entries a list shows; every condition must hold.
#[derive(Debug, Clone, Default)]
pub struct ExpertiseFilter {
    /// Entries on one of these themes.
    pub themes: Vec<i64>,
    /// Entries citing a fiche, visible to the caller, with a partner of this country.
    pub country_code: Option<CountryCode>,
    /// Entries of this authority.
    pub authority_id: Option<i64>,
    /// Folded words that must all appear in the title, description, services or the
    /// authority's name.
    pub search: Vec<String>,
}

/// The orderings of a list of entries.
pub type ExpertiseOrdering = Ordering<expertise::Entity>;

/// A page of the entries that match `filter` (the fiches behind `countryCode` as
/// `visibility` shows them), and how many in all.
pub async fn list_expertise(
    db: &impl ConnectionTrait,
    visibility: Visibility,
    filter: &ExpertiseFilter,
    ordering: &ExpertiseOrdering,
    page: &PageRequest,
    with_total: bool,
) -> Result<(Page<expertise::Model>, u64), ApiError> {
    Ok(queries::expertise_page(db, visibility, filter, ordering, page, with_total).await?)
}

/// The services of an entry, in the order given.
pub fn services_of(model: &expertise::Model) -> Vec<&str> {
    model
        .services
        .lines()
        .filter(|line| !line.is_empty())
        .collect()
}

/// The languages of an entry, as ISO 639-1 codes in alphabetical order.
pub fn languages_of(model: &expertise::Model) -> Vec<&str> {
    model
        .languages
        .split(',')
        .filter(|code| !code.is_empty())
        .collect()
}

/// The fields of an entry the audit log records.
fn snapshot(model: &expertise::Model, cooperation_ids: &[i64]) -> Value {
    let cooperations: Vec<String> = cooperation_ids
        .iter()
        .map(|id| ids::encode(NodeKind::Cooperation, *id).0)
        .collect();
    json!({
        "authority": ids::encode(NodeKind::Authority, model.authority_id).0,
        "theme": ids::encode(NodeKind::Theme, model.theme_id).0,
        "title": model.title,
        "description": model.description,
        "services": services_of(model),
        "languages": languages_of(model),
        "contactPerson": model.contact_person_id.map(|id| ids::encode(NodeKind::Person, id).0),
        "cooperations": cooperations,
    })
}

/// Writes the parsed content into `model` and recomputes its sort and search keys.
fn fill(model: &mut expertise::Model, content: &ExpertiseContent, authority: &authority::Model) {
    model.theme_id = content.theme_id;
    model.title = content.title.as_str().to_owned();
    model.description = content.description.clone().into_inner();
    let services: Vec<&str> = content.services.iter().map(Name::as_str).collect();
    model.services = services.join("\n");
    let mut languages: Vec<&str> = content.languages.iter().map(LanguageCode::as_str).collect();
    languages.sort_unstable();
    languages.dedup();
    model.languages = languages.join(",");
    model.contact_person_id = content.contact_person_id;
    model.sort_key = text::fold(&model.title);
    let mut parts = vec![
        model.title.as_str(),
        model.description.as_str(),
        authority.name.as_str(),
    ];
    parts.extend(services);
    model.search_text = text::fold_all(parts);
}

/// The authority an entry is for: it must exist and be French.
async fn french_authority(
    db: &impl ConnectionTrait,
    authority_id: i64,
) -> Result<authority::Model, Rejection> {
    match storage::find::<authority::Entity>(db, authority_id).await? {
        None => Err(Rejection::user(
            &["authorityId"],
            UserErrorCode::NotFound,
            "no authority has this id",
        )),
        Some(authority) if authority.country_code != "FR" => Err(Rejection::user(
            &["authorityId"],
            UserErrorCode::Invalid,
            "expertise is recorded for French authorities",
        )),
        Some(authority) => Ok(authority),
    }
}

/// Checks the references of `content`: its theme and contact exist, and every fiche it
/// cites has `authority_id` among its French partners.
async fn check_references(
    db: &impl ConnectionTrait,
    authority_id: i64,
    content: &ExpertiseContent,
) -> Result<(), Rejection> {
    let mut errors = Vec::new();
    if storage::find::<entities::theme::Entity>(db, content.theme_id)
        .await?
        .is_none()
    {
        errors.push(UserError::new(
            &["themeId"],
            UserErrorCode::NotFound,
            "no theme has this id",
        ));
    }
    if let Some(person_id) = content.contact_person_id
        && storage::find::<entities::person::Entity>(db, person_id)
            .await?
            .is_none()
    {
        errors.push(UserError::new(
            &["contactPersonId"],
            UserErrorCode::NotFound,
            "no person has this id",
        ));
    }
    let own = queries::french_cooperations_of(db, authority_id, &content.cooperation_ids).await?;
    for (position, id) in content.cooperation_ids.iter().enumerate() {
        if !own.contains(id) {
            errors.push(UserError::new(
                &["cooperationIds", &position.to_string()],
                UserErrorCode::Invalid,
                format!(
                    "{} is not a directory fiche with this authority as a French partner",
                    ids::encode(NodeKind::Cooperation, *id).0
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Rejection::User(errors))
    }
}

/// Creates an entry for `authority_id`: a MEMBER for its own authority, staff for any.
pub async fn create_expertise(
    db: &impl TransactionTrait,
    actor: &Actor,
    authority_id: i64,
    content: ExpertiseContent,
) -> Result<expertise::Model, Rejection> {
    actor.caller.require_own_authority(authority_id)?;
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let authority = french_authority(&transaction, authority_id).await?;
    check_references(&transaction, authority_id, &content).await?;
    if queries::count_of_authority(&transaction, authority_id).await? >= MAX_PER_AUTHORITY {
        return Err(Rejection::user(
            &["authorityId"],
            UserErrorCode::Invalid,
            format!("an authority keeps at most {MAX_PER_AUTHORITY} expertise entries"),
        ));
    }
    let now = Utc::now().trunc_subsecs(6);
    let mut model = expertise::Model {
        id: 0,
        authority_id,
        theme_id: 0,
        title: String::new(),
        sort_key: String::new(),
        search_text: String::new(),
        description: String::new(),
        services: String::new(),
        languages: String::new(),
        contact_person_id: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    fill(&mut model, &content, &authority);
    let created = storage::insert::<expertise::Entity>(&transaction, model).await?;
    queries::replace_cooperations(&transaction, created.id, &content.cooperation_ids).await?;
    let node = ids::encode(NodeKind::Expertise, created.id);
    let after = snapshot(&created, &content.cooperation_ids);
    audit::record(
        &transaction,
        actor,
        "createExpertise",
        Some(&node),
        None,
        Some(after),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(created)
}

/// The entry `id` for a change by `actor`: it must exist, belong to the actor's authority
/// (staff: any), and still be at `version`.
async fn owned_current(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
    version: i32,
) -> Result<expertise::Model, Rejection> {
    let Some(current) = storage::find::<expertise::Entity>(db, id).await? else {
        return Err(Rejection::user(
            &["id"],
            UserErrorCode::NotFound,
            "no expertise entry has this id",
        ));
    };
    actor.caller.require_own_authority(current.authority_id)?;
    if current.version != version {
        return Err(storage::stale::<expertise::Entity>(
            version,
            current.version,
        ));
    }
    Ok(current)
}

/// The content of `current` with `changes` applied, and whether its references changed.
fn merged(
    current: &expertise::Model,
    cooperation_ids: Vec<i64>,
    changes: ExpertiseChanges,
) -> Result<ExpertiseContent, Rejection> {
    let unchanged = |field: &str, text: &str| {
        Name::parse(text).map_err(|_| {
            Rejection::Api(ApiError::internal(format!("stored {field} does not parse")))
        })
    };
    let services = match changes.services {
        Some(services) => services,
        None => services_of(current)
            .into_iter()
            .map(|service| unchanged("service", service))
            .collect::<Result<_, _>>()?,
    };
    let languages = match changes.languages {
        Some(languages) => languages,
        None => languages_of(current)
            .into_iter()
            .filter_map(|code| LanguageCode::parse(code).ok())
            .collect(),
    };
    let description = match changes.description {
        Some(description) => description,
        None => LongText::parse(&current.description)
            .ok()
            .flatten()
            .ok_or_else(|| ApiError::internal("stored description does not parse"))?,
    };
    Ok(ExpertiseContent {
        theme_id: changes.theme_id.unwrap_or(current.theme_id),
        title: match changes.title {
            Some(title) => title,
            None => unchanged("title", &current.title)?,
        },
        description,
        services,
        languages,
        contact_person_id: changes
            .contact_person_id
            .unwrap_or(current.contact_person_id),
        cooperation_ids: changes.cooperation_ids.unwrap_or(cooperation_ids),
    })
}

/// Applies `changes` to the entry `id` if it is still at `version`: a MEMBER for its own
/// authority's entries, staff for any.
pub async fn update_expertise(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    version: i32,
    changes: ExpertiseChanges,
) -> Result<expertise::Model, Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let current = owned_current(&transaction, actor, id, version).await?;
    let cited = queries::cooperation_ids_of(&transaction, &[id]).await?;
    let cited: Vec<i64> = cited.into_iter().map(|link| link.cooperation_id).collect();
    let references_changed = changes.theme_id.is_some()
        || changes.contact_person_id.is_some()
        || changes.cooperation_ids.is_some();
    let content = merged(&current, cited.clone(), changes)?;
    if references_changed {
        check_references(&transaction, current.authority_id, &content).await?;
    }
    let authority = french_authority(&transaction, current.authority_id).await?;
    let mut next = current.clone();
    fill(&mut next, &content, &authority);
    next.version = version + 1;
    next.updated_at = Utc::now().trunc_subsecs(6);
    let Some(updated) =
        storage::update_at_version::<expertise::Entity>(&transaction, id, version, next).await?
    else {
        return Err(storage::stale::<expertise::Entity>(version, version + 1));
    };
    queries::replace_cooperations(&transaction, id, &content.cooperation_ids).await?;
    let node = ids::encode(NodeKind::Expertise, id);
    audit::record(
        &transaction,
        actor,
        "updateExpertise",
        Some(&node),
        Some(snapshot(&current, &cited)),
        Some(snapshot(&updated, &content.cooperation_ids)),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(updated)
}

/// Deletes the entry `id` if it is still at `version`: a MEMBER for its own authority's
/// entries, staff for any.
pub async fn delete_expertise(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    version: i32,
) -> Result<(), Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let current = owned_current(&transaction, actor, id, version).await?;
    let cited = queries::cooperation_ids_of(&transaction, &[id]).await?;
    let cited: Vec<i64> = cited.into_iter().map(|link| link.cooperation_id).collect();
    if !storage::delete_at_version::<expertise::Entity>(&transaction, id, version).await? {
        return Err(storage::stale::<expertise::Entity>(version, version + 1));
    }
    let node = ids::encode(NodeKind::Expertise, id);
    audit::record(
        &transaction,
        actor,
        "deleteExpertise",
        Some(&node),
        Some(snapshot(&current, &cited)),
        None,
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(())
}
