//! Access: who the caller is (users with roles, API keys of ministries), how they sign in
//! (passwords, access and refresh tokens), and what each role may do. The role matrix of
//! DESIGN.md section 2 is enforced here (`Caller`, `RoleGuard`) and in the domain functions
//! for ownership.

pub mod api_key_graphql;
pub mod api_keys;
pub mod graphql;
pub mod identify;
pub mod passwords;
pub mod queries;
pub mod sessions;
pub mod sign_in;
pub mod throttle;
pub mod tokens;
pub mod users;

use async_graphql::{Context, Enum, Guard};

use crate::error::ApiError;
use passwords::PasswordHasher;
use throttle::Throttle;
use tokens::TokenKeys;

/// What a user may do.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// Manages users, roles and service credentials, reads the audit log, and does all that
    /// CUF staff do.
    Admin,
    /// CUF staff: manage groups, events, programmes and the directory for every authority.
    CufStaff,
    /// A member authority's officer: edits their own authority and what belongs to it.
    Member,
    /// A partner ministry: reads programmes and exports; changes nothing.
    Ministry,
}

impl Role {
    const ALL: [Self; 4] = [Self::Admin, Self::CufStaff, Self::Member, Self::Ministry];

    /// The stored name of this role.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "ADMIN",
            Self::CufStaff => "CUF_STAFF",
            Self::Member => "MEMBER",
            Self::Ministry => "MINISTRY",
        }
    }

    /// The role stored as `text`; an unknown value reads as the least powerful role.
    pub fn from_stored(text: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .unwrap_or(Self::Ministry)
    }
}

/// A signed-in user, as identified for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCaller {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub authority_id: Option<i64>,
    pub organisation_id: Option<i64>,
}

/// Who makes a request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Caller {
    /// No credentials.
    #[default]
    Anonymous,
    /// A user with a valid access token.
    User(UserCaller),
    /// A ministry's service credential (read-only, MINISTRY role).
    ApiKey {
        id: i64,
        name: String,
        organisation_id: i64,
        /// Whether the key runs only its registered operations.
        pinned: bool,
    },
    /// The server itself (bootstrap, seeding, command line).
    System,
}

impl Caller {
    /// The caller's role; an API key acts as MINISTRY, the system as ADMIN.
    pub fn role(&self) -> Option<Role> {
        match self {
            Self::Anonymous => None,
            Self::User(user) => Some(user.role),
            Self::ApiKey { .. } => Some(Role::Ministry),
            Self::System => Some(Role::Admin),
        }
    }

    /// `UNAUTHENTICATED` for an anonymous caller, `FORBIDDEN` for a role not in `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        match self.role() {
            None => Err(ApiError::Unauthenticated),
            Some(role) if roles.contains(&role) => Ok(()),
            Some(_) => Err(ApiError::Forbidden),
        }
    }

    /// Whether the caller is CUF staff or an administrator.
    pub fn is_staff(&self) -> bool {
        matches!(self.role(), Some(Role::Admin | Role::CufStaff))
    }

    /// The authority a MEMBER belongs to.
    pub fn member_authority(&self) -> Option<i64> {
        match self {
            Self::User(user) if user.role == Role::Member => user.authority_id,
            _ => None,
        }
    }

    /// `Ok` for staff, and for a MEMBER of `authority_id`; `FORBIDDEN` otherwise.
    pub fn require_own_authority(&self, authority_id: i64) -> Result<(), ApiError> {
        if self.is_staff() || self.member_authority() == Some(authority_id) {
            return Ok(());
        }
        self.require(STAFF)?;
        Err(ApiError::Forbidden)
    }

    /// Whether the caller may read people's e-mail addresses and telephone numbers.
    pub fn sees_contact_details(&self) -> bool {
        matches!(
            self.role(),
            Some(Role::Admin | Role::CufStaff | Role::Member)
        )
    }

    /// The signed-in user's id.
    pub fn user_id(&self) -> Option<i64> {
        match self {
            Self::User(user) => Some(user.id),
            _ => None,
        }
    }
}

/// Roles with write access to everything that is not the users' own.
pub const STAFF: &[Role] = &[Role::Admin, Role::CufStaff];
/// Administrators only.
pub const ADMIN: &[Role] = &[Role::Admin];
/// Roles that may edit what belongs to their own authority, and staff.
pub const EDITORS: &[Role] = &[Role::Admin, Role::CufStaff, Role::Member];

/// A field guard letting only `roles` through.
pub struct RoleGuard(pub &'static [Role]);

impl Guard for RoleGuard {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        crate::context::caller(ctx)
            .require(self.0)
            .map_err(Into::into)
    }
}

/// What signing in needs: keys, the password hasher, the throttle, token lifetimes.
#[derive(Clone)]
pub struct Access {
    pub keys: TokenKeys,
    pub hasher: PasswordHasher,
    pub throttle: Throttle,
    /// How long a refresh token (a session) lives.
    pub session_lifetime: chrono::Duration,
}
