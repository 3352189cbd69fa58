//! Accessors for what resolvers take from the GraphQL context, written once.

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::DatabaseConnection;

use crate::error::ApiError;

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
