//! The frames of `WS /ws/chat/`, shared by the server and the browser.
//!
//! Two protocols share the endpoint. The seed's (the default) sends
//! `{"message": <message>}` and reads `{"message": "text"}`. chat98's own,
//! chosen with the `chat98.v2` subprotocol, tags every frame with a `type`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::types::{ChatMessage, UserRef};

/// The subprotocol our page asks for.
pub const SUBPROTOCOL: &str = "chat98.v2";

/// How often the server proves it is alive on an idle chat98.v2 socket (the
/// browser cannot see websocket pings); a client that hears nothing for two
/// of these periods reconnects.
pub const HEARTBEAT_SECS: u64 = 30;

/// Close codes of chat98's own (the 4000–4999 range is the application's).
pub mod close {
    /// The session the socket was opened with ended: signed out (here or in
    /// another tab), replaced by signing in again, or expired. The page goes
    /// to the sign-in page; reconnecting would be refused anyway.
    pub const SESSION_ENDED: u16 = 4001;
    /// The user was banned: the close reason is the sentence to show
    /// ("You have been banned from this chat room until …"); the page shows
    /// it in a message box and does not reconnect.
    pub const BANNED: u16 = 4003;
}

/// Server → client, chat98.v2.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// A stored message, sent to everyone (its sender too), in id order.
    Message { message: ChatMessage },
    /// The sender's message under `client_id` is stored as `message`.
    Ack {
        client_id: Option<String>,
        message: ChatMessage,
    },
    /// A frame of the client's was refused; nothing was stored.
    Error {
        client_id: Option<String>,
        /// A sentence for people.
        detail: String,
        /// Messages per field, like the REST API's 400 body.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        fields: BTreeMap<String, Vec<String>>,
        /// Seconds to wait when sending too fast.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
    /// Everyone online, on connect.
    Presence { users: Vec<UserRef> },
    /// A user's first tab connected.
    Joined { user: UserRef },
    /// A user's last tab disconnected.
    Left { user: UserRef },
    /// Someone else is composing a message.
    Typing { user: UserRef },
    /// A message shown before was edited: `message` is its new state.
    /// Sent in order with new messages.
    Edited { message: ChatMessage },
    /// Message `id` was deleted (by its author or a moderator).
    Deleted { id: i64 },
    /// Nothing happened for a while; the connection is alive.
    Heartbeat,
    /// Sent before a catch-up (`?after=`) that had more to send than one
    /// page: the messages after `after` and before `before` were skipped.
    /// The client shows what follows and reads older pages over REST
    /// (`GET /api/chat/messages/?before=<before>`).
    Gap { after: i64, before: i64 },
}

/// Client → server, chat98.v2.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    Message {
        #[serde(default)]
        content: Option<String>,
        #[serde(default)]
        client_id: Option<String>,
    },
    /// Sent at most every few seconds while the user types.
    Typing,
}

/// Server → client, the seed's protocol.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeedFrame {
    pub message: ChatMessage,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_carry_their_type() {
        let user = UserRef {
            id: 1,
            username: "a".into(),
        };
        let json = serde_json::to_string(&ServerFrame::Typing { user }).unwrap();
        assert_eq!(json, r#"{"type":"typing","user":{"id":1,"username":"a"}}"#);
        assert_eq!(
            serde_json::to_string(&ServerFrame::Heartbeat).unwrap(),
            r#"{"type":"heartbeat"}"#
        );
        let frame: ClientFrame =
            serde_json::from_str(r#"{"type":"message","content":"hi","client_id":"c"}"#).unwrap();
        assert_eq!(
            frame,
            ClientFrame::Message {
                content: Some("hi".into()),
                client_id: Some("c".into())
            }
        );
    }
}
