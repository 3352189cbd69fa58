//! The GraphQL face of people: the `Person` and `Affiliation` objects, the `people`
//! connection and the create, update and delete mutations.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object};
use chrono::{DateTime, Utc};
use entities::{affiliation, person};

use super::loaders::AffiliationsByPersonLoader;
use super::{
    Employer, MAX_AFFILIATIONS, NewAffiliation, NewPerson, PersonChanges, PersonFilter,
    PersonOrdering,
};
use crate::access::{EDITORS, RoleGuard, STAFF};
use crate::authorities::graphql::Authority;
use crate::authorities::loaders::AuthorityLoader;
use crate::context;
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::mutation::{
    InputErrors, Rejection, UserError, UserErrorCode, parse_change, parse_deletion, payload,
    respond,
};
use crate::organisations::graphql::Organisation;
use crate::organisations::loaders::OrganisationLoader;
use crate::pagination::{
    OrderDirection, PageArgs, PageRequest, SortValue, connection, wants_total_count,
};
use crate::values::{Date, Email, Name, Phone};

/// A person the country groups work with: an elected representative, an officer of an
/// authority, a ministry's desk officer, a CUF desk officer.
#[derive(Clone, Debug)]
pub struct Person(pub person::Model);

impl Person {
    fn contact<'a>(&self, ctx: &Context<'_>, value: &'a Option<String>) -> Option<&'a str> {
        if context::caller(ctx).sees_contact_details() {
            value.as_deref()
        } else {
            None
        }
    }
}

impl From<person::Model> for Person {
    fn from(model: person::Model) -> Self {
        Self(model)
    }
}

/// A person the country groups work with: an elected representative, an officer of an
/// authority, a ministry's desk officer, a CUF desk officer.
#[Object]
impl Person {
    /// The global id of this person.
    pub async fn id(&self) -> ID {
        ids::encode(NodeKind::Person, self.0.id)
    }

    /// The first name.
    async fn first_name(&self) -> &str {
        &self.0.first_name
    }

    /// The last name.
    async fn last_name(&self) -> &str {
        &self.0.last_name
    }

    /// The e-mail address, if known. Contact details are shown to members, CUF staff and
    /// administrators only: null for anonymous callers and ministries.
    async fn email(&self, ctx: &Context<'_>) -> Option<&str> {
        self.contact(ctx, &self.0.email)
    }

    /// The telephone number, if known. Null for anonymous callers and ministries, like
    /// `email`.
    async fn phone(&self, ctx: &Context<'_>) -> Option<&str> {
        self.contact(ctx, &self.0.phone)
    }

    /// Where the person works or worked, in the order they were given.
    async fn affiliations(&self, ctx: &Context<'_>) -> Result<Vec<Affiliation>, ApiError> {
        let rows = context::loader::<AffiliationsByPersonLoader>(ctx)?
            .load_one(self.0.id)
            .await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(Affiliation)
            .collect())
    }

    /// The version of this record, incremented by every change; send it back with an update.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the record was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the record was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A person's position in one authority or one organisation.
#[derive(Clone, Debug)]
pub struct Affiliation(affiliation::Model);

/// A person's position in one authority or one organisation.
#[Object]
impl Affiliation {
    /// The authority the person works for; null when it is an organisation.
    async fn authority(&self, ctx: &Context<'_>) -> Result<Option<Authority>, ApiError> {
        let Some(id) = self.0.authority_id else {
            return Ok(None);
        };
        let authority = context::loader::<AuthorityLoader>(ctx)?
            .load_one(id)
            .await?;
        Ok(authority.map(Authority::from))
    }

    /// The organisation the person works for; null when it is an authority.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>, ApiError> {
        let Some(id) = self.0.organisation_id else {
            return Ok(None);
        };
        let organisation = context::loader::<OrganisationLoader>(ctx)?
            .load_one(id)
            .await?;
        Ok(organisation.map(Organisation))
    }

    /// The job title, e.g. "Chargée de mission".
    async fn job_title(&self) -> Option<&str> {
        self.0.job_title.as_deref()
    }

    /// Since when the person holds this position, if known.
    async fn since(&self) -> Option<Date> {
        self.0.since.map(Date)
    }

    /// Until when the person held this position; null while it lasts.
    async fn until(&self) -> Option<Date> {
        self.0.until.map(Date)
    }
}

connection!(
    PersonConnection,
    PersonEdge,
    Person,
    "A page of people, as a Relay cursor connection.",
    "A person in a page, with their cursor."
);

/// Conditions on the people to list; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct PersonFilterInput {
    /// Words that must all appear in the first or last name, ignoring case and accents.
    pub search: Option<String>,
    /// Only people affiliated with this authority.
    pub authority_id: Option<ID>,
    /// Only people affiliated with this organisation.
    pub organisation_id: Option<ID>,
}

