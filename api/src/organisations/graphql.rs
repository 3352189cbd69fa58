//! The GraphQL face of organisations: the `Organisation` object, the `organisations`
//! connection and the create, update and delete mutations.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object};
use chrono::{DateTime, Utc};
use entities::organisation;

use super::{
    NewOrganisation, OrganisationChanges, OrganisationFilter, OrganisationKind,
    OrganisationOrdering,
};
use crate::access::{RoleGuard, STAFF};
use crate::context;
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::mutation::{InputErrors, Rejection, parse_change, parse_deletion, payload, respond};
use crate::pagination::{
    OrderDirection, PageArgs, PageRequest, SortValue, connection, wants_total_count,
};
use crate::values::{CountryCode, LongText, Name, WebUrl};

/// An organisation the country groups work with: CUF, a network such as the ARF, a
/// ministry, an embassy, an agency or a consultant.
#[derive(Clone, Debug)]
pub struct Organisation(pub organisation::Model);

impl From<organisation::Model> for Organisation {
    fn from(model: organisation::Model) -> Self {
        Self(model)
    }
}

/// An organisation the country groups work with: CUF, a network such as the ARF, a
/// ministry, an embassy, an agency or a consultant.
#[Object]
impl Organisation {
    /// The global id of this organisation.
    pub async fn id(&self) -> ID {
        ids::encode(NodeKind::Organisation, self.0.id)
    }

    /// The full name, e.g. "Cités Unies France".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The usual acronym, e.g. "CUF", if any.
    async fn acronym(&self) -> Option<&str> {
        self.0.acronym.as_deref()
    }

    /// What sort of organisation it is.
    async fn kind(&self) -> OrganisationKind {
        OrganisationKind::from_stored(&self.0.kind)
    }

    /// The country where the organisation is based (ISO 3166-1 alpha-2), if it has one.
    async fn country_code(&self) -> Option<&str> {
        self.0.country_code.as_deref()
    }

    /// The organisation's web site, if known.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }

