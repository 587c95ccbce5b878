//! Helpers shared by the integration tests.

#![allow(dead_code)]

pub mod databases;
pub mod http;
pub mod raw;
pub mod redis;
pub mod seed;
pub mod server;
pub mod tcp_proxy;
pub mod ws;
