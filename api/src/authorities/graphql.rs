//! The GraphQL face of authorities: the `Authority` object, the `authorities` connection and
//! the create, update and delete mutations. Resolvers parse, call one domain function and
//! convert; the rules live in the parent module.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object};
use chrono::{DateTime, Utc};
use entities::authority;

use super::loaders::AuthorityLoader;
use super::{AuthorityChanges, AuthorityFilter, AuthorityKind, AuthorityOrdering, NewAuthority};
use crate::access::{EDITORS, RoleGuard, STAFF};
use crate::context;
use crate::directory::graphql::{
    CooperationConnection, CooperationFilterInput, CooperationOrder, cooperation_connection,
};
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::mutation::{InputErrors, Rejection, parse_change, parse_deletion, payload, respond};
use crate::pagination::{
    OrderDirection, PageArgs, PageRequest, SortValue, connection, wants_total_count,
};
use crate::values::{CountryCode, LongText, Name, Population, WebUrl};

/// A local authority: a French région, département, intercommunality or commune, or a
/// foreign authority that cooperates with one.
///
/// Shared, so that the many places a page shows one authority do not copy it.
#[derive(Clone, Debug)]
pub struct Authority(pub Arc<authority::Model>);

impl From<authority::Model> for Authority {
    fn from(model: authority::Model) -> Self {
        Self(Arc::new(model))
    }
}

// Fields that wait on a loader or a query box that wait, as `Cooperation`'s do.
/// A local authority: a French région, département, intercommunality or commune, or a
/// foreign authority that cooperates with one.
#[Object]
impl Authority {
    /// The global id of this authority.
    pub async fn id(&self) -> ID {
        ids::encode(NodeKind::Authority, self.0.id)
    }

    /// The official name, e.g. "Conseil régional des Pays de la Loire".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The tier of the authority.
    async fn kind(&self) -> AuthorityKind {
        AuthorityKind::from_stored(&self.0.kind)
    }

    /// The country of the authority, as an ISO 3166-1 alpha-2 code (`FR`, `MX`).
    async fn country_code(&self) -> &str {
        &self.0.country_code
    }

    /// The number of inhabitants, when known.
    async fn population(&self) -> Option<i64> {
        self.0.population
    }

    /// The authority this one belongs to (a municipality's state, say), if any.
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Authority>, ApiError> {
        let Some(parent_id) = self.0.parent_id else {
            return Ok(None);
        };
        let parent = Box::pin(context::loader::<AuthorityLoader>(ctx)?.load_one(parent_id)).await?;
        Ok(parent.map(Authority::from))
    }

    /// Whether the authority is a member of Cités Unies France.
    async fn is_cuf_member(&self) -> bool {
        self.0.is_cuf_member
    }

    /// The authority's web site, if known.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }

    /// A free-text description.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The directory fiches this authority is a partner of, French or foreign side, as the
    /// caller may see them, in `orderBy` order (by title by default).
    #[allow(clippy::too_many_arguments)]
    async fn cooperations(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Return at most this many fiches from the start (at most 100; 20 by default)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after the edge with this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many fiches from the end (at most 100).")]
        last: Option<i32>,
        #[graphql(desc = "End before the edge with this cursor.")] before: Option<String>,
        #[graphql(desc = "Which fiches to list; `authorityId` is this authority.")] filter: Option<
            CooperationFilterInput,
        >,
        #[graphql(desc = "How to order them.")] order_by: Option<CooperationOrder>,
    ) -> Result<CooperationConnection, ApiError> {
        let filter = filter.unwrap_or_default().parse()?;
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        Box::pin(cooperation_connection(
            ctx,
            filter,
            Some(self.0.id),
            order_by,
            args,
        ))
        .await
    }

