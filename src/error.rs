//! Errors that reach the user. Shared by both sides so the browser can show
//! the same clear message the server meant.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ChatError {
    /// The database could not answer; the details are in the server log.
    #[error("The chat room's storage is unavailable right now. Please try again in a moment.")]
    StorageUnavailable,
    /// The request did not reach the server or its answer could not be read.
    #[error("Could not reach the chat server: {0}")]
    Transport(String),
}

impl FromServerFnError for ChatError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        ChatError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for ChatError {
    fn from(e: sea_orm::DbErr) -> Self {
        tracing::error!(error = %e, "database error");
        ChatError::StorageUnavailable
    }
}
