//! Batch loading of organisations by id, for every relation that points at an organisation.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use entities::organisation;
use sea_orm::{DatabaseConnection, DbErr};

use super::queries;

/// Loads organisations by id, all the keys of a batch in one statement.
pub struct OrganisationLoader(pub DatabaseConnection);

impl Loader<i64> for OrganisationLoader {
    type Value = organisation::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = queries::organisations_by_ids(&self.0, keys).await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}
