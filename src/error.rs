//! The one error type that reaches users and API clients. Shared by both sides
//! so the browser shows the same clear message the server meant; serialized as
//! `{"error": "...", "code": "...", "fields": {"username": ["..."]}}`.

use std::collections::BTreeMap;

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What went wrong, for programs; each maps to one HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Some fields are invalid (400).
    Invalid,
    /// Sign-in is required (401).
    NotSignedIn,
    /// Wrong username or password (401).
    BadCredentials,
    /// A cross-site request was refused (403).
    CrossSite,
    /// The username exists already, in some letter case (409).
    UsernameTaken,
    /// Too many attempts; see `retry_after` (429).
    Throttled,
    /// Storage is down (503).
    Unavailable,
    /// The request could not be sent or its answer read (client side).
    Transport,
}

impl ErrorCode {
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::Invalid | ErrorCode::Transport => 400,
            ErrorCode::NotSignedIn | ErrorCode::BadCredentials => 401,
            ErrorCode::CrossSite => 403,
            ErrorCode::UsernameTaken => 409,
            ErrorCode::Throttled => 429,
            ErrorCode::Unavailable => 503,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{error}")]
pub struct ChatError {
    /// A sentence for people.
    pub error: String,
    pub code: ErrorCode,
    /// Messages per form field, for inline display.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, Vec<String>>,
    /// Seconds until a throttled request may be tried again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl ChatError {
    pub fn new(code: ErrorCode, error: impl Into<String>) -> Self {
        ChatError {
            error: error.into(),
            code,
            fields: BTreeMap::new(),
            retry_after: None,
        }
    }

    /// A validation failure with one message per offending field.
    pub fn invalid(fields: BTreeMap<String, Vec<String>>) -> Self {
        ChatError {
            fields,
            ..ChatError::new(ErrorCode::Invalid, "Please correct the highlighted fields.")
        }
    }

    pub fn not_signed_in() -> Self {
        ChatError::new(
            ErrorCode::NotSignedIn,
            "Authentication credentials were not provided.",
        )
    }

    pub fn unavailable() -> Self {
        ChatError::new(
            ErrorCode::Unavailable,
            "The chat room's storage is unavailable right now. Please try again in a moment.",
        )
    }

    pub fn throttled(retry_after_secs: u64) -> Self {
        ChatError {
            retry_after: Some(retry_after_secs.max(1)),
            ..ChatError::new(
                ErrorCode::Throttled,
                format!(
                    "Too many attempts. Please wait {} before trying again.",
                    seconds_in_words(retry_after_secs.max(1))
                ),
            )
        }
    }

    /// The messages for one form field (empty if it is fine).
    pub fn field(&self, name: &str) -> Vec<String> {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

fn seconds_in_words(secs: u64) -> String {
    match secs {
        1 => "1 second".into(),
        s if s < 120 => format!("{s} seconds"),
        s => format!("{} minutes", s.div_ceil(60)),
    }
}

impl FromServerFnError for ChatError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let message = match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_) => {
                "The request was not understood. Please check the form and try again.".to_string()
            }
            other => format!("Could not reach the chat server: {other}"),
        };
        ChatError::new(ErrorCode::Transport, message)
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for ChatError {
    fn from(e: sea_orm::DbErr) -> Self {
        tracing::error!(error = %e, "database error");
        ChatError::unavailable()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_error_code_and_fields() {
        let mut fields = BTreeMap::new();
        fields.insert("username".to_string(), vec!["Too short.".to_string()]);
        let json = serde_json::to_value(ChatError::invalid(fields)).unwrap();
        assert_eq!(json["code"], "invalid");
        assert_eq!(json["fields"]["username"][0], "Too short.");
        assert!(json["error"].as_str().unwrap().len() > 10);
        assert!(json.get("retry_after").is_none());
    }

    #[test]
    fn throttling_says_how_long_to_wait() {
        let e = ChatError::throttled(299);
        assert_eq!(e.retry_after, Some(299));
        assert!(e.error.contains("5 minutes"), "{}", e.error);
        assert_eq!(e.code.status(), 429);
    }
}
