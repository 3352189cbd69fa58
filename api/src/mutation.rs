//! What mutations share: `UserError` for anything the user can fix, the `Rejection` a domain
//! function returns instead of its result, and the collector that parses an input into domain
//! types while gathering every field's error at once.

use async_graphql::{Enum, SimpleObject};
use sea_orm::{DbErr, RuntimeErr, SqlErr};

use crate::error::ApiError;
use crate::ids::{self, NodeKind};
use crate::values::ValueError;

/// What kind of problem a `UserError` reports.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum UserErrorCode {
    /// The value is malformed or out of range.
    Invalid,
    /// A value the operation needs is missing.
    Required,
    /// The id names no object of the expected type.
    NotFound,
    /// The object changed since the client read it (stale `version`), or the change
    /// conflicts with another object.
    Conflict,
    /// The object is still referenced by others and cannot be deleted.
    InUse,
}

/// A problem with a mutation's input that the user can fix; nothing was changed.
#[derive(SimpleObject, Clone, Debug)]
pub struct UserError {
    /// The path to the input field at fault, from the `input` argument (e.g.
    /// `["affiliations", "0", "since"]`); empty when the error concerns the whole input.
    pub field: Vec<String>,
    /// What is wrong, in a sentence that can be shown to the user.
    pub message: String,
    /// The kind of problem, for programs.
    pub code: UserErrorCode,
}

impl UserError {
    /// A user error on the field at `path`.
    pub fn new(path: &[&str], code: UserErrorCode, message: impl Into<String>) -> Self {
        Self {
            field: path.iter().map(|part| (*part).to_owned()).collect(),
            message: message.into(),
            code,
        }
    }

    /// The error for an update or delete whose `version` is no longer current.
    pub fn stale_version(noun: &str, read: i32, current: i32) -> Self {
        Self::new(
            &["version"],
            UserErrorCode::Conflict,
            format!(
                "the {noun} changed since version {read} was read (it is now at version \
                 {current}): reload it and apply the change again"
            ),
        )
    }
}

/// Why a mutation did not happen: user errors to put in the payload, or a top-level error.
#[derive(Debug)]
pub enum Rejection {
    User(Vec<UserError>),
    Api(ApiError),
}

impl Rejection {
    /// A rejection with one user error.
    pub fn user(path: &[&str], code: UserErrorCode, message: impl Into<String>) -> Self {
        Self::User(vec![UserError::new(path, code, message)])
    }
}

impl From<ApiError> for Rejection {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

/// Whether `error` is a foreign-key violation. SQLite reports one caught by an `ON DELETE
/// RESTRICT` action, which it runs as a trigger, as `SQLITE_CONSTRAINT_TRIGGER` (1811), not
/// the `SQLITE_CONSTRAINT_FOREIGNKEY` (787) that sea-orm recognises.
pub fn is_foreign_key_violation(error: &DbErr) -> bool {
    if matches!(
        error.sql_err(),
        Some(SqlErr::ForeignKeyConstraintViolation(_))
    ) {
        return true;
    }
    let (DbErr::Exec(RuntimeErr::SqlxError(sqlx_error))
    | DbErr::Query(RuntimeErr::SqlxError(sqlx_error))) = error
    else {
        return false;
    };
    match &**sqlx_error {
        sea_orm::sqlx::Error::Database(database) => {
            database.code().as_deref() == Some("1811")
                && database.message().contains("FOREIGN KEY constraint failed")
        }
        _ => false,
    }
}

impl From<DbErr> for Rejection {
    /// Named constraints the domain checks first can still trip on a concurrent change: they
    /// become user errors here rather than internal ones.
    fn from(error: DbErr) -> Self {
        if is_foreign_key_violation(&error) {
            return Self::user(
                &[],
                UserErrorCode::Conflict,
                "another change to a related object happened at the same time: retry",
            );
        }
        match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Self::user(
                &[],
                UserErrorCode::Conflict,
                "this would duplicate an existing object",
            ),
            _ => Self::Api(error.into()),
        }
    }
}

