//! Batch loading for the directory: each fiche's partners and themes, themes by id.
//!
//! A fiche's partners and themes are each read with one join per batch, and handed out as
//! shared slices: a page of the directory asks for them about 150 times, and a loader clones
//! its value for every request (see ARCHITECTURE.md, "Performance").

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use entities::{authority, theme};
use sea_orm::{DatabaseConnection, DbErr};

use super::queries;
use crate::storage::ByIdLoader;

/// Loads themes by id.
pub type ThemeLoader = ByIdLoader<theme::Entity>;

/// A partner authority of a fiche.
#[derive(Debug)]
pub struct Partner {
    /// `FRENCH` or `FOREIGN`, as stored.
    pub side: String,
    /// The authority.
    pub authority: Arc<authority::Model>,
}

/// Loads the partners of a batch of fiches, with their authorities, in one statement.
pub struct PartnersLoader(pub DatabaseConnection);

impl Loader<i64> for PartnersLoader {
    type Value = Arc<[Partner]>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = queries::partner_authorities_of(&self.0, keys).await?;
        Ok(grouped(rows, |row| {
            (
                row.cooperation_id,
                Partner {
                    side: row.side,
                    authority: Arc::new(row.authority),
                },
            )
        }))
    }
}

/// Loads the themes of a batch of fiches, by label, in one statement.
pub struct ThemesLoader(pub DatabaseConnection);

impl Loader<i64> for ThemesLoader {
    type Value = Arc<[Arc<theme::Model>]>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let mut rows = queries::themes_of(&self.0, keys).await?;
        // Sorted here rather than in SQL, so that both databases order labels alike (byte
        // order); the sort is stable, so equal labels keep the statement's theme-id order.
        rows.sort_by(|left, right| {
            (left.cooperation_id, &left.theme.label)
                .cmp(&(right.cooperation_id, &right.theme.label))
        });
        Ok(grouped(rows, |row| {
            (row.cooperation_id, Arc::new(row.theme))
        }))
    }
}

/// Groups rows into one shared slice per fiche, each in the order the rows came.
fn grouped<R, T>(rows: Vec<R>, split: impl Fn(R) -> (i64, T)) -> HashMap<i64, Arc<[T]>> {
    let mut by_fiche: HashMap<i64, Vec<T>> = HashMap::new();
    for row in rows {
        let (fiche, item) = split(row);
        by_fiche.entry(fiche).or_default().push(item);
    }
    by_fiche
        .into_iter()
        .map(|(fiche, items)| (fiche, Arc::from(items)))
        .collect()
}
