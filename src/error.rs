//! The one error type that reaches users and API clients. Shared by both sides
//! so the browser shows the same clear message the server meant; serialized as
//! `{"error": "...", "code": "...", "fields": {"username": ["..."]}}`.

use std::collections::BTreeMap;
use std::time::Duration;

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What went wrong, for programs; each maps to one HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    /// Not allowed: someone else's message, past the edit window, not a
    /// moderator, sign-up closed or a wrong invite code (403).
    Forbidden,
    /// The account is banned; the sentence says until when (403).
    Banned,
    /// No such message (or user), or it expired (404).
    NotFound,
    /// The username exists already, in some letter case (409).
    UsernameTaken,
    /// The request body is too large (413).
    TooLarge,
    /// Too many attempts; see `retry_after` (429).
    Throttled,
    /// Storage is down (503).
    Unavailable,
    /// The server is too busy for this now; see `retry_after` (503).
    Busy,
    /// The request could not be sent or its answer read (client side).
    Transport,
}

impl ErrorCode {
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::Invalid | ErrorCode::Transport => 400,
            ErrorCode::NotSignedIn | ErrorCode::BadCredentials => 401,
            ErrorCode::CrossSite | ErrorCode::Forbidden | ErrorCode::Banned => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::UsernameTaken => 409,
            ErrorCode::TooLarge => 413,
            ErrorCode::Throttled => 429,
            ErrorCode::Unavailable | ErrorCode::Busy => 503,
        }
    }
}

/// The JSON error of the server functions (`/api/auth/*`, `/api/chat/send`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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

    pub fn forbidden(sentence: impl Into<String>) -> Self {
        ChatError::new(ErrorCode::Forbidden, sentence)
    }

    pub fn not_found(sentence: impl Into<String>) -> Self {
        ChatError::new(ErrorCode::NotFound, sentence)
    }

    /// Every password check is busy: try again in a moment.
    pub fn busy() -> Self {
        ChatError {
            retry_after: Some(1),
            ..ChatError::new(
                ErrorCode::Busy,
                "The server is busy checking passwords. Please try again in a moment.",
            )
        }
    }

    /// Too many sign-in or sign-up attempts; try again after `wait`.
    pub fn throttled(wait: Duration) -> Self {
        ChatError::retry_later(
            wait,
            "Too many attempts. Please wait {} before trying again.",
        )
    }

    /// The sender used up their burst of messages; the next fits after `wait`.
    pub fn sending_too_fast(wait: Duration) -> Self {
        ChatError::retry_later(
            wait,
            "You are sending messages too fast. Please wait {} before sending another.",
        )
    }

    fn retry_later(wait: Duration, sentence: &str) -> Self {
        // Whole seconds, rounded up: retrying at the stated time must work.
        let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
        ChatError {
            retry_after: Some(secs),
            ..ChatError::new(
                ErrorCode::Throttled,
                sentence.replace("{}", &seconds_in_words(secs)),
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
        let unreadable = matches!(
            value,
            ServerFnErrorErr::Args(_)
                | ServerFnErrorErr::Deserialization(_)
                | ServerFnErrorErr::MissingArg(_)
        );
        if unreadable && cfg!(feature = "ssr") {
            // On the server: the request's fields could not be read (400).
            return ChatError::new(
                ErrorCode::Invalid,
                "The request was not understood. Please check the form and try again.",
            );
        }
        let message = if unreadable {
            // In the browser: the answer could not be read.
            "The chat server's answer could not be read. Please try again.".to_string()
        } else {
            format!("Could not reach the chat server: {value}")
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
        let e = ChatError::throttled(Duration::from_millis(298_001));
        assert_eq!(e.retry_after, Some(299));
        assert!(e.error.contains("5 minutes"), "{}", e.error);
        assert_eq!(e.code.status(), 429);
        let e = ChatError::sending_too_fast(Duration::from_millis(200));
        assert_eq!(e.retry_after, Some(1));
        assert!(e.error.contains("wait 1 second before"), "{}", e.error);
    }
}
