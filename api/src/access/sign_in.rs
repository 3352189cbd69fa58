//! The GraphQL face of signing in and out: `login`, `refreshSession`, `logout`,
//! `logoutEverywhere`. For browsers, the refresh token also travels in an `HttpOnly`,
//! `Secure`, `SameSite=Strict` cookie limited to `/graphql`.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::graphql::User;
use super::passwords::Password;
use super::sessions::{self, Tokens};
use crate::context;
use crate::error::ApiError;
use crate::mutation::{Rejection, UserError, into_payload};

/// The name of the refresh-token cookie.
pub const REFRESH_COOKIE: &str = "cuf_refresh";

/// The refresh token a browser sent in its cookie, put in the request data by the HTTP edge.
#[derive(Debug, Clone)]
pub struct RefreshCookie(pub String);

/// The client's network address, for sign-in throttling.
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

/// Credentials to sign in with.
#[derive(InputObject)]
pub struct LoginInput {
    /// The e-mail address.
    pub email: String,
    /// The password.
    pub password: String,
}

/// A refresh token to exchange; when omitted, the one in the `cuf_refresh` cookie.
#[derive(InputObject, Default)]
pub struct RefreshSessionInput {
    /// The refresh token from `login` or the previous `refreshSession`.
    pub refresh_token: Option<String>,
}

/// The session to end; when omitted, the one in the `cuf_refresh` cookie.
#[derive(InputObject, Default)]
pub struct LogoutInput {
    /// The session's current refresh token.
    pub refresh_token: Option<String>,
}

/// A new session's tokens.
#[derive(SimpleObject, Default)]
pub struct SessionPayload {
    /// A short-lived JWT to send as `Authorization: Bearer`; null when there are user errors.
    pub access_token: Option<String>,
    /// When the access token expires.
    pub expires_at: Option<DateTime<Utc>>,
    /// A single-use token for `refreshSession`; keep it secret. Each use returns a new one and
    /// retires the old.
    pub refresh_token: Option<String>,
    /// The signed-in user.
    pub user: Option<User>,
    /// Why signing in failed; empty on success.
    pub user_errors: Vec<UserError>,
}

/// The result of `logout` and `logoutEverywhere`.
#[derive(SimpleObject)]
pub struct LogoutPayload {
    /// Whether the session(s) ended.
    pub logged_out: bool,
    /// What went wrong; empty on success.
    pub user_errors: Vec<UserError>,
}

fn cookie(ctx: &Context<'_>, value: &str, max_age: i64) {
    ctx.append_http_header(
        "set-cookie",
        format!("{REFRESH_COOKIE}={value}; Path=/graphql; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict"),
    );
}

fn session_payload(
    ctx: &Context<'_>,
    result: Result<Tokens, Rejection>,
) -> Result<SessionPayload, ApiError> {
    let (tokens, user_errors) = into_payload(result)?;
    let Some(tokens) = tokens else {
        return Ok(SessionPayload {
            user_errors,
            ..Default::default()
        });
    };
    cookie(
        ctx,
        &tokens.refresh_token,
        (tokens.refresh_expires_at - Utc::now())
            .num_seconds()
            .max(0),
    );
    Ok(SessionPayload {
        access_token: Some(tokens.access_token),
        expires_at: Some(tokens.expires_at),
        refresh_token: Some(tokens.refresh_token),
        user: Some(User(tokens.user)),
        user_errors,
    })
}

fn offered_refresh_token(ctx: &Context<'_>, given: Option<String>) -> Option<String> {
    given.or_else(|| {
        ctx.data_opt::<RefreshCookie>()
            .map(|cookie| cookie.0.clone())
    })
}

/// The sign-in mutations.
#[derive(Default)]
pub struct SignInMutation;

#[Object]
impl SignInMutation {
    /// Signs in. A wrong e-mail address and a wrong password give the same answer; after
    /// repeated failures the account or address is throttled (`RATE_LIMITED`).
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The e-mail address and password.")] input: LoginInput,
    ) -> Result<SessionPayload, ApiError> {
        let (db, access) = (context::db(ctx)?, context::access(ctx)?);
        let address = ctx
            .data_opt::<ClientAddress>()
            .map(|address| address.0.as_str());
        let result = sessions::login(
            db,
            access,
            &input.email,
            Password::offered(input.password),
            address,
        )
        .await;
        session_payload(ctx, result)
    }

    /// Exchanges a refresh token (given, or from the cookie) for new tokens. The old refresh
    /// token stops working; presenting it again ends the whole session.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The refresh token, unless it is in the cookie.", default)]
        input: RefreshSessionInput,
    ) -> Result<SessionPayload, ApiError> {
        let (db, access) = (context::db(ctx)?, context::access(ctx)?);
        let result = match offered_refresh_token(ctx, input.refresh_token) {
            Some(token) => sessions::refresh(db, access, &token).await,
            None => Err(Rejection::user(
                &["refreshToken"],
                crate::mutation::UserErrorCode::Required,
                "no refresh token",
            )),
        };
        session_payload(ctx, result)
    }

    /// Ends the session of a refresh token (given, or from the cookie).
    async fn logout(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The refresh token, unless it is in the cookie.", default)]
        input: LogoutInput,
    ) -> Result<LogoutPayload, ApiError> {
        if let Some(token) = offered_refresh_token(ctx, input.refresh_token) {
            sessions::logout(context::db(ctx)?, &token).await?;
        }
        cookie(ctx, "", 0);
        Ok(LogoutPayload {
            logged_out: true,
            user_errors: Vec::new(),
        })
    }

    /// Ends every session of the signed-in user, on every device: their access tokens stop
    /// working at once.
    async fn logout_everywhere(&self, ctx: &Context<'_>) -> Result<LogoutPayload, ApiError> {
        let Some(id) = context::caller(ctx).user_id() else {
            return Err(ApiError::Unauthenticated);
        };
        let result = sessions::logout_everywhere(context::db(ctx)?, &context::actor(ctx), id).await;
        let (done, user_errors) = into_payload(result)?;
        cookie(ctx, "", 0);
        Ok(LogoutPayload {
            logged_out: done.is_some(),
            user_errors,
        })
    }
}
