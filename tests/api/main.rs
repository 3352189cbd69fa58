//! The integration tests: the real server, started on port 0 against a fresh database, driven
//! over HTTP as a client would. `CUF_TEST_DATABASE_URL=postgres://…` runs them on
//! PostgreSQL (each test in a new database); without it they run on SQLite.

#![allow(clippy::unwrap_used)] // A failing unwrap is a failing test, with its line.

mod access;
mod authorities;
mod demo;
mod directory;
mod documents;
mod errors;
mod events;
mod expertise;
mod fuzz;
mod helpers;
mod http;
mod indexes;
mod limits;
mod nodes;
mod opendata;
mod organisations;
mod people;
mod persisted;
mod playground;
mod programmes;
mod reminders;
mod resilience;
mod roles;
mod schema;
mod statements;
mod subscriptions;
mod wire;
