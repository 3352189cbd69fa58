//! Datasets: the demo dataset, built from the minutes of the Mexico country group meeting of
//! 26 March 2014 (`shared/seed/`), loaded through the domain functions, so that it obeys every
//! rule user input does; and the synthetic dataset for benchmarks, generated in bulk. Each is
//! loaded only into an empty database, never over existing data.

mod demo;
mod expertise;
mod meetings;
pub mod synthetic;

use entities::{authority, organisation, person, user};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

/// Whether the database holds no authority, organisation, person or user.
pub async fn is_empty(db: &DatabaseConnection) -> anyhow::Result<bool> {
    let rows = authority::Entity::find().count(db).await?
        + organisation::Entity::find().count(db).await?
        + person::Entity::find().count(db).await?
        + user::Entity::find().count(db).await?;
    Ok(rows == 0)
}

pub use demo::demo_users;

/// Loads the demo dataset if the database holds no authority, organisation or person;
/// whether it did.
pub async fn load_demo_if_empty(db: &DatabaseConnection) -> anyhow::Result<bool> {
    let existing = authority::Entity::find().count(db).await?
        + organisation::Entity::find().count(db).await?
        + person::Entity::find().count(db).await?;
    if existing > 0 {
        return Ok(false);
    }
    demo::load(db).await?;
    Ok(true)
}

/// Loads the synthetic dataset at `scale` if the database holds no authority, organisation,
/// person or user; what it wrote, or `None` when the database was not empty.
pub async fn load_synthetic_if_empty(
    db: &DatabaseConnection,
    scale: synthetic::Scale,
) -> anyhow::Result<Option<synthetic::Report>> {
    if !is_empty(db).await? {
        return Ok(None);
    }
    Ok(Some(synthetic::load(db, scale).await?))
}
