//! The GraphQL face of users: the `User` object, `viewer`, the `users` connection and the
//! administrators' mutations. Sign-in is in `sign_in`, API keys in `api_key_graphql`.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entities::user;

use super::passwords::Password;
use super::queries::UserFilter;
use super::users::{self, Assignment, NewUser, UserChange};
use super::{ADMIN, Role, RoleGuard};
use crate::authorities::graphql::Authority;
use crate::authorities::loaders::AuthorityLoader;
use crate::context;
use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::mutation::{InputErrors, Rejection, payload, respond};
use crate::organisations::graphql::Organisation;
use crate::organisations::loaders::OrganisationLoader;
use crate::pagination::{PageArgs, PageRequest, connection, wants_total_count};
use crate::storage::ByIdLoader;
use crate::values::{Email, Name};

/// Loads users by id.
pub type UserLoader = ByIdLoader<user::Entity>;

/// Someone who signs in to the API, with their role. Visible to administrators, and to the
/// user themself through `viewer`.
#[derive(Clone, Debug)]
pub struct User(pub user::Model);

/// Someone who signs in to the API, with their role. Visible to administrators, and to the
/// user themself through `viewer`.
#[Object]
impl User {
    /// The global id of this user.
    pub async fn id(&self) -> ID {
        ids::encode(NodeKind::User, self.0.id)
    }

    /// The e-mail address the user signs in with.
    async fn email(&self) -> &str {
        &self.0.email
    }

    /// The name shown for the user.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    /// What the user may do.
    async fn role(&self) -> Role {
        Role::from_stored(&self.0.role)
    }

    /// The authority a MEMBER belongs to.
    async fn authority(&self, ctx: &Context<'_>) -> Result<Option<Authority>, ApiError> {
        let Some(id) = self.0.authority_id else {
            return Ok(None);
        };
        Ok(context::loader::<AuthorityLoader>(ctx)?
            .load_one(id)
            .await?
            .map(Authority::from))
    }

    /// The organisation a MINISTRY user belongs to.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>, ApiError> {
        let Some(id) = self.0.organisation_id else {
            return Ok(None);
        };
        Ok(context::loader::<OrganisationLoader>(ctx)?
            .load_one(id)
            .await?
            .map(Organisation))
    }

    /// Whether the user may sign in; a deactivated user's sessions have all ended.
    async fn active(&self) -> bool {
        self.0.active
    }

    /// When the user last signed in.
    async fn last_login_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_login_at
    }

    /// The version of this record, incremented by every change.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the user was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the user was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

connection!(
    UserConnection,
    UserEdge,
    User,
    "A page of users, as a Relay cursor connection.",
    "A user in a page, with their cursor."
);

/// Conditions on the users to list; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct UserFilterInput {
    /// Only users with one of these roles.
    pub roles: Option<Vec<Role>>,
    /// Only active (true) or deactivated (false) users.
    pub active: Option<bool>,
    /// Only the members of this authority.
    pub authority_id: Option<ID>,
    /// Only the users of this organisation.
    pub organisation_id: Option<ID>,
    /// Words that must all appear in the e-mail address or display name.
    pub search: Option<String>,
}

impl UserFilterInput {
    fn parse(self) -> Result<UserFilter, ApiError> {
        let bad = |field: &str, message: String| {
            ApiError::BadUserInput(format!("filter.{field}: {message}"))
        };
        let id = |id: Option<ID>, kind: NodeKind, field: &str| {
            id.map(|id| ids::decode_as(&id, kind))
                .transpose()
                .map_err(|error| bad(field, error.to_string()))
        };
        let search = self.search.unwrap_or_default();
        if search.chars().count() > crate::text::MAX_SEARCH_CHARS {
            return Err(bad("search", "is too long".into()));
        }
        // The words go into LIKE patterns as they are, and PostgreSQL refuses a NUL.
        if search.chars().any(char::is_control) {
            return Err(bad("search", "must not contain control characters".into()));
        }
        Ok(UserFilter {
            roles: self.roles.unwrap_or_default(),
            active: self.active,
            authority_id: id(self.authority_id, NodeKind::Authority, "authorityId")?,
            organisation_id: id(
                self.organisation_id,
                NodeKind::Organisation,
                "organisationId",
            )?,
            search: search.split_whitespace().map(str::to_lowercase).collect(),
        })
    }
}

