//! The integration tests, in one binary (one link of the whole crate rather
//! than one per file). Each module starts the real `chat98` binary, or opens
//! a real SQLite file or PostgreSQL schema, through `support`.

mod support;

mod accounts;
mod chat_page;
mod composer_form;
mod config_agreement;
mod editing;
mod http_bounds;
mod live_delivery;
mod mentions;
mod message_queries;
mod messages_api;
mod moderation;
mod operations;
mod preferences;
mod retention;
mod retention_sweep;
mod scale_out;
mod session_ending;
mod shared_limits;
mod socket_bounds;
mod sqlite_checkpoints;
mod throttles;
