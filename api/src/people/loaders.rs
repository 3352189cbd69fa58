//! Batch loading of people by id and of affiliations by person.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use entities::{affiliation, person};
use sea_orm::{DatabaseConnection, DbErr};

use super::queries;
use crate::storage::ByIdLoader;

/// Loads people by id, all the keys of a batch in one statement.
pub type PersonLoader = ByIdLoader<person::Entity>;

/// Loads each person's affiliations, in their order, for a batch of people in one statement.
pub struct AffiliationsByPersonLoader(pub DatabaseConnection);

impl Loader<i64> for AffiliationsByPersonLoader {
    type Value = Vec<affiliation::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = queries::affiliations_of_people(&self.0, keys).await?;
        let mut by_person: HashMap<i64, Self::Value> = HashMap::new();
        for row in rows {
            by_person.entry(row.person_id).or_default().push(row);
        }
        Ok(by_person)
    }
}
