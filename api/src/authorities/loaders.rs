//! Batch loading of authorities by id, for every relation that points at an authority.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use entities::authority;
use sea_orm::{DatabaseConnection, DbErr};

use super::queries;

/// Loads authorities by id, all the keys of a batch in one statement.
pub struct AuthorityLoader(pub DatabaseConnection);

impl Loader<i64> for AuthorityLoader {
    type Value = authority::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = queries::authorities_by_ids(&self.0, keys).await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}