impl PersonFilterInput {
    fn parse(self) -> Result<PersonFilter, ApiError> {
        let bad = |field: &str, message: String| {
            ApiError::BadUserInput(format!("filter.{field}: {message}"))
        };
        let id = |id: Option<ID>, kind: NodeKind, field: &str| {
            id.map(|id| ids::decode_as(&id, kind))
                .transpose()
                .map_err(|error| bad(field, error.to_string()))
        };
        Ok(PersonFilter {
            search: crate::text::search_words(self.search.as_deref().unwrap_or_default())
                .map_err(|error| bad("search", error))?,
            authority_id: id(self.authority_id, NodeKind::Authority, "authorityId")?,
            organisation_id: id(
                self.organisation_id,
                NodeKind::Organisation,
                "organisationId",
            )?,
        })
    }
}

/// What people can be ordered by.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum PersonOrderField {
    /// The last name, then the first name, ignoring case and accents.
    #[default]
    Name,
    /// The creation time.
    CreatedAt,
}

/// An ordering of people; ties are broken by creation order.
#[derive(InputObject, Default)]
pub struct PersonOrder {
    /// What to order by.
    pub field: PersonOrderField,
    /// Which way.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl PersonOrder {
    fn ordering(&self) -> PersonOrdering {
        use person::Column::{CreatedAt, SortKey};
        match self.field {
            PersonOrderField::Name => PersonOrdering::new("NAME", SortKey, self.direction, |row| {
                SortValue::Text(row.sort_key.clone())
            }),
            PersonOrderField::CreatedAt => {
                PersonOrdering::new("CREATED_AT", CreatedAt, self.direction, |row| {
                    SortValue::Time(row.created_at)
                })
            }
        }
    }
}

/// The queries about people.
#[derive(Default)]
pub struct PersonQuery;

#[Object]
impl PersonQuery {
    /// The people that match `filter`, in `orderBy` order (by last name by default), a page
    /// at a time.
    #[allow(clippy::too_many_arguments)]
    async fn people(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Return at most this many people from the start (at most 100; 20 by default)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after the edge with this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many people from the end (at most 100).")]
        last: Option<i32>,
        #[graphql(desc = "End before the edge with this cursor.")] before: Option<String>,
        #[graphql(desc = "Which people to list.")] filter: Option<PersonFilterInput>,
        #[graphql(desc = "How to order them.")] order_by: Option<PersonOrder>,
    ) -> Result<PersonConnection, ApiError> {
        let filter = filter.unwrap_or_default().parse()?;
        let ordering = order_by.unwrap_or_default().ordering();
        let page = PageRequest::parse(
            PageArgs {
                first,
                after,
                last,
                before,
            },
            &ordering.tag(),
        )?;
        let db = context::db(ctx)?;
        let (rows, total) =
            super::list_people(db, &filter, &ordering, &page, wants_total_count(ctx)).await?;
        Ok(PersonConnection::new(rows.map(Person), total))
    }
}

/// A person's position: give exactly one of `authorityId` and `organisationId`.
#[derive(InputObject)]
pub struct AffiliationInput {
    /// The authority the person works for.
    pub authority_id: Option<ID>,
    /// The organisation the person works for.
    pub organisation_id: Option<ID>,
    /// The job title, at most 200 characters.
    pub job_title: Option<String>,
    /// Since when the person holds the position.
    pub since: Option<Date>,
    /// Until when the person held it; not before `since`.
    pub until: Option<Date>,
}

fn parse_affiliations(
    errors: &mut InputErrors,
    inputs: Vec<AffiliationInput>,
) -> Option<Vec<NewAffiliation>> {
    if inputs.len() > MAX_AFFILIATIONS {
        errors.push(UserError::new(
            &["affiliations"],
            UserErrorCode::Invalid,
            format!("a person has at most {MAX_AFFILIATIONS} affiliations"),
        ));
        return None;
    }
    let mut parsed = Vec::with_capacity(inputs.len());
    for (position, input) in inputs.into_iter().enumerate() {
        let position = position.to_string();
        let path = |field: &'static str| ["affiliations", position.as_str(), field];
        let employer = match (&input.authority_id, &input.organisation_id) {
            (Some(id), None) => errors
                .id(&path("authorityId"), id, NodeKind::Authority)
                .map(Employer::Authority),
            (None, Some(id)) => errors
                .id(&path("organisationId"), id, NodeKind::Organisation)
                .map(Employer::Organisation),
            _ => {
                errors.push(UserError::new(
                    &["affiliations", &position],
                    UserErrorCode::Invalid,
                    "give exactly one of authorityId and organisationId",
                ));
                None
            }
        };
        let job_title = errors.check(
            &path("jobTitle"),
            input.job_title.as_deref().map(Name::parse).transpose(),
        );
        if let (Some(since), Some(until)) = (input.since, input.until)
            && until < since
        {
            errors.push(UserError::new(
                &path("until"),
                UserErrorCode::Invalid,
                "must not be before `since`",
            ));
        }
        if let (Some(employer), Some(job_title)) = (employer, job_title) {
            parsed.push(NewAffiliation {
                employer,
                job_title,
                since: input.since.map(|date| date.0),
                until: input.until.map(|date| date.0),
            });
        }
    }
    Some(parsed)
}