    /// The authority's know-how for the common offer of its country groups, by title.
    /// Public, like the authority.
    async fn expertise(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::expertise::graphql::Expertise>, ApiError> {
        Box::pin(crate::expertise::graphql::expertise_of(ctx, self.0.id)).await
    }

    /// What the authority pledged, confirmed and paid across programmes, per currency.
    /// Signed-in callers only.
    async fn contributions(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::programmes::graphql::Contribution>, ApiError> {
        Box::pin(crate::programmes::graphql::contributions_of(ctx, self.0.id)).await
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
    AuthorityConnection,
    AuthorityEdge,
    Authority,
    "A page of authorities, as a Relay cursor connection.",
    "An authority in a page, with its cursor."
);

/// Conditions on the authorities to list; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct AuthorityFilterInput {
    /// Only authorities of this country (ISO 3166-1 alpha-2).
    pub country_code: Option<String>,
    /// Only authorities of one of these kinds.
    pub kinds: Option<Vec<AuthorityKind>>,
    /// Words that must all appear in the name or description, ignoring case and accents:
    /// "haute saone" finds "Haute-Saône".
    pub search: Option<String>,
    /// Only the authorities whose parent is this authority.
    pub parent_id: Option<ID>,
    /// Only CUF members (true) or only non-members (false).
    pub is_cuf_member: Option<bool>,
}

impl AuthorityFilterInput {
    fn parse(self) -> Result<AuthorityFilter, ApiError> {
        let bad = |field: &str, message: String| {
            ApiError::BadUserInput(format!("filter.{field}: {message}"))
        };
        Ok(AuthorityFilter {
            country_code: self
                .country_code
                .map(|code| CountryCode::parse(&code))
                .transpose()
                .map_err(|error| bad("countryCode", error.0))?,
            kinds: self.kinds.unwrap_or_default(),
            search: crate::text::search_words(self.search.as_deref().unwrap_or_default())
                .map_err(|error| bad("search", error))?,
            parent_id: self
                .parent_id
                .map(|id| ids::decode_as(&id, NodeKind::Authority))
                .transpose()
                .map_err(|error| bad("parentId", error.to_string()))?,
            is_cuf_member: self.is_cuf_member,
        })
    }
}

/// What authorities can be ordered by.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum AuthorityOrderField {
    /// The name, ignoring case and accents.
    #[default]
    Name,
    /// The creation time.
    CreatedAt,
}

/// An ordering of authorities; ties are broken by creation order.
#[derive(InputObject, Default)]
pub struct AuthorityOrder {
    /// What to order by.
    pub field: AuthorityOrderField,
    /// Which way.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl AuthorityOrder {
    fn ordering(&self) -> AuthorityOrdering {
        use authority::Column::{CreatedAt, SortKey};
        match self.field {
            AuthorityOrderField::Name => {
                AuthorityOrdering::new("NAME", SortKey, self.direction, |row| {
                    SortValue::Text(row.sort_key.clone())
                })
            }
            AuthorityOrderField::CreatedAt => {
                AuthorityOrdering::new("CREATED_AT", CreatedAt, self.direction, |row| {
                    SortValue::Time(row.created_at)
                })
            }
        }
    }
}

/// The authority queries.
#[derive(Default)]
pub struct AuthorityQuery;

#[Object]
impl AuthorityQuery {
    /// The authorities that match `filter`, in `orderBy` order (by name by default), a page
    /// at a time.
    #[allow(clippy::too_many_arguments)]
    async fn authorities(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Return at most this many authorities from the start (at most 100; 20 by default)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after the edge with this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many authorities from the end (at most 100).")]
        last: Option<i32>,
        #[graphql(desc = "End before the edge with this cursor.")] before: Option<String>,
        #[graphql(desc = "Which authorities to list.")] filter: Option<AuthorityFilterInput>,
        #[graphql(desc = "How to order them.")] order_by: Option<AuthorityOrder>,
    ) -> Result<AuthorityConnection, ApiError> {
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
            super::list_authorities(db, &filter, &ordering, &page, wants_total_count(ctx)).await?;
        Ok(AuthorityConnection::new(rows.map(Authority::from), total))
    }
}

/// A new authority.
#[derive(InputObject)]
pub struct CreateAuthorityInput {
    /// The official name; surrounding spaces are removed. Required, at most 200 characters.
    pub name: String,
    /// The tier of the authority.
    pub kind: AuthorityKind,
    /// The country, as an ISO 3166-1 alpha-2 code.
    pub country_code: String,
    /// The number of inhabitants, not negative.
    pub population: Option<i64>,
    /// The authority this one belongs to.
    pub parent_id: Option<ID>,
    /// Whether the authority is a CUF member; false by default.
    #[graphql(default)]
    pub is_cuf_member: bool,
    /// The authority's web site (http or https).
    pub website: Option<String>,
    /// A free-text description, at most 10,000 characters.
    pub description: Option<String>,
}

impl CreateAuthorityInput {
    fn parse(self) -> Result<NewAuthority, Rejection> {
        let mut errors = InputErrors::default();
        let name = errors.check(&["name"], Name::parse(&self.name));
        let country_code = errors.check(&["countryCode"], CountryCode::parse(&self.country_code));
        let population = errors.check(
            &["population"],
            self.population.map(Population::parse).transpose(),
        );
        let parent_id = match &self.parent_id {
            Some(id) => errors.id(&["parentId"], id, NodeKind::Authority).map(Some),
            None => Some(None),
        };
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
            Some(NewAuthority {
                name: name?,
                kind: self.kind,
                country_code: country_code?,
                population: population?,
                parent_id: parent_id?,
                is_cuf_member: self.is_cuf_member,
                website: website?,
                description: description?,
            })
        })
    }
}

