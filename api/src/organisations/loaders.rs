//! Batch loading of organisations by id, for every relation that points at an organisation.

use entities::organisation;

use crate::storage::ByIdLoader;

/// Loads organisations by id, all the keys of a batch in one statement.
pub type OrganisationLoader = ByIdLoader<organisation::Entity>;