/// A new person.
#[derive(InputObject)]
pub struct CreatePersonInput {
    /// The first name; required, at most 200 characters.
    pub first_name: String,
    /// The last name; required, at most 200 characters.
    pub last_name: String,
    /// An e-mail address.
    pub email: Option<String>,
    /// A telephone number.
    pub phone: Option<String>,
    /// The person's positions, at most 20.
    #[graphql(default)]
    pub affiliations: Vec<AffiliationInput>,
}

impl CreatePersonInput {
    fn parse(self) -> Result<NewPerson, Rejection> {
        let mut errors = InputErrors::default();
        let first_name = errors.check(&["firstName"], Name::parse(&self.first_name));
        let last_name = errors.check(&["lastName"], Name::parse(&self.last_name));
        let email = errors.check(
            &["email"],
            self.email.as_deref().map(Email::parse).transpose(),
        );
        let phone = errors.check(
            &["phone"],
            self.phone.as_deref().map(Phone::parse).transpose(),
        );
        let affiliations = parse_affiliations(&mut errors, self.affiliations);
        errors.finish(|| {
            Some(NewPerson {
                first_name: first_name?,
                last_name: last_name?,
                email: email?,
                phone: phone?,
                affiliations: affiliations?,
            })
        })
    }
}

/// Changes to a person. Omitted fields are left as they are; nullable fields set to null
/// are cleared; `affiliations`, when given, replaces the whole list.
#[derive(InputObject)]
pub struct UpdatePersonInput {
    /// The person to change.
    pub id: ID,
    /// The version the client read; if the person changed since, nothing is changed and a
    /// `CONFLICT` user error is returned.
    pub version: i32,
    /// A new first name.
    pub first_name: Option<String>,
    /// A new last name.
    pub last_name: Option<String>,
    /// A new e-mail address, or null to clear it.
    pub email: MaybeUndefined<String>,
    /// A new telephone number, or null to clear it.
    pub phone: MaybeUndefined<String>,
    /// The person's positions, replacing the current ones.
    pub affiliations: Option<Vec<AffiliationInput>>,
}

impl UpdatePersonInput {
    fn parse(self) -> Result<(i64, i32, PersonChanges), Rejection> {
        let mut errors = InputErrors::default();
        let id = errors.id(&["id"], &self.id, NodeKind::Person);
        let affiliations = self
            .affiliations
            .map(|inputs| parse_affiliations(&mut errors, inputs));
        let changes = PersonChanges {
            first_name: self
                .first_name
                .and_then(|name| errors.check(&["firstName"], Name::parse(&name))),
            last_name: self
                .last_name
                .and_then(|name| errors.check(&["lastName"], Name::parse(&name))),
            email: parse_change(&mut errors, &["email"], self.email, |email| {
                Email::parse(&email)
            }),
            phone: parse_change(&mut errors, &["phone"], self.phone, |phone| {
                Phone::parse(&phone)
            }),
            affiliations: affiliations.flatten(),
        };
        let version = self.version;
        errors.finish(|| Some((id?, version, changes)))
    }
}

/// Which person to delete.
#[derive(InputObject)]
pub struct DeletePersonInput {
    /// The person to delete.
    pub id: ID,
    /// The version the client read; if the person changed since, nothing is deleted.
    pub version: i32,
}

payload!(
    CreatePersonPayload,
    person: Person,
    "The result of `createPerson`.",
    "The new person; null when there are user errors."
);
payload!(
    UpdatePersonPayload,
    person: Person,
    "The result of `updatePerson`.",
    "The person as changed; null when there are user errors."
);
payload!(
    DeletePersonPayload,
    deleted_id: ID,
    "The result of `deletePerson`.",
    "The id of the deleted person; null when there are user errors."
);

/// The mutations about people.
#[derive(Default)]
pub struct PersonMutation;

#[Object]
impl PersonMutation {
    /// Creates a person with their affiliations.
    #[graphql(guard = "RoleGuard(EDITORS)")]
    async fn create_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new person.")] input: CreatePersonInput,
    ) -> Result<CreatePersonPayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        respond(input.parse(), |new| async move {
            super::create_person(db, &actor, new).await
        })
        .await
    }

    /// Changes a person, provided nobody changed them since the client read `version`.
    #[graphql(guard = "RoleGuard(EDITORS)")]
    async fn update_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person, their version and the changes.")] input: UpdatePersonInput,
    ) -> Result<UpdatePersonPayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        respond(input.parse(), |(id, version, changes)| async move {
            super::update_person(db, &actor, id, version, changes).await
        })
        .await
    }

    /// Deletes a person and their affiliations.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn delete_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person and their version.")] input: DeletePersonInput,
    ) -> Result<DeletePersonPayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        let parsed = parse_deletion(&input.id, input.version, NodeKind::Person);
        respond(parsed, |(id, version)| async move {
            super::delete_person(db, &actor, id, version).await?;
            Ok(ids::encode(NodeKind::Person, id))
        })
        .await
    }
}
