//! Accessors for what resolvers take from the GraphQL context, written once.

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::DatabaseConnection;

use crate::access::{Access, Caller};
use crate::audit::Actor;
use crate::error::ApiError;
use crate::http::RequestId;

/// The database connection pool.
pub fn db<'a>(ctx: &Context<'a>) -> Result<&'a DatabaseConnection, ApiError> {
    ctx.data::<DatabaseConnection>()
        .map_err(|_| ApiError::internal("the schema was built without a database"))
}

/// The DataLoader registered for `L`.
pub fn loader<'a, L: Loader<i64>>(ctx: &Context<'a>) -> Result<&'a DataLoader<L>, ApiError> {
    ctx.data::<DataLoader<L>>()
        .map_err(|_| ApiError::internal("the schema was built without a loader"))
}

/// Who makes the request; anonymous when the edge identified nobody.
pub fn caller<'a>(ctx: &Context<'a>) -> &'a Caller {
    static ANONYMOUS: Caller = Caller::Anonymous;
    ctx.data_opt::<Caller>().unwrap_or(&ANONYMOUS)
}

/// Keys, password hasher and throttle.
pub fn access<'a>(ctx: &Context<'a>) -> Result<&'a Access, ApiError> {
    ctx.data::<Access>()
        .map_err(|_| ApiError::internal("the schema was built without access settings"))
}

/// The caller and request id, as the audit log records them.
pub fn actor(ctx: &Context<'_>) -> Actor {
    Actor {
        caller: caller(ctx).clone(),
        request_id: ctx.data_opt::<RequestId>().map(|id| id.as_str().to_owned()),
    }
}