/// The queries about users.
#[derive(Default)]
pub struct AccessQuery;

#[Object]
impl AccessQuery {
    /// The signed-in user; null for anonymous callers and API keys.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Option<User>, ApiError> {
        let Some(id) = context::caller(ctx).user_id() else {
            return Ok(None);
        };
        Ok(context::loader::<UserLoader>(ctx)?
            .load_one(id)
            .await?
            .map(User))
    }

    /// The users that match `filter`, oldest first, a page at a time. Administrators only.
    #[graphql(guard = "RoleGuard(ADMIN)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Return at most this many users from the start (at most 100; 20 by default)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after the edge with this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many users from the end (at most 100).")]
        last: Option<i32>,
        #[graphql(desc = "End before the edge with this cursor.")] before: Option<String>,
        #[graphql(desc = "Which users to list.")] filter: Option<UserFilterInput>,
    ) -> Result<UserConnection, ApiError> {
        let filter = filter.unwrap_or_default().parse()?;
        let tag = super::queries::users_by_creation().tag();
        let page = PageRequest::parse(
            PageArgs {
                first,
                after,
                last,
                before,
            },
            &tag,
        )?;
        let (rows, total) =
            super::queries::users_page(context::db(ctx)?, &filter, &page, wants_total_count(ctx))
                .await?;
        Ok(UserConnection::new(rows.map(User), total))
    }
}

impl From<user::Model> for User {
    fn from(model: user::Model) -> Self {
        Self(model)
    }
}

fn assignment(
    errors: &mut InputErrors,
    role: Role,
    authority_id: Option<&ID>,
    organisation_id: Option<&ID>,
) -> Option<Assignment> {
    let authority_id = match authority_id {
        Some(id) => Some(errors.id(&["authorityId"], id, NodeKind::Authority)?),
        None => None,
    };
    let organisation_id = match organisation_id {
        Some(id) => Some(errors.id(&["organisationId"], id, NodeKind::Organisation)?),
        None => None,
    };
    Some(Assignment {
        role,
        authority_id,
        organisation_id,
    })
}

/// A new user.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// The e-mail address the user signs in with; unique.
    pub email: String,
    /// The name shown for the user.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// The authority of a MEMBER (required for that role, refused for others).
    pub authority_id: Option<ID>,
    /// The organisation of a MINISTRY user (required for that role).
    pub organisation_id: Option<ID>,
    /// The initial password: at least 12 characters. It is stored only as an argon2id hash.
    pub password: String,
}

impl CreateUserInput {
    fn parse(self) -> Result<NewUser, Rejection> {
        let mut errors = InputErrors::default();
        let email = errors.check(&["email"], Email::parse(&self.email));
        let display_name = errors.check(&["displayName"], Name::parse(&self.display_name));
        let assignment = assignment(
            &mut errors,
            self.role,
            self.authority_id.as_ref(),
            self.organisation_id.as_ref(),
        );
        let password = errors.check(&["password"], Password::parse_new(self.password));
        errors.finish(|| {
            Some(NewUser {
                email: email?,
                display_name: display_name?,
                assignment: assignment?,
                password: password?,
            })
        })
    }
}

/// A user's new role and attachment.
#[derive(InputObject)]
pub struct SetUserRoleInput {
    /// The user.
    pub id: ID,
    /// The new role.
    pub role: Role,
    /// The authority, for a MEMBER.
    pub authority_id: Option<ID>,
    /// The organisation, for a MINISTRY user.
    pub organisation_id: Option<ID>,
}

/// A user to deactivate or reactivate.
#[derive(InputObject)]
pub struct UserStatusInput {
    /// The user.
    pub id: ID,
}

/// A user's new password.
#[derive(InputObject)]
pub struct ResetUserPasswordInput {
    /// The user.
    pub id: ID,
    /// The new password: at least 12 characters.
    pub password: String,
}

