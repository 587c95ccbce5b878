//! What goes over an open websocket, and how it is encoded: the protocols,
//! the queued outgoing frames, the close codes, and each published message's
//! frames encoded once for every connection.

use std::time::{Duration, SystemTime};

use axum::extract::ws::{close_code, Message, Utf8Bytes};

use crate::live_protocol::{close as app_close, SeedFrame, ServerFrame};
use crate::types::ChatMessage;

/// The largest frame a client may send.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// Which frames the client speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// The seed's: `{"message": ...}` both ways, nothing else.
    Seed,
    /// chat98.v2: typed frames with acks, errors, presence and typing.
    V2,
}

/// Why a connection ends, and the close frame to send (code and reason).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Close(pub u16, pub &'static str);

impl Close {
    /// The reader fell a whole queue behind: it reconnects with `after=`.
    pub const BEHIND: Close = Close(close_code::AGAIN, "too far behind; reconnect with after=");
    pub const SHUTTING_DOWN: Close = Close(close_code::AWAY, "server shutting down");
    /// The socket's session ended (sign-out, sign-in elsewhere in the same
    /// browser, expiry): the page goes to the sign-in page.
    pub const SIGNED_OUT: Close = Close(app_close::SESSION_ENDED, "session ended; sign in again");
    /// Writing failed: the peer is gone, there is nobody to close with.
    pub const LOST: Close = Close(close_code::ABNORMAL, "send failed");
}

/// A frame for the connection's writer. Kept small: every connection's queue
/// holds room for many of these at once.
pub struct Outgoing {
    pub frame: Message,
    pub delivery: Delivery,
}

impl From<Message> for Outgoing {
    fn from(frame: Message) -> Self {
        Outgoing {
            frame,
            delivery: Delivery::NONE,
        }
    }
}

/// Whether a frame delivers a message, and when that was stored, packed into
/// one word: 0 for other frames, 1 for a message sent during catch-up (no
/// latency to report), else microseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivery(u64);

impl Delivery {
    pub const NONE: Delivery = Delivery(0);
    pub const UNTIMED: Delivery = Delivery(1);

    pub fn stored_at(at: SystemTime) -> Delivery {
        let micros = at
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
        Delivery(micros.max(2))
    }

    pub fn is_message(self) -> bool {
        self.0 != 0
    }

    /// How long ago the message was stored, if known.
    pub fn latency(self) -> Option<Duration> {
        (self.0 > 1).then(|| {
            let at = SystemTime::UNIX_EPOCH + Duration::from_micros(self.0);
            SystemTime::now().duration_since(at).unwrap_or_default()
        })
    }
}

/// A published message's frame in each protocol, encoded once for every
/// connection that speaks it (rather than once per connection).
#[derive(Debug, Default)]
pub struct EncodedFrames([std::sync::OnceLock<Utf8Bytes>; 2]);

impl EncodedFrames {
    pub fn get(&self, protocol: Protocol, message: &ChatMessage) -> Result<Utf8Bytes, Close> {
        let cell = &self.0[protocol as usize];
        if let Some(frame) = cell.get() {
            return Ok(frame.clone());
        }
        let Message::Text(frame) = encode_message(protocol, message.clone())?.frame else {
            return Err(Close(close_code::ERROR, "could not encode a message"));
        };
        Ok(cell.get_or_init(|| frame).clone())
    }
}

/// A message frame sent during catch-up.
pub fn encode_message(protocol: Protocol, message: ChatMessage) -> Result<Outgoing, Close> {
    let frame = match protocol {
        Protocol::Seed => encode(&SeedFrame { message })?,
        Protocol::V2 => encode(&ServerFrame::Message { message })?,
    };
    Ok(Outgoing {
        frame,
        delivery: Delivery::UNTIMED,
    })
}

pub fn encode<T: serde::Serialize>(frame: &T) -> Result<Message, Close> {
    serde_json::to_string(frame)
        .map(Message::text)
        .map_err(|_| Close(close_code::ERROR, "encoding failed"))
}

/// A stored message on its way to the connections.
#[derive(Debug)]
pub struct Published {
    pub message: ChatMessage,
    /// When it was stored, for the delivery latency metric.
    pub stored_at: SystemTime,
    /// Its frames, once a connection has encoded them.
    pub frames: EncodedFrames,
}

impl Published {
    pub fn new(message: ChatMessage) -> Self {
        Published {
            stored_at: crate::server::messages::store::stored_at(&message),
            message,
            frames: EncodedFrames::default(),
        }
    }
}
