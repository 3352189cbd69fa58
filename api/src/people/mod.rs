//! People: the contacts of authorities and organisations, with their affiliations (an
//! authority or an organisation, a job title, since and until). This module owns the rules;
//! `graphql` exposes them, `queries` holds their SQL.

pub mod graphql;
pub mod loaders;
pub mod queries;

use chrono::{NaiveDate, SubsecRound, Utc};
use entities::{affiliation, person};
use sea_orm::{ConnectionTrait, TransactionSession, TransactionTrait};

use crate::audit::{self, Actor};
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::mutation::{Rejection, UserError, UserErrorCode};
use crate::pagination::{Ordering, Page, PageRequest};
use crate::storage;
use crate::text;
use crate::values::{Email, Name, Phone};

/// The most affiliations one person may have.
pub const MAX_AFFILIATIONS: usize = 20;

/// Where a person works: exactly one authority or one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Employer {
    Authority(i64),
    Organisation(i64),
}

/// A person's position, parsed.
#[derive(Debug, Clone)]
pub struct NewAffiliation {
    pub employer: Employer,
    pub job_title: Option<Name>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// A new person, parsed.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub first_name: Name,
    pub last_name: Name,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub affiliations: Vec<NewAffiliation>,
}

/// Changes to a person, parsed: `None` leaves a field as it is, `Some(None)` clears it;
/// `affiliations`, when given, replaces the whole list.
#[derive(Debug, Clone, Default)]
pub struct PersonChanges {
    pub first_name: Option<Name>,
    pub last_name: Option<Name>,
    pub email: Option<Option<Email>>,
    pub phone: Option<Option<Phone>>,
    pub affiliations: Option<Vec<NewAffiliation>>,
}

/// Which people a list shows; every condition must hold.
#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    /// Folded words that must all appear in the first or last name.
    pub search: Vec<String>,
    /// Only people with an affiliation to this authority.
    pub authority_id: Option<i64>,
    /// Only people with an affiliation to this organisation.
    pub organisation_id: Option<i64>,
}

/// The orderings of a list of people.
pub type PersonOrdering = Ordering<person::Entity>;

/// A page of people and, when asked for, how many match in all.
pub async fn list_people(
    db: &impl ConnectionTrait,
    filter: &PersonFilter,
    ordering: &PersonOrdering,
    page: &PageRequest,
    with_total: bool,
) -> Result<(Page<person::Model>, u64), ApiError> {
    Ok(queries::people_page(db, filter, ordering, page, with_total).await?)
}

/// The fields of a person and their affiliations the audit log records.
fn snapshot(model: &person::Model, affiliations: &[affiliation::Model]) -> serde_json::Value {
    let affiliations: Vec<serde_json::Value> = affiliations
        .iter()
        .map(|row| {
            serde_json::json!({
                "authorityId": row.authority_id.map(|id| ids::encode(NodeKind::Authority, id).0),
                "organisationId": row.organisation_id.map(|id| ids::encode(NodeKind::Organisation, id).0),
                "jobTitle": row.job_title,
                "since": row.since,
                "until": row.until,
            })
        })
        .collect();
    serde_json::json!({
        "firstName": model.first_name,
        "lastName": model.last_name,
        "email": model.email,
        "phone": model.phone,
        "affiliations": affiliations,
    })
}

/// A MEMBER records people of their own authority only: every affiliation must point at it.
fn check_member_affiliations(
    actor: &Actor,
    affiliations: &[NewAffiliation],
) -> Result<(), ApiError> {
    if actor.caller.is_staff() {
        return Ok(());
    }
    let own = actor.caller.member_authority();
    let all_own = !affiliations.is_empty()
        && affiliations.iter().all(|affiliation| {
            own.is_some_and(|own| affiliation.employer == Employer::Authority(own))
        });
    if all_own {
        return Ok(());
    }
    actor.caller.require(crate::access::STAFF)
}

/// Recomputes the derived columns of `model`: its sort key ("last first") and search text.
pub(crate) fn index(model: &mut person::Model) {
    model.sort_key = text::fold_all([model.last_name.as_str(), model.first_name.as_str()]);
    model.search_text = text::fold_all([model.first_name.as_str(), model.last_name.as_str()]);
}

