//! sea-orm entities, one module per table. Storage only: no business rules, no GraphQL.
//! Enumerations are stored as their SCREAMING_CASE names in text columns; the `api` crate
//! parses them into its domain types.

pub mod action_funding;
pub mod affiliation;
pub mod agenda_item;
pub mod api_key;
pub mod api_key_operation;
pub mod audit_entry;
pub mod authority;
pub mod consultant_recommendation;
pub mod consultant_recommendation_theme;
pub mod cooperation;
pub mod cooperation_partner;
pub mod cooperation_theme;
pub mod cost_item;
pub mod cost_share;
pub mod country_group;
pub mod decision;
pub mod document;
pub mod document_author;
pub mod document_milestone;
pub mod document_version;
pub mod event;
pub mod event_participant;
pub mod expertise;
pub mod expertise_cooperation;
pub mod follow_up;
pub mod group_membership;
pub mod organisation;
pub mod outbox;
pub mod person;
pub mod programme;
pub mod programme_action;
pub mod programme_milestone;
pub mod programme_partner;
pub mod session;
pub mod theme;
pub mod user;
