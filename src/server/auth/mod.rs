//! Accounts and sessions: who is signed in is a server-side fact.

pub mod handlers;
pub mod password;
pub mod rules;
pub mod session;
pub mod session_store;
pub mod session_watch;
pub mod signed_in;
pub mod throttle;