    /// A free-text description.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The recommendations of a consultant by authorities and CUF, oldest first (an empty
    /// list for an organisation nobody vetted). For members, CUF staff and administrators
    /// only: null for anonymous callers and ministries, who see the public profile.
    async fn vetting(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<Vec<crate::expertise::vetting_graphql::ConsultantRecommendation>>, ApiError>
    {
        crate::expertise::vetting_graphql::vetting_of(ctx, &self.0).await
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

connection!(
    OrganisationConnection,
    OrganisationEdge,
    Organisation,
    "A page of organisations, as a Relay cursor connection.",
    "An organisation in a page, with its cursor."
);

/// Conditions on the organisations to list; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct OrganisationFilterInput {
    /// Only organisations based in this country (ISO 3166-1 alpha-2).
    pub country_code: Option<String>,
    /// Only organisations of one of these kinds.
    pub kinds: Option<Vec<OrganisationKind>>,
    /// Words that must all appear in the name, acronym or description, ignoring case and
    /// accents.
    pub search: Option<String>,
}

impl OrganisationFilterInput {
    fn parse(self) -> Result<OrganisationFilter, ApiError> {
        let bad = |field: &str, message: String| {
            ApiError::BadUserInput(format!("filter.{field}: {message}"))
        };
        Ok(OrganisationFilter {
            country_code: self
                .country_code
                .map(|code| CountryCode::parse(&code))
                .transpose()
                .map_err(|error| bad("countryCode", error.0))?,
            kinds: self.kinds.unwrap_or_default(),
            search: crate::text::search_words(self.search.as_deref().unwrap_or_default())
                .map_err(|error| bad("search", error))?,
        })
    }
}

/// What organisations can be ordered by.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum OrganisationOrderField {
    /// The name, ignoring case and accents.
    #[default]
    Name,
    /// The creation time.
    CreatedAt,
}

/// An ordering of organisations; ties are broken by creation order.
#[derive(InputObject, Default)]
pub struct OrganisationOrder {
    /// What to order by.
    pub field: OrganisationOrderField,
    /// Which way.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl OrganisationOrder {
    fn ordering(&self) -> OrganisationOrdering {
        use organisation::Column::{CreatedAt, SortKey};
        match self.field {
            OrganisationOrderField::Name => {
                OrganisationOrdering::new("NAME", SortKey, self.direction, |row| {
                    SortValue::Text(row.sort_key.clone())
                })
            }
            OrganisationOrderField::CreatedAt => {
                OrganisationOrdering::new("CREATED_AT", CreatedAt, self.direction, |row| {
                    SortValue::Time(row.created_at)
                })
            }
        }
    }
}

/// The organisation queries.
#[derive(Default)]
pub struct OrganisationQuery;

#[Object]
impl OrganisationQuery {
    /// The organisations that match `filter`, in `orderBy` order (by name by default), a
    /// page at a time.
    #[allow(clippy::too_many_arguments)]
    async fn organisations(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Return at most this many organisations from the start (at most 100; 20 by default)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after the edge with this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many organisations from the end (at most 100).")]
        last: Option<i32>,
        #[graphql(desc = "End before the edge with this cursor.")] before: Option<String>,
        #[graphql(desc = "Which organisations to list.")] filter: Option<OrganisationFilterInput>,
        #[graphql(desc = "How to order them.")] order_by: Option<OrganisationOrder>,
    ) -> Result<OrganisationConnection, ApiError> {
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
            super::list_organisations(db, &filter, &ordering, &page, wants_total_count(ctx))
                .await?;
        Ok(OrganisationConnection::new(rows.map(Organisation), total))
    }
}

/// A new organisation.
#[derive(InputObject)]
pub struct CreateOrganisationInput {
    /// The full name; surrounding spaces are removed. Required, at most 200 characters.
    pub name: String,
    /// The usual acronym.
    pub acronym: Option<String>,
    /// What sort of organisation it is.
    pub kind: OrganisationKind,
    /// The country where it is based, as an ISO 3166-1 alpha-2 code.
    pub country_code: Option<String>,
    /// Its web site (http or https).
    pub website: Option<String>,
    /// A free-text description, at most 10,000 characters.
    pub description: Option<String>,
}

impl CreateOrganisationInput {
    fn parse(self) -> Result<NewOrganisation, Rejection> {
        let mut errors = InputErrors::default();
        let name = errors.check(&["name"], Name::parse(&self.name));
        let acronym = errors.check(
            &["acronym"],
            self.acronym.as_deref().map(Name::parse).transpose(),
        );
        let country_code = errors.check(
            &["countryCode"],
            self.country_code
                .as_deref()
                .map(CountryCode::parse)
                .transpose(),
        );
        let website = errors.check(
            &["website"],
            self.website.as_deref().map(WebUrl::parse).transpose(),
        );
        let description = errors.check(
            &["description"],
            self.description
                .as_deref()
                .map(LongText::parse)
                .transpose()
                .map(Option::flatten),
        );
        errors.finish(|| {
            Some(NewOrganisation {
                name: name?,
                acronym: acronym?,
                kind: self.kind,
                country_code: country_code?,
                website: website?,
                description: description?,
            })
        })
    }
}

/// Changes to an organisation. Omitted fields are left as they are; nullable fields set to
/// null are cleared.
#[derive(InputObject)]
pub struct UpdateOrganisationInput {
    /// The organisation to change.
    pub id: ID,
    /// The version the client read; if the organisation changed since, nothing is changed
    /// and a `CONFLICT` user error is returned.
    pub version: i32,
    /// A new name.
    pub name: Option<String>,
    /// A new acronym, or null to clear it.
    pub acronym: MaybeUndefined<String>,
    /// A new kind.
    pub kind: Option<OrganisationKind>,
    /// A new country code, or null to clear it.
    pub country_code: MaybeUndefined<String>,
    /// A new web site, or null to clear it.
    pub website: MaybeUndefined<String>,
    /// A new description, or null to clear it.
    pub description: MaybeUndefined<String>,
}

impl UpdateOrganisationInput {
    fn parse(self) -> Result<(i64, i32, OrganisationChanges), Rejection> {
        let mut errors = InputErrors::default();
        let id = errors.id(&["id"], &self.id, NodeKind::Organisation);
        let changes = OrganisationChanges {
            name: self
                .name
                .and_then(|name| errors.check(&["name"], Name::parse(&name))),
            acronym: parse_change(&mut errors, &["acronym"], self.acronym, |acronym| {
                Name::parse(&acronym)
            }),
            kind: self.kind,
            country_code: parse_change(&mut errors, &["countryCode"], self.country_code, |code| {
                CountryCode::parse(&code)
            }),
            website: parse_change(&mut errors, &["website"], self.website, |url| {
                WebUrl::parse(&url)
            }),
            description: parse_change(&mut errors, &["description"], self.description, |text| {
                LongText::parse(&text)
            })
            .map(Option::flatten),
        };
        let version = self.version;
        errors.finish(|| Some((id?, version, changes)))
    }
}

/// Which organisation to delete.
#[derive(InputObject)]
pub struct DeleteOrganisationInput {
    /// The organisation to delete.
    pub id: ID,
    /// The version the client read; if the organisation changed since, nothing is deleted.
    pub version: i32,
}

payload!(
    CreateOrganisationPayload,
    organisation: Organisation,
    "The result of `createOrganisation`.",
    "The new organisation; null when there are user errors."
);
payload!(
    UpdateOrganisationPayload,
    organisation: Organisation,
    "The result of `updateOrganisation`.",
    "The organisation as changed; null when there are user errors."
);
payload!(
    DeleteOrganisationPayload,
    deleted_id: ID,
    "The result of `deleteOrganisation`.",
    "The id of the deleted organisation; null when there are user errors."
);

/// The organisation mutations.
#[derive(Default)]
pub struct OrganisationMutation;

#[Object]
impl OrganisationMutation {
    /// Creates an organisation.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn create_organisation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new organisation.")] input: CreateOrganisationInput,
    ) -> Result<CreateOrganisationPayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        respond(input.parse(), |new| async move {
            super::create_organisation(db, &actor, new).await
        })
        .await
    }

    /// Changes an organisation, provided nobody changed it since the client read `version`.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn update_organisation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation, its version and the changes.")]
        input: UpdateOrganisationInput,
    ) -> Result<UpdateOrganisationPayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        respond(input.parse(), |(id, version, changes)| async move {
            super::update_organisation(db, &actor, id, version, changes).await
        })
        .await
    }

    /// Deletes an organisation nothing refers to any more; one that is still referenced (by
    /// a person's affiliation) is refused with an `IN_USE` user error.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn delete_organisation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation and its version.")] input: DeleteOrganisationInput,
    ) -> Result<DeleteOrganisationPayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        let parsed = parse_deletion(&input.id, input.version, NodeKind::Organisation);
        respond(parsed, |(id, version)| async move {
            super::delete_organisation(db, &actor, id, version).await?;
            Ok(ids::encode(NodeKind::Organisation, id))
        })
        .await
    }
}
