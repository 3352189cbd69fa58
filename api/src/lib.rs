//! The CUF Cooperation API as a library: `startup` builds the HTTP application from
//! `Settings`, so that `main` and the integration tests run the same server.

pub mod access;
pub mod audit;
pub mod authorities;
pub mod context;
pub mod db;
pub mod directory;
pub mod documents;
pub mod error;
pub mod events;
pub mod expertise;
pub mod files;
pub mod flat;
pub mod groups;
pub mod http;
pub mod ids;
pub mod limits;
pub mod live;
pub mod metrics;
pub mod money;
pub mod mutation;
pub mod node;
pub mod opendata;
pub mod organisations;
pub mod outbox;
pub mod pagination;
pub mod people;
pub mod programmes;
pub mod schema;
pub mod seed;
pub mod settings;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub mod text;
pub mod values;