/// Checks that every employer named by `affiliations` exists.
async fn check_employers(
    db: &impl ConnectionTrait,
    affiliations: &[NewAffiliation],
) -> Result<(), Rejection> {
    let ids = |want: fn(&Employer) -> Option<i64>| -> Vec<i64> {
        affiliations
            .iter()
            .filter_map(|affiliation| want(&affiliation.employer))
            .collect()
    };
    let authority_ids = ids(|employer| match employer {
        Employer::Authority(id) => Some(*id),
        Employer::Organisation(_) => None,
    });
    let organisation_ids = ids(|employer| match employer {
        Employer::Organisation(id) => Some(*id),
        Employer::Authority(_) => None,
    });
    let authorities = storage::find_many::<entities::authority::Entity>(db, &authority_ids).await?;
    let organisations =
        storage::find_many::<entities::organisation::Entity>(db, &organisation_ids).await?;
    let mut errors = Vec::new();
    for (position, affiliation) in affiliations.iter().enumerate() {
        let (found, field, noun) = match affiliation.employer {
            Employer::Authority(id) => (
                authorities.iter().any(|row| row.id == id),
                "authorityId",
                "authority",
            ),
            Employer::Organisation(id) => (
                organisations.iter().any(|row| row.id == id),
                "organisationId",
                "organisation",
            ),
        };
        if !found {
            let position = position.to_string();
            errors.push(UserError::new(
                &["affiliations", &position, field],
                UserErrorCode::NotFound,
                format!("no {noun} has this id"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Rejection::User(errors))
    }
}

fn affiliation_rows(person_id: i64, affiliations: Vec<NewAffiliation>) -> Vec<affiliation::Model> {
    affiliations
        .into_iter()
        .enumerate()
        .map(|(position, affiliation)| {
            let (authority_id, organisation_id) = match affiliation.employer {
                Employer::Authority(id) => (Some(id), None),
                Employer::Organisation(id) => (None, Some(id)),
            };
            affiliation::Model {
                id: 0,
                person_id,
                authority_id,
                organisation_id,
                job_title: affiliation.job_title.map(|title| title.as_str().to_owned()),
                since: affiliation.since,
                until: affiliation.until,
                position: position as i32,
            }
        })
        .collect()
}

/// Creates a person with their affiliations; every employer must exist.
pub async fn create_person(
    db: &impl TransactionTrait,
    actor: &Actor,
    new: NewPerson,
) -> Result<person::Model, Rejection> {
    check_member_affiliations(actor, &new.affiliations)?;
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    check_employers(&transaction, &new.affiliations).await?;
    let now = Utc::now().trunc_subsecs(6);
    let mut model = person::Model {
        id: 0,
        first_name: new.first_name.as_str().to_owned(),
        last_name: new.last_name.as_str().to_owned(),
        sort_key: String::new(),
        search_text: String::new(),
        email: new.email.map(|email| email.as_str().to_owned()),
        phone: new.phone.map(|phone| phone.as_str().to_owned()),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    index(&mut model);
    let created = storage::insert::<person::Entity>(&transaction, model).await?;
    let rows = affiliation_rows(created.id, new.affiliations);
    let after = snapshot(&created, &rows);
    queries::insert_affiliations(&transaction, rows).await?;
    let node = ids::encode(NodeKind::Person, created.id);
    audit::record(
        &transaction,
        actor,
        "createPerson",
        Some(&node),
        None,
        Some(after),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(created)
}

/// Applies `changes` to the person `id` if they are still at `version`.
pub async fn update_person(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    version: i32,
    changes: PersonChanges,
) -> Result<person::Model, Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let mut model = storage::current::<person::Entity>(&transaction, id, version).await?;
    let current_affiliations = queries::affiliations_of_people(&transaction, &[id]).await?;
    if !actor.caller.is_staff() {
        let own = actor.caller.member_authority();
        let works_there = current_affiliations
            .iter()
            .any(|row| row.authority_id.is_some() && row.authority_id == own);
        if !works_there {
            actor.caller.require(crate::access::STAFF)?;
        }
        if let Some(affiliations) = &changes.affiliations {
            check_member_affiliations(actor, affiliations)?;
        }
    }
    let before = snapshot(&model, &current_affiliations);
    if let Some(first_name) = changes.first_name {
        model.first_name = first_name.as_str().to_owned();
    }
    if let Some(last_name) = changes.last_name {
        model.last_name = last_name.as_str().to_owned();
    }
    if let Some(email) = changes.email {
        model.email = email.map(|email| email.as_str().to_owned());
    }
    if let Some(phone) = changes.phone {
        model.phone = phone.map(|phone| phone.as_str().to_owned());
    }
    index(&mut model);
    model.version = version + 1;
    model.updated_at = Utc::now().trunc_subsecs(6);
    let Some(updated) =
        storage::update_at_version::<person::Entity>(&transaction, id, version, model).await?
    else {
        return Err(storage::stale::<person::Entity>(version, version + 1));
    };
    let mut affiliations = current_affiliations;
    if let Some(replacement) = changes.affiliations {
        check_employers(&transaction, &replacement).await?;
        queries::delete_affiliations_of(&transaction, id).await?;
        affiliations = affiliation_rows(id, replacement);
        queries::insert_affiliations(&transaction, affiliations.clone()).await?;
    }
    let node = ids::encode(NodeKind::Person, id);
    let after = snapshot(&updated, &affiliations);
    audit::record(
        &transaction,
        actor,
        "updatePerson",
        Some(&node),
        Some(before),
        Some(after),
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(updated)
}

/// Deletes the person `id`, with their affiliations, if they are still at `version`.
pub async fn delete_person(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    version: i32,
) -> Result<(), Rejection> {
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let current = storage::current::<person::Entity>(&transaction, id, version).await?;
    let before = snapshot(
        &current,
        &queries::affiliations_of_people(&transaction, &[id]).await?,
    );
    queries::delete_affiliations_of(&transaction, id).await?;
    if !storage::delete_at_version::<person::Entity>(&transaction, id, version).await? {
        return Err(storage::stale::<person::Entity>(version, version + 1));
    }
    let node = ids::encode(NodeKind::Person, id);
    audit::record(
        &transaction,
        actor,
        "deletePerson",
        Some(&node),
        Some(before),
        None,
    )
    .await?;
    transaction.commit().await.map_err(ApiError::from)?;
    Ok(())
}
