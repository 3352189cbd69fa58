//! Batch loading for the directory: each fiche's partners and themes, themes by id.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use entities::{cooperation_partner, theme};
use sea_orm::{DatabaseConnection, DbErr};

use super::queries;
use crate::storage::{self, ByIdLoader};

/// Loads themes by id.
pub type ThemeLoader = ByIdLoader<theme::Entity>;

/// Loads the partner rows of a batch of fiches in one statement.
pub struct PartnersLoader(pub DatabaseConnection);

impl Loader<i64> for PartnersLoader {
    type Value = Vec<cooperation_partner::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let mut by_fiche: HashMap<i64, Self::Value> = HashMap::new();
        for row in queries::partners_of(&self.0, keys).await? {
            by_fiche.entry(row.cooperation_id).or_default().push(row);
        }
        Ok(by_fiche)
    }
}

/// Loads the themes of a batch of fiches in two statements.
pub struct ThemesLoader(pub DatabaseConnection);

impl Loader<i64> for ThemesLoader {
    type Value = Vec<theme::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let links = queries::theme_ids_of(&self.0, keys).await?;
        let mut theme_ids: Vec<i64> = links.iter().map(|link| link.theme_id).collect();
        theme_ids.sort_unstable();
        theme_ids.dedup();
        let themes = storage::find_many::<theme::Entity>(&self.0, &theme_ids).await?;
        let mut by_fiche: HashMap<i64, Self::Value> = HashMap::new();
        for link in links {
            if let Some(theme) = themes.iter().find(|theme| theme.id == link.theme_id) {
                by_fiche
                    .entry(link.cooperation_id)
                    .or_default()
                    .push(theme.clone());
            }
        }
        for themes in by_fiche.values_mut() {
            themes.sort_by(|left, right| left.label.cmp(&right.label));
        }
        Ok(by_fiche)
    }
}
