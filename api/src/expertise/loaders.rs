//! Batch loading for expertise and vetting: an authority's entries, an entry's cited fiches,
//! a consultant's recommendations and a recommendation's themes, each a batch of parents in
//! one statement.

use entities::{
    consultant_recommendation, consultant_recommendation_theme, expertise, expertise_cooperation,
};

use crate::storage::{ByIdLoader, ChildrenLoader};

/// Loads the entries of a batch of authorities, by title.
pub type ExpertiseByAuthorityLoader = ChildrenLoader<expertise::Entity>;
/// Loads the fiche links of a batch of entries.
pub type CitedCooperationsLoader = ChildrenLoader<expertise_cooperation::Entity>;
/// Loads the recommendations of a batch of consultants, oldest first.
pub type RecommendationsLoader = ChildrenLoader<consultant_recommendation::Entity>;
/// Loads the theme links of a batch of recommendations.
pub type RecommendationThemesLoader = ChildrenLoader<consultant_recommendation_theme::Entity>;
/// Loads entries by id.
pub type ExpertiseLoader = ByIdLoader<expertise::Entity>;
/// Loads recommendations by id.
pub type RecommendationLoader = ByIdLoader<consultant_recommendation::Entity>;
