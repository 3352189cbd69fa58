//! Batch loading of authorities by id, for every relation that points at an authority.

use entities::authority;

use crate::storage::ByIdLoader;

/// Loads authorities by id, all the keys of a batch in one statement.
pub type AuthorityLoader = ByIdLoader<authority::Entity>;