/// Changes to an authority. Omitted fields are left as they are; nullable fields set to
/// null are cleared.
#[derive(InputObject)]
pub struct UpdateAuthorityInput {
    /// The authority to change.
    pub id: ID,
    /// The version the client read; if the authority changed since, nothing is changed and
    /// a `CONFLICT` user error is returned.
    pub version: i32,
    /// A new name.
    pub name: Option<String>,
    /// A new tier.
    pub kind: Option<AuthorityKind>,
    /// A new country code.
    pub country_code: Option<String>,
    /// A new population, or null to clear it.
    pub population: MaybeUndefined<i64>,
    /// A new parent authority, or null to clear it.
    pub parent_id: MaybeUndefined<ID>,
    /// Whether the authority is a CUF member.
    pub is_cuf_member: Option<bool>,
    /// A new web site, or null to clear it.
    pub website: MaybeUndefined<String>,
    /// A new description, or null to clear it.
    pub description: MaybeUndefined<String>,
}

impl UpdateAuthorityInput {
    fn parse(self) -> Result<(i64, i32, AuthorityChanges), Rejection> {
        let mut errors = InputErrors::default();
        let id = errors.id(&["id"], &self.id, NodeKind::Authority);
        let changes = AuthorityChanges {
            name: self
                .name
                .and_then(|name| errors.check(&["name"], Name::parse(&name))),
            kind: self.kind,
            country_code: self
                .country_code
                .and_then(|code| errors.check(&["countryCode"], CountryCode::parse(&code))),
            population: parse_change(
                &mut errors,
                &["population"],
                self.population,
                Population::parse,
            ),
            parent_id: parse_change(&mut errors, &["parentId"], self.parent_id, |id| {
                ids::decode_as(&id, NodeKind::Authority)
                    .map_err(|error| crate::values::ValueError(error.to_string()))
            }),
            is_cuf_member: self.is_cuf_member,
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

/// Which authority to delete.
#[derive(InputObject)]
pub struct DeleteAuthorityInput {
    /// The authority to delete.
    pub id: ID,
    /// The version the client read; if the authority changed since, nothing is deleted.
    pub version: i32,
}

payload!(
    CreateAuthorityPayload,
    authority: Authority,
    "The result of `createAuthority`.",
    "The new authority; null when there are user errors."
);
payload!(
    UpdateAuthorityPayload,
    authority: Authority,
    "The result of `updateAuthority`.",
    "The authority as changed; null when there are user errors."
);
payload!(
    DeleteAuthorityPayload,
    deleted_id: ID,
    "The result of `deleteAuthority`.",
    "The id of the deleted authority; null when there are user errors."
);

/// The authority mutations.
#[derive(Default)]
pub struct AuthorityMutation;

#[Object]
impl AuthorityMutation {
    /// Creates an authority.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn create_authority(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new authority.")] input: CreateAuthorityInput,
    ) -> Result<CreateAuthorityPayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        respond(input.parse(), |new| async move {
            super::create_authority(db, &actor, new).await
        })
        .await
    }

    /// Changes an authority, provided nobody changed it since the client read `version`.
    #[graphql(guard = "RoleGuard(EDITORS)")]
    async fn update_authority(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The authority, its version and the changes.")]
        input: UpdateAuthorityInput,
    ) -> Result<UpdateAuthorityPayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        respond(input.parse(), |(id, version, changes)| async move {
            super::update_authority(db, &actor, id, version, changes).await
        })
        .await
    }

    /// Deletes an authority nothing refers to any more; one that is still referenced (by a
    /// child authority or a person's affiliation) is refused with an `IN_USE` user error.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn delete_authority(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The authority and its version.")] input: DeleteAuthorityInput,
    ) -> Result<DeleteAuthorityPayload, ApiError> {
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        let parsed = parse_deletion(&input.id, input.version, NodeKind::Authority);
        respond(parsed, |(id, version)| async move {
            super::delete_authority(db, &actor, id, version).await?;
            Ok(ids::encode(NodeKind::Authority, id))
        })
        .await
    }
}
