//! Server-only code: configuration, database, queries and the HTTP server.
//! Compiled with the `ssr` feature only, so none of it reaches the WASM bundle.

pub mod auth;
pub mod cli;
pub mod db;
pub mod entities;
pub mod fanout;
pub mod http;
pub mod limits;
pub mod live;
pub mod messages;
pub mod metrics;
pub mod moderation;
pub mod ops;
pub mod preferences;
pub mod redis_link;
pub mod rest;
pub mod retention;
pub mod serve;
pub mod settings;
pub mod startup;
pub mod state;
pub mod users;

pub use state::AppState;
