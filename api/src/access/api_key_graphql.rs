//! The GraphQL face of API keys: the `ApiKey` object, `apiKeys`, `createApiKey` and
//! `revokeApiKey`, for administrators.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::api_key;

use super::{ADMIN, RoleGuard, api_keys, queries};
use crate::context;
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::mutation::{InputErrors, UserError, into_payload, payload, respond};
use crate::organisations::graphql::Organisation;
use crate::organisations::loaders::OrganisationLoader;
use crate::pagination::{PageArgs, PageRequest, connection, wants_total_count};
use crate::values::Name;

/// A ministry's service credential: read-only, bound to one organisation. Its secret is
/// shown once, when it is created.
#[derive(Clone, Debug)]
pub struct ApiKey(pub api_key::Model);

impl From<api_key::Model> for ApiKey {
    fn from(model: api_key::Model) -> Self {
        Self(model)
    }
}

/// A ministry's service credential: read-only, bound to one organisation. Its secret is
/// shown once, when it is created.
#[Object]
impl ApiKey {
    /// The global id of this key.
    pub async fn id(&self) -> ID {
        ids::encode(NodeKind::ApiKey, self.0.id)
    }

    /// What the key is for, e.g. "DAECT nightly export".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The first characters of the secret, to recognise the key.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }

    /// The organisation the key acts for.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>, ApiError> {
        let loader = context::loader::<OrganisationLoader>(ctx)?;
        Ok(loader
            .load_one(self.0.organisation_id)
            .await?
            .map(Organisation))
    }

    /// When the key was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the key was last used (to the minute).
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }

    /// When the key was revoked; null while it works.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
}

connection!(
    ApiKeyConnection,
    ApiKeyEdge,
    ApiKey,
    "A page of API keys, as a Relay cursor connection.",
    "An API key in a page, with its cursor."
);

/// The queries about API keys.
#[derive(Default)]
pub struct ApiKeyQuery;

#[Object]
impl ApiKeyQuery {
    /// The API keys, oldest first, of one organisation or all. Administrators only.
    #[graphql(guard = "RoleGuard(ADMIN)")]
    async fn api_keys(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Return at most this many keys from the start (at most 100; 20 by default)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after the edge with this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many keys from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before the edge with this cursor.")] before: Option<String>,
        #[graphql(desc = "Only the keys of this organisation.")] organisation_id: Option<ID>,
    ) -> Result<ApiKeyConnection, ApiError> {
        let organisation_id = organisation_id
            .map(|id| ids::decode_as(&id, NodeKind::Organisation))
            .transpose()
            .map_err(|error| ApiError::BadUserInput(format!("`organisationId` {error}")))?;
        let page = PageRequest::parse(
            PageArgs {
                first,
                after,
                last,
                before,
            },
            &queries::api_keys_by_creation().tag(),
        )?;
        let (rows, total) = queries::api_keys_page(
            context::db(ctx)?,
            organisation_id,
            &page,
            wants_total_count(ctx),
        )
        .await?;
        Ok(ApiKeyConnection::new(rows.map(ApiKey), total))
    }
}

/// A new API key.
#[derive(InputObject)]
pub struct CreateApiKeyInput {
    /// The organisation the key acts for, with the MINISTRY role.
    pub organisation_id: ID,
    /// What the key is for.
    pub name: String,
}

/// The result of `createApiKey`.
#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    /// The new key; null when there are user errors.
    pub api_key: Option<ApiKey>,
    /// The secret to send as `x-api-key` or `Authorization: Bearer`. Shown only here: it is
    /// stored only as a digest.
    pub secret: Option<String>,
    /// What is wrong with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// An API key to revoke.
#[derive(InputObject)]
pub struct RevokeApiKeyInput {
    /// The key.
    pub id: ID,
}

payload!(RevokeApiKeyPayload, api_key: ApiKey, "The result of `revokeApiKey`.", "The revoked key; null when there are user errors.");

/// The administrators' mutations on API keys.
#[derive(Default)]
pub struct ApiKeyMutation;

#[Object]
impl ApiKeyMutation {
    /// Issues an API key for an organisation; the payload holds its secret, shown this once.
    #[graphql(guard = "RoleGuard(ADMIN)")]
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation and the key's name.")] input: CreateApiKeyInput,
    ) -> Result<CreateApiKeyPayload, ApiError> {
        let mut errors = InputErrors::default();
        let organisation_id = errors.id(
            &["organisationId"],
            &input.organisation_id,
            NodeKind::Organisation,
        );
        let name = errors.check(&["name"], Name::parse(&input.name));
        let result = match errors.finish(|| Some((organisation_id?, name?))) {
            Ok((organisation_id, name)) => {
                api_keys::create_api_key(
                    context::db(ctx)?,
                    &context::actor(ctx),
                    organisation_id,
                    name,
                )
                .await
            }
            Err(rejection) => Err(rejection),
        };
        let (created, user_errors) = into_payload(result)?;
        let (api_key, secret) = created.map_or((None, None), |(key, secret)| {
            (Some(ApiKey(key)), Some(secret))
        });
        Ok(CreateApiKeyPayload {
            api_key,
            secret,
            user_errors,
        })
    }

    /// Revokes an API key: it stops working at once.
    #[graphql(guard = "RoleGuard(ADMIN)")]
    async fn revoke_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The key.")] input: RevokeApiKeyInput,
    ) -> Result<RevokeApiKeyPayload, ApiError> {
        let mut errors = InputErrors::default();
        let id = errors.id(&["id"], &input.id, NodeKind::ApiKey);
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        respond(errors.finish(|| id), |id| async move {
            api_keys::revoke_api_key(db, &actor, id).await
        })
        .await
    }
}
