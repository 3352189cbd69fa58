//! The GraphQL face of API keys: the `ApiKey` object, `apiKeys`, `createApiKey` and
//! `revokeApiKey`, for administrators.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::{api_key, api_key_operation};

use super::{ADMIN, RoleGuard, api_keys, queries};
use crate::context;
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::mutation::{InputErrors, UserError, UserErrorCode, into_payload, payload, respond};
use crate::organisations::graphql::Organisation;
use crate::organisations::loaders::OrganisationLoader;
use crate::pagination::{PageArgs, PageRequest, connection, wants_total_count};
use crate::storage::ChildrenLoader;
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

    /// Whether the key runs only its registered `operations` (an allow-list): any other
    /// document is refused with `OPERATION_NOT_ALLOWED`.
    async fn operations_pinned(&self) -> bool {
        self.0.operations_pinned
    }

    /// The operations registered for the key, by name.
    async fn operations(&self, ctx: &Context<'_>) -> Result<Vec<ApiKeyOperation>, ApiError> {
        let mut operations = context::loader::<ChildrenLoader<api_key_operation::Entity>>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        operations.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(operations.into_iter().map(ApiKeyOperation).collect())
    }
}

/// A document registered for an API key. The integration sends its text, or only its
/// SHA-256 as an automatic persisted query
/// (`extensions: {persistedQuery: {version: 1, sha256Hash}}`).
pub struct ApiKeyOperation(api_key_operation::Model);

/// A document registered for an API key.
#[Object]
impl ApiKeyOperation {
    /// The operation's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The SHA-256 of the document's exact text, in hex.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }

    /// The document.
    async fn document(&self) -> &str {
        &self.0.document
    }

    /// When it was registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
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

/// An operation to register: a name and a document holding exactly one query.
#[derive(InputObject)]
pub struct ApiKeyOperationInput {
    /// The operation's name, as the integration calls it (at most 128 characters).
    pub name: String,
    /// The document, exactly as the integration will send it (its SHA-256 is matched).
    pub document: String,
}

/// The operations of an API key, replaced as a whole.
#[derive(InputObject)]
pub struct SetApiKeyOperationsInput {
    /// The key.
    pub api_key_id: ID,
    /// Whether the key may then run only these operations.
    pub pinned: bool,
    /// Every operation the key has registered from now on (at most 100).
    pub operations: Vec<ApiKeyOperationInput>,
}

payload!(SetApiKeyOperationsPayload, api_key: ApiKey, "The result of `setApiKeyOperations`.", "The key, with its operations; null when there are user errors.");

/// The most operations one key registers.
const MAX_OPERATIONS: usize = 100;

/// Checks one operation: a name, and a document that parses and holds exactly one query
/// (API keys only read).
fn check_operation(operation: ApiKeyOperationInput) -> Result<api_keys::NewOperation, String> {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let name = operation.name.trim();
    if name.is_empty() || name.chars().count() > 128 || name.chars().any(char::is_control) {
        return Err("a name of 1 to 128 characters, without control characters".into());
    }
    if operation.document.len() > 100 * 1024 || operation.document.contains('\0') {
        return Err("the document must be text of at most 100 KiB".into());
    }
    let document = async_graphql::parser::parse_query(&operation.document)
        .map_err(|error| format!("the document does not parse: {error}"))?;
    let mut operations: Vec<OperationType> = match &document.operations {
        DocumentOperations::Single(operation) => vec![operation.node.ty],
        DocumentOperations::Multiple(operations) => operations
            .values()
            .map(|operation| operation.node.ty)
            .collect(),
    };
    match (operations.pop(), operations.is_empty()) {
        (Some(OperationType::Query), true) => Ok(api_keys::NewOperation {
            name: name.to_owned(),
            document: operation.document,
        }),
        (Some(_), true) => Err("an API key only reads: the operation must be a query".into()),
        _ => Err("the document must hold exactly one operation".into()),
    }
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

    /// Replaces the operations registered for an API key, and pins the key to them or not:
    /// a pinned key runs only its registered documents, so a ministry's integration stays on
    /// the queries it has tested.
    #[graphql(guard = "RoleGuard(ADMIN)")]
    async fn set_api_key_operations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The key, whether it is pinned, and its operations.")]
        input: SetApiKeyOperationsInput,
    ) -> Result<SetApiKeyOperationsPayload, ApiError> {
        let mut errors = InputErrors::default();
        let id = errors.id(&["apiKeyId"], &input.api_key_id, NodeKind::ApiKey);
        if input.operations.len() > MAX_OPERATIONS {
            errors.push(UserError::new(
                &["operations"],
                UserErrorCode::Invalid,
                format!("at most {MAX_OPERATIONS} operations"),
            ));
        }
        let mut operations = Vec::with_capacity(input.operations.len());
        let mut names = std::collections::HashSet::new();
        for (index, operation) in input.operations.into_iter().enumerate() {
            let position = index.to_string();
            match check_operation(operation) {
                Ok(operation) if !names.insert(operation.name.clone()) => {
                    errors.push(UserError::new(
                        &["operations", &position, "name"],
                        UserErrorCode::Invalid,
                        "two operations have this name",
                    ));
                }
                Ok(operation) => operations.push(operation),
                Err(message) => errors.push(UserError::new(
                    &["operations", &position],
                    UserErrorCode::Invalid,
                    message,
                )),
            }
        }
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        let pinned = input.pinned;
        respond(errors.finish(|| id), |id| async move {
            api_keys::set_api_key_operations(db, &actor, id, pinned, operations).await
        })
        .await
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