payload!(CreateUserPayload, user: User, "The result of `createUser`.", "The new user; null when there are user errors.");
payload!(SetUserRolePayload, user: User, "The result of `setUserRole`.", "The user as changed; null when there are user errors.");
payload!(
    DeactivateUserPayload,
    user: User,
    "The result of `deactivateUser`.",
    "The user as changed; null when there are user errors."
);
payload!(
    ReactivateUserPayload,
    user: User,
    "The result of `reactivateUser`.",
    "The user as changed; null when there are user errors."
);
payload!(
    ResetUserPasswordPayload,
    user: User,
    "The result of `resetUserPassword`.",
    "The user as changed; null when there are user errors."
);

fn user_id(errors: &mut InputErrors, id: &ID) -> Option<i64> {
    errors.id(&["id"], id, NodeKind::User)
}

/// The administrators' mutations on users.
#[derive(Default)]
pub struct AccessMutation;

#[Object]
impl AccessMutation {
    /// Creates a user. Administrators only.
    #[graphql(guard = "RoleGuard(ADMIN)")]
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new user.")] input: CreateUserInput,
    ) -> Result<CreateUserPayload, ApiError> {
        let (db, access, actor) = (
            context::db(ctx)?,
            context::access(ctx)?,
            context::actor(ctx),
        );
        respond(input.parse(), |new| async move {
            users::create_user(db, &access.hasher, &actor, new).await
        })
        .await
    }

    /// Changes a user's role and attachment. The last active administrator cannot be
    /// demoted. Administrators only.
    #[graphql(guard = "RoleGuard(ADMIN)")]
    async fn set_user_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user and their new role.")] input: SetUserRoleInput,
    ) -> Result<SetUserRolePayload, ApiError> {
        let mut errors = InputErrors::default();
        let id = user_id(&mut errors, &input.id);
        let assignment = assignment(
            &mut errors,
            input.role,
            input.authority_id.as_ref(),
            input.organisation_id.as_ref(),
        );
        let parsed = errors.finish(|| Some((id?, assignment?)));
        change(
            ctx,
            parsed.map(|(id, assignment)| (id, UserChange::Assign(assignment))),
        )
        .await
    }

    /// Deactivates a user: they cannot sign in, and every session and token they hold stops
    /// working at once. The last active administrator cannot be deactivated.
    #[graphql(guard = "RoleGuard(ADMIN)")]
    async fn deactivate_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user.")] input: UserStatusInput,
    ) -> Result<DeactivateUserPayload, ApiError> {
        let mut errors = InputErrors::default();
        let id = user_id(&mut errors, &input.id);
        change(
            ctx,
            errors
                .finish(|| id)
                .map(|id| (id, UserChange::Activate(false))),
        )
        .await
    }

    /// Lets a deactivated user sign in again. Administrators only.
    #[graphql(guard = "RoleGuard(ADMIN)")]
    async fn reactivate_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user.")] input: UserStatusInput,
    ) -> Result<ReactivateUserPayload, ApiError> {
        let mut errors = InputErrors::default();
        let id = user_id(&mut errors, &input.id);
        change(
            ctx,
            errors
                .finish(|| id)
                .map(|id| (id, UserChange::Activate(true))),
        )
        .await
    }

    /// Sets a user's password and ends all their sessions. Administrators only.
    #[graphql(guard = "RoleGuard(ADMIN)")]
    async fn reset_user_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user and their new password.")] input: ResetUserPasswordInput,
    ) -> Result<ResetUserPasswordPayload, ApiError> {
        let mut errors = InputErrors::default();
        let id = user_id(&mut errors, &input.id);
        let password = errors.check(&["password"], Password::parse_new(input.password));
        let parsed = errors.finish(|| Some((id?, password?)));
        change(
            ctx,
            parsed.map(|(id, password)| (id, UserChange::Password(password))),
        )
        .await
    }
}

async fn change<P>(
    ctx: &Context<'_>,
    parsed: Result<(i64, UserChange), Rejection>,
) -> Result<P, ApiError>
where
    P: crate::mutation::Payload<Object = User>,
{
    let (db, access, actor) = (
        context::db(ctx)?,
        context::access(ctx)?,
        context::actor(ctx),
    );
    respond(parsed, |(id, change)| async move {
        users::change_user(db, &access.hasher, &actor, id, change).await
    })
    .await
}
