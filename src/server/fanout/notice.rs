//! What processes tell each other over the Redis channel. Storage stays the
//! source of truth: a notice only says that something happened, and carries
//! ids only. Whoever can write to Redis can make processes look things up
//! (or stay silent), never make them show a message or a name that storage
//! does not hold.

use serde::{Deserialize, Serialize};

/// The most message ids one `deleted` notice names (a purge sends several).
pub const MAX_DELETED: usize = 500;

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
    /// Message `id` was stored: each process publishes what storage holds up
    /// to it that it has not published yet.
    Message { id: i64 },
    /// Message `id` was edited: each process reads it from storage and, if
    /// it published it before, passes its new state on.
    Edited { id: i64 },
    /// Messages `ids` were deleted: each process passes on those storage
    /// no longer holds (at most [`MAX_DELETED`] are looked at).
    Deleted { ids: Vec<i64> },
    /// User `user`'s role or ban changed: read them from storage again.
    UserChanged { user: i64 },
    /// User `user` is typing (their name is read from storage).
    Typing { user: i64 },
    /// A session of user `user` ended (signed out, replaced, banned): each
    /// process looks up the sessions of that user's sockets in storage.
    /// It also makes each process read the user again (a ban).
    SessionsEnded { user: i64 },
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
        let envelope = Envelope {
            origin: "p1".into(),
            notice: Notice::Typing { user: 7 },
        };
        let text = envelope.encode();
        assert_eq!(text, r#"{"origin":"p1","type":"typing","user":7}"#);
        assert_eq!(Envelope::decode(&text), Some(envelope));
        assert_eq!(Envelope::decode("{\"origin\":\"p\"}"), None);
        // The notices of a process that still sends whole messages are refused.
        let old = r#"{"origin":"p","type":"message","message":{"id":1},"previous":0}"#;
        assert_eq!(Envelope::decode(old), None);
    }
}
