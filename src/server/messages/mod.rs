//! Messages, everything about them on the server: what one may contain
//! (`rules`), how they are stored and read (`store`), sending one from any
//! door with its checks, retries and rate (`posting`), the one writer that
//! stores what queued together and publishes it in order (`writer`), the
//! newest ones kept in memory (`history`; the reads' query, `history_query`),
//! who a message mentions (`mentions`), how far each user has read
//! (`read_mark`), the chat page's history rows rendered once (`prepared`),
//! editing and deleting (`editing`), the REST endpoints (`rest`,
//! `submission`) and the chat page's server functions (`page`).

pub mod editing;
pub mod history;
pub mod history_query;
pub mod mentions;
pub mod page;
pub mod posting;
pub mod prepared;
pub mod read_mark;
pub mod rest;
pub mod rules;
pub mod store;
pub mod submission;
pub mod writer;
