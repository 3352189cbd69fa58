//! Batch loading for the directory: each fiche's partners and themes, themes by id.
//!
//! A fiche's partners, with their authorities, and its themes each come from one loader,
//! handed out as shared slices: a page of the directory asks for them about 150 times, and a
//! loader clones its value for every request (see ARCHITECTURE.md, "Performance").

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use entities::{authority, theme};
use sea_orm::{DatabaseConnection, DbErr, IntoActiveModel};

use super::queries;
use crate::storage::{self, ByIdLoader, Keyed};

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

/// Loads the partners of a batch of fiches with their authorities: the links, then the
/// authorities by id (two statements; a join made PostgreSQL hash the whole authorities
/// table for every batch, at half the rate of the two).
pub struct PartnersLoader(pub DatabaseConnection);

impl Loader<i64> for PartnersLoader {
    type Value = Arc<[Partner]>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let links = queries::partners_of(&self.0, keys).await?;
        let authorities =
            shared::<authority::Entity>(&self.0, links.iter().map(|link| link.authority_id))
                .await?;
        Ok(grouped(links, |link| {
            let authority = authorities.get(&link.authority_id)?;
            Some((
                link.cooperation_id,
                Partner {
                    side: link.side,
                    authority: Arc::clone(authority),
                },
            ))
        }))
    }
}

/// Loads the themes of a batch of fiches, by label: the links, then the themes by id.
pub struct ThemesLoader(pub DatabaseConnection);

impl Loader<i64> for ThemesLoader {
    type Value = Arc<[Arc<theme::Model>]>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let mut links = queries::theme_ids_of(&self.0, keys).await?;
        let themes =
            shared::<theme::Entity>(&self.0, links.iter().map(|link| link.theme_id)).await?;
        // By label in byte order, on both databases alike; equal labels by theme id. Each
        // link's key is looked up once, not at every comparison.
        links.sort_by_cached_key(|link| {
            let theme = themes.get(&link.theme_id);
            theme.map(|theme| (theme.label.as_str(), link.theme_id))
        });
        Ok(grouped(links, |link| {
            Some((link.cooperation_id, Arc::clone(themes.get(&link.theme_id)?)))
        }))
    }
}

/// The rows of `E` with these ids (each read once), shared, by id.
async fn shared<E: Keyed>(
    db: &DatabaseConnection,
    ids: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, Arc<E::Model>>, DbErr>
where
    E::Model: IntoActiveModel<E::ActiveModel>,
{
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    let rows = storage::find_many::<E>(db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| (E::id(&row), Arc::new(row)))
        .collect())
}

/// Groups rows into one shared slice per fiche, each in the order the rows came; a row
/// `split` gives nothing for (a link whose row is gone) is skipped.
fn grouped<R, T>(rows: Vec<R>, split: impl Fn(R) -> Option<(i64, T)>) -> HashMap<i64, Arc<[T]>> {
    let mut by_fiche: HashMap<i64, Vec<T>> = HashMap::new();
    for (fiche, item) in rows.into_iter().filter_map(split) {
        by_fiche.entry(fiche).or_default().push(item);
    }
    by_fiche
        .into_iter()
        .map(|(fiche, items)| (fiche, Arc::from(items)))
        .collect()
}