/// A mutation's outcome, split for its payload: the object, or the user errors; anything
/// else is a top-level error.
pub fn into_payload<T>(
    result: Result<T, Rejection>,
) -> Result<(Option<T>, Vec<UserError>), ApiError> {
    match result {
        Ok(value) => Ok((Some(value), Vec::new())),
        Err(Rejection::User(errors)) => Ok((None, errors)),
        Err(Rejection::Api(error)) => Err(error),
    }
}

/// Parses an input field by field, keeping every error, so that the client learns all that
/// is wrong at once.
#[derive(Default, Debug)]
pub struct InputErrors(Vec<UserError>);

impl InputErrors {
    /// The parsed value, or `None` after recording its error under `path`.
    pub fn check<T>(&mut self, path: &[&str], result: Result<T, ValueError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.0
                    .push(UserError::new(path, UserErrorCode::Invalid, error.0));
                None
            }
        }
    }

    /// The row id behind a global `id` of `kind`, or `None` after recording why not.
    pub fn id(&mut self, path: &[&str], id: &str, kind: NodeKind) -> Option<i64> {
        let result = ids::decode_as(id, kind).map_err(|error| ValueError(error.to_string()));
        self.check(path, result)
    }

    /// Records an error that is not about one value's form.
    pub fn push(&mut self, error: UserError) {
        self.0.push(error);
    }

    /// `Ok(value)` when nothing was recorded, else every recorded error.
    pub fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, Rejection> {
        if !self.0.is_empty() {
            return Err(Rejection::User(self.0));
        }
        value().ok_or_else(|| Rejection::Api(ApiError::internal("input parsed without a value")))
    }
}

/// Parses an optional field that may be explicitly cleared: `None` leaves it unchanged,
/// `Some(None)` clears it.
pub fn parse_change<T, U>(
    errors: &mut InputErrors,
    path: &[&str],
    value: async_graphql::MaybeUndefined<T>,
    parse: impl FnOnce(T) -> Result<U, ValueError>,
) -> Option<Option<U>> {
    match value {
        async_graphql::MaybeUndefined::Undefined => None,
        async_graphql::MaybeUndefined::Null => Some(None),
        async_graphql::MaybeUndefined::Value(value) => errors.check(path, parse(value)).map(Some),
    }
}

/// A mutation payload: the changed object (null when there are user errors) and the user
/// errors. Declared with [`payload!`].
pub trait Payload {
    /// The object the mutation returns.
    type Object;
    /// The payload of `object` and `user_errors`.
    fn new(object: Option<Self::Object>, user_errors: Vec<UserError>) -> Self;
}

/// Runs a mutation: the parsed input (or its user errors), then the domain operation, then
/// the payload. Anything but user errors becomes a top-level error.
pub async fn respond<P, I, M, F>(
    parsed: Result<I, Rejection>,
    operation: impl FnOnce(I) -> F,
) -> Result<P, ApiError>
where
    P: Payload,
    P::Object: From<M>,
    F: std::future::Future<Output = Result<M, Rejection>>,
{
    let result = match parsed {
        Ok(input) => operation(input).await,
        Err(rejection) => Err(rejection),
    };
    let (object, user_errors) = into_payload(result)?;
    Ok(P::new(object.map(P::Object::from), user_errors))
}

/// The row id and version of a deletion's input, for a node of `kind`.
pub fn parse_deletion(id: &str, version: i32, kind: NodeKind) -> Result<(i64, i32), Rejection> {
    let mut errors = InputErrors::default();
    let id = errors.id(&["id"], id, kind);
    errors.finish(|| Some((id?, version)))
}

/// Declares a mutation payload type: `$field`, the object (null when there are user errors),
/// and `userErrors`.
macro_rules! payload {
    ($payload:ident, $field:ident: $object:ty, $doc:literal, $field_doc:literal) => {
        #[doc = $doc]
        #[derive(async_graphql::SimpleObject)]
        pub struct $payload {
            #[doc = $field_doc]
            pub $field: Option<$object>,
            /// What is wrong with the input; empty on success.
            pub user_errors: Vec<$crate::mutation::UserError>,
        }

        impl $crate::mutation::Payload for $payload {
            type Object = $object;

            fn new(object: Option<$object>, user_errors: Vec<$crate::mutation::UserError>) -> Self {
                Self {
                    $field: object,
                    user_errors,
                }
            }
        }
    };
}
pub(crate) use payload;
