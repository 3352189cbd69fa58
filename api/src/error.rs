//! The one error type of the API and the one place that decides what a client sees of an
//! error. Resolvers return `Result<T, ApiError>`; [`present_response`] sets
//! `extensions.code` on every error of a response, logs internal causes with the request id,
//! and replaces their message so that no SQL or internal detail reaches a client.

use std::sync::Arc;

use async_graphql::{Response, ServerError};
use sea_orm::DbErr;

/// Everything that can go wrong in a request, each variant with its `extensions.code`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// `UNAUTHENTICATED`: the request carries no valid credentials and needs some.
    #[error("authentication required")]
    Unauthenticated,
    /// `FORBIDDEN`: the caller may not do this.
    #[error("forbidden")]
    Forbidden,
    /// `NOT_FOUND`: the named object does not exist (or is hidden from the caller).
    #[error("{0} not found")]
    NotFound(String),
    /// `BAD_USER_INPUT`: an argument is invalid; the message says which and why.
    #[error("{0}")]
    BadUserInput(String),
    /// `CONFLICT`: the request conflicts with the current state of the data.
    #[error("{0}")]
    Conflict(String),
    /// `RATE_LIMITED`: too many attempts; retry after `retry_after` seconds
    /// (`extensions.retryAfter`).
    #[error("too many attempts: retry in {retry_after} seconds")]
    RateLimited { retry_after: u64 },
    /// `SERVICE_UNAVAILABLE`: the database cannot be reached right now; retry later.
    #[error("the service is temporarily unavailable, retry later")]
    ServiceUnavailable(#[source] DbErr),
    /// `TIMEOUT`: the request, or one of its statements, ran past its time limit.
    #[error("the request took too long and was cancelled: ask for less, or retry later")]
    Timeout,
    /// `INTERNAL`: a fault on our side; its cause is logged, never shown.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// The `extensions.code` of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::BadUserInput(_) => "BAD_USER_INPUT",
            Self::Conflict(_) => "CONFLICT",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::ServiceUnavailable(_) => "SERVICE_UNAVAILABLE",
            Self::Timeout => "TIMEOUT",
            Self::Internal(_) => "INTERNAL",
        }
    }

    /// An internal error from any cause.
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(cause.into())
    }
}

/// How a database error reads to a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DbFailure {
    /// The database cannot be reached or is going away: retry later.
    Unavailable,
    /// A statement ran past `statement_timeout` (SQLSTATE 57014).
    Timeout,
    /// Anything else is a fault of ours.
    Other,
}

/// PostgreSQL's classes and codes that mean the server is unavailable: connection exceptions
/// (08), and a server shutting down, starting or crashed (57P01 to 57P03).
fn unavailable_sqlstate(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
}

fn classify(error: &DbErr) -> DbFailure {
    use sea_orm::RuntimeErr;
    let runtime = match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return DbFailure::Unavailable,
        DbErr::Exec(runtime) | DbErr::Query(runtime) => runtime,
        _ => return DbFailure::Other,
    };
    let RuntimeErr::SqlxError(sqlx_error) = runtime else {
        return DbFailure::Other;
    };
    use sea_orm::sqlx::Error;
    match &**sqlx_error {
        Error::Io(_)
        | Error::Tls(_)
        | Error::PoolTimedOut
        | Error::PoolClosed
        | Error::WorkerCrashed
        | Error::Protocol(_) => DbFailure::Unavailable,
        Error::Database(database) => match database.code().as_deref() {
            Some("57014") => DbFailure::Timeout,
            Some(code) if unavailable_sqlstate(code) => DbFailure::Unavailable,
            _ => DbFailure::Other,
        },
        _ => DbFailure::Other,
    }
}

impl From<DbErr> for ApiError {
    fn from(error: DbErr) -> Self {
        match classify(&error) {
            DbFailure::Unavailable => Self::ServiceUnavailable(error),
            DbFailure::Timeout => Self::Timeout,
            DbFailure::Other => Self::Internal(Box::new(error)),
        }
    }
}

impl From<Arc<DbErr>> for ApiError {
    fn from(error: Arc<DbErr>) -> Self {
        match classify(&error) {
            DbFailure::Unavailable => Self::ServiceUnavailable(DbErr::Custom(error.to_string())),
            DbFailure::Timeout => Self::Timeout,
            DbFailure::Other => Self::Internal(Box::new(ArcError(error))),
        }
    }
}

/// A shared database error (from a DataLoader) as a boxable error.
#[derive(Debug)]
struct ArcError(Arc<DbErr>);

impl std::fmt::Display for ArcError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(formatter)
    }
}

impl std::error::Error for ArcError {}

/// Rewrites one error of a response for the client: sets its code, hides internal causes.
fn present(error: &mut ServerError, request_id: &str) {
    let (code, message) = match error.source::<ApiError>() {
        Some(api_error @ ApiError::Internal(cause)) => {
            tracing::error!(request_id, error = %cause, cause = ?cause, "internal error");
            let message = format!("internal error (request id {request_id})");
            (api_error.code(), Some(message))
        }
        Some(api_error @ ApiError::ServiceUnavailable(cause)) => {
            tracing::warn!(request_id, error = %cause, "database unavailable");
            (api_error.code(), Some(api_error.to_string()))
        }
        Some(api_error) => (api_error.code(), None),
        // Errors async-graphql raises itself: argument coercion inside a field has a path,
        // document validation has none.
        None if error.path.is_empty() => ("GRAPHQL_VALIDATION_FAILED", None),
        None => ("BAD_USER_INPUT", None),
    };
    if let Some(message) = message {
        error.message = message;
    }
    let retry_after = match error.source::<ApiError>() {
        Some(ApiError::RateLimited { retry_after }) => Some(*retry_after),
        _ => None,
    };
    if let Some(retry_after) = retry_after {
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("retryAfter", retry_after);
    }
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
}

/// Presents every error of `response` for the client, under the request id `request_id`.
///
/// The HTTP handler and the WebSocket executor call this on each response they send. It is
/// not a schema extension on purpose: any extension makes async-graphql look up every
/// resolved field's type in the registry and run the extension chain around it, which cost
/// a directory page of 50 fiches about a fifth of its CPU.
pub fn present_response(response: &mut Response, request_id: Option<&str>) {
    let request_id = request_id.unwrap_or("unknown");
    for error in &mut response.errors {
        present(error, request_id);
    }
}
