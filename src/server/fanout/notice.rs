//! What processes tell each other over the Redis channel. Storage stays the
//! source of truth: a notice only says that something happened.

use serde::{Deserialize, Serialize};

use crate::types::{ChatMessage, UserRef};

/// A notice with the process that sent it (a process ignores its own).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub origin: String,
    #[serde(flatten)]
    pub notice: Notice,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Notice {
    /// A message was stored; `previous` is the id stored just before it, so
    /// a process that has not published that one yet reads it from storage.
    Message { message: ChatMessage, previous: i64 },
    /// Someone is typing.
    Typing { user: UserRef },
    /// A process's set of connected users changed: read presence again.
    Presence,
    /// A process could not publish for a while: read storage again.
    Resync,
}

impl Envelope {
    pub fn encode(&self) -> String {
        // Plain data: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn decode(text: &str) -> Option<Envelope> {
        serde_json::from_str(text).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_round_trip_with_their_origin() {
        let user = UserRef {
            id: 7,
            username: "ann".into(),
        };
        let envelope = Envelope {
            origin: "p1".into(),
            notice: Notice::Typing { user },
        };
        let text = envelope.encode();
        assert!(text.contains(r#""type":"typing""#), "{text}");
        assert_eq!(Envelope::decode(&text), Some(envelope));
        assert_eq!(Envelope::decode("{\"origin\":\"p\"}"), None);
    }
}
