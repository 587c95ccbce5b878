//! Helpers shared by the integration tests.

#![allow(dead_code)]

pub mod databases;
pub mod http;
pub mod server;
pub mod ws;
