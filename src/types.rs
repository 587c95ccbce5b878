//! Plain serde types that cross the wire between the server and the browser.
//! Database entities stay on the server; these are what both sides agree on.

use serde::{Deserialize, Serialize};

/// The author of a message, as the seed's `UserSerializer` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRef {
    pub id: i64,
    pub username: String,
}

/// A chat message, in the seed serializer's exact shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub id: i64,
    pub user: UserRef,
    pub content: String,
    /// RFC 3339 in UTC with a `Z`, microsecond precision.
    pub timestamp: String,
    /// `YYYY-MM-DD HH:MM:SS` in UTC.
    pub formatted_timestamp: String,
}

impl ChatMessage {
    /// `HH:MM` for the bubble header, cut from the formatted timestamp so the
    /// browser needs no date library.
    pub fn short_time(&self) -> &str {
        self.formatted_timestamp.get(11..16).unwrap_or("")
    }
}

/// Everything the chat window needs for its first render.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatPageData {
    /// The most recent retained messages, oldest first.
    pub messages: Vec<ChatMessage>,
    /// The signed-in user (the page needs a session).
    pub me: UserRef,
    /// The retention in words, e.g. "3 days".
    pub retention_text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(formatted: &str) -> ChatMessage {
        ChatMessage {
            id: 1,
            user: UserRef {
                id: 1,
                username: "alice".into(),
            },
            content: "hi".into(),
            timestamp: "2026-11-23T20:15:03.123456Z".into(),
            formatted_timestamp: formatted.into(),
        }
    }

    #[test]
    fn short_time_is_hours_and_minutes() {
        assert_eq!(message("2026-11-23 20:15:03").short_time(), "20:15");
        assert_eq!(message("garbled").short_time(), "");
    }

    #[test]
    fn serializes_in_the_seed_shape() {
        let json = serde_json::to_string(&message("2026-11-23 20:15:03")).expect("serializable");
        assert_eq!(
            json,
            r#"{"id":1,"user":{"id":1,"username":"alice"},"content":"hi","timestamp":"2026-11-23T20:15:03.123456Z","formatted_timestamp":"2026-11-23 20:15:03"}"#
        );
    }
}
