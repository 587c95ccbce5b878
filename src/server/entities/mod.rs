//! sea-orm entities. They mirror the tables created by the `migration` crate.

pub mod message;
pub mod session;
pub mod user;
