//! One open websocket: catch-up, then live events out and messages in.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use axum::extract::ws::{close_code, CloseFrame, Message, Utf8Bytes, WebSocket};
use futures::stream::SplitSink;
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{mpsc, oneshot};

use super::handshake::MAX_FRAME_BYTES;
use super::hub::LiveEvent;
use crate::error::ChatError;
use crate::live_protocol::{ClientFrame, SeedFrame, ServerFrame, HEARTBEAT_SECS};
use crate::server::entities::user;
use crate::server::messages::Window;
use crate::server::metrics::Metrics;
use crate::server::posting::{self, Submission};
use crate::server::AppState;
use crate::types::{ChatMessage, UserRef};

/// Which frames the client speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// The seed's: `{"message": ...}` both ways, nothing else.
    Seed,
    /// chat98.v2: typed frames with acks, errors, presence and typing.
    V2,
}

/// A peer that has sent nothing (not even a pong) for this long is gone.
const IDLE_LIMIT: Duration = Duration::from_secs(2 * HEARTBEAT_SECS);
/// A send that cannot complete in this time means the peer stopped reading.
const SEND_PATIENCE: Duration = Duration::from_secs(10);
/// Typing notices from one connection are passed on at most this often.
const TYPING_EVERY: Duration = Duration::from_secs(2);
/// Catch-up reads the history in pages of this size.
const CATCH_UP_PAGE: u64 = 500;
/// Frames waiting for a slow reader; one more and it is disconnected (1013).
pub const QUEUE_PER_CONNECTION: usize = 256;
/// At most this many queued frames go out in one write.
const WRITE_BATCH: usize = 32;

type Sink = SplitSink<WebSocket, Message>;

/// A frame for the writer; live messages carry when they were stored.
/// Kept small: every connection's queue holds room for 32 of these at once.
struct Outgoing {
    frame: Message,
    delivery: Delivery,
}

/// Whether a frame delivers a message, and when that was stored, packed into
/// one word: 0 for other frames, 1 for a message sent during catch-up (no
/// latency to report), else microseconds since the Unix epoch.
#[derive(Clone, Copy)]
struct Delivery(u64);

impl Delivery {
    const NONE: Delivery = Delivery(0);
    const UNTIMED: Delivery = Delivery(1);

    fn stored_at(at: SystemTime) -> Delivery {
        let micros = at
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
        Delivery(micros.max(2))
    }

    fn is_message(self) -> bool {
        self.0 != 0
    }

    /// How long ago the message was stored, if known.
    fn latency(self) -> Option<Duration> {
        (self.0 > 1).then(|| {
            let at = SystemTime::UNIX_EPOCH + Duration::from_micros(self.0);
            SystemTime::now().duration_since(at).unwrap_or_default()
        })
    }
}

impl From<Message> for Outgoing {
    fn from(frame: Message) -> Self {
        Outgoing {
            frame,
            delivery: Delivery::NONE,
        }
    }
}

/// The connection's outgoing queue; a writer task empties it into the socket,
/// so a peer that stops reading fills its own queue and blocks no one.
struct Outbox(mpsc::Sender<Outgoing>);

impl Outbox {
    fn push(&self, message: impl Into<Outgoing>) -> Result<(), Close> {
        match self.0.try_send(message.into()) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => Err(Close(
                close_code::AGAIN,
                "too far behind; reconnect with after=",
            )),
            Err(TrySendError::Closed(_)) => Err(Close(close_code::ABNORMAL, "send failed")),
        }
    }

    /// Waits for room (catch-up paces itself to the reader, within patience).
    async fn push_waiting(&self, message: Outgoing) -> Result<(), Close> {
        match tokio::time::timeout(SEND_PATIENCE, self.0.send(message)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(Close(close_code::ABNORMAL, "send failed")),
            Err(_) => Err(Close(
                close_code::AGAIN,
                "too far behind; reconnect with after=",
            )),
        }
    }
}

/// Why a connection ended, and the close frame to send (if any).
struct Close(u16, &'static str);

pub async fn run(
    socket: WebSocket,
    state: AppState,
    author: user::Model,
    protocol: Protocol,
    after: Option<i64>,
) {
    let me: UserRef = (&author).into();
    // Join first: the others hear of us, we do not hear of ourselves. Then
    // subscribe, before the presence list and the catch-up are read, so that
    // nothing falls in between (what is in both is skipped by id, or is a
    // presence change that repeats what the list says).
    let connection = state.hub.join(me.clone());
    let mut events = state.hub.subscribe();
    let mut shutdown = state.hub.shutdown_signal();
    let (sink, mut stream) = socket.split();
    let (queue, queued) = mpsc::channel(QUEUE_PER_CONNECTION);
    let (close_now, close_requested) = oneshot::channel();
    let writer = tokio::spawn(write(sink, queued, close_requested, state.metrics.clone()));
    let outbox = Outbox(queue);
    tracing::info!(user = %me.username, ?protocol, ?after, "websocket opened");

    let outcome: Result<(), Close> = async {
        if protocol == Protocol::V2 {
            let users = state.hub.online();
            send(&outbox, &ServerFrame::Presence { users })?;
        }
        let mut last_sent = match after {
            // Boxed (here and for `receive`): an idle connection then holds
            // only the loop's state, not the largest of these futures.
            Some(after) => Box::pin(catch_up(&outbox, &state, protocol, after)).await?,
            None => 0,
        };
        let mut heartbeat = tokio::time::interval(Duration::from_secs(HEARTBEAT_SECS));
        heartbeat.tick().await;
        let mut last_heard = Instant::now();
        let mut last_typing: Option<Instant> = None;
        loop {
            tokio::select! {
                _ = shutdown.changed() => return Err(Close(close_code::AWAY, "server shutting down")),
                incoming = stream.next() => {
                    last_heard = Instant::now();
                    match incoming {
                        None | Some(Ok(Message::Close(_))) => return Ok(()),
                        Some(Err(e)) => return Err(read_failure(&e)),
                        Some(Ok(Message::Binary(_))) => {
                            return Err(Close(close_code::UNSUPPORTED, "binary frames are not supported"));
                        }
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                        Some(Ok(Message::Text(text))) => {
                            if text.len() > MAX_FRAME_BYTES {
                                return Err(Close(close_code::SIZE, "frame too large"));
                            }
                            let typing_due = last_typing.is_none_or(|t| t.elapsed() >= TYPING_EVERY);
                            let received = Box::pin(receive(&outbox, &state, &author, protocol, text.as_str(), typing_due));
                            match received.await? {
                                Received::Typing => last_typing = Some(Instant::now()),
                                Received::Other => {}
                            }
                        }
                    }
                }
                event = events.recv() => match event {
                    Ok(event) => deliver(&outbox, protocol, &me, event, &mut last_sent)?,
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(user = %me.username, missed, "websocket fell behind; disconnecting");
                        return Err(Close(close_code::AGAIN, "too far behind; reconnect with after="));
                    }
                    Err(RecvError::Closed) => return Err(Close(close_code::AWAY, "server shutting down")),
                },
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > IDLE_LIMIT {
                        return Err(Close(close_code::POLICY, "no answer to pings"));
                    }
                    outbox.push(Message::Ping(Default::default()))?;
                    if protocol == Protocol::V2 {
                        send(&outbox, &ServerFrame::Heartbeat)?;
                    }
                }
            }
        }
    }
    .await;

    let closing = match outcome {
        Err(Close(code, reason)) if code != close_code::ABNORMAL => {
            tracing::info!(user = %me.username, code, reason, "websocket closed");
            Some(CloseFrame {
                code,
                reason: Utf8Bytes::from_static(reason),
            })
        }
        Err(Close(_, reason)) => {
            tracing::info!(user = %me.username, reason, "websocket lost");
            None
        }
        Ok(()) => {
            tracing::info!(user = %me.username, "websocket closed by the client");
            None
        }
    };
    let _ = close_now.send(closing);
    drop(outbox);
    // The writer ends within its patience; presence ends with this function.
    let _ = writer.await;
    drop(connection);
}

/// Empties the queue into the socket. A close request jumps the queue: it
/// ends a send that is stuck on a peer that stopped reading.
async fn write(
    mut sink: Sink,
    mut queued: mpsc::Receiver<Outgoing>,
    mut close_requested: oneshot::Receiver<Option<CloseFrame>>,
    metrics: Arc<Metrics>,
) {
    let closing = loop {
        tokio::select! {
            biased;
            closing = &mut close_requested => break closing.ok().flatten(),
            next = queued.recv() => {
                let Some(first) = next else { break None };
                // Whatever else is queued goes out in the same write.
                let mut frames = vec![first.frame];
                let mut delivered = vec![first.delivery];
                while frames.len() < WRITE_BATCH {
                    let Ok(more) = queued.try_recv() else { break };
                    frames.push(more.frame);
                    delivered.push(more.delivery);
                }
                tokio::select! {
                    biased;
                    closing = &mut close_requested => break closing.ok().flatten(),
                    sent = tokio::time::timeout(SEND_PATIENCE, send_all(&mut sink, frames)) => {
                        if !matches!(sent, Ok(Ok(()))) {
                            // The peer is gone or not reading: nobody to close with.
                            return;
                        }
                        for delivery in delivered.into_iter().filter(|d| d.is_message()) {
                            metrics.message_delivered(delivery.latency());
                        }
                    }
                }
            }
        }
    };
    if let Some(frame) = closing {
        // Best effort: a peer that stopped reading may never take it.
        let _ = tokio::time::timeout(SEND_PATIENCE, sink.send(Message::Close(Some(frame)))).await;
    }
}

/// Writes `frames` with one flush.
async fn send_all(sink: &mut Sink, frames: Vec<Message>) -> Result<(), axum::Error> {
    for frame in frames {
        sink.feed(frame).await?;
    }
    sink.flush().await
}

/// Sends every retained message after `after`, oldest first; returns the last id sent.
async fn catch_up(
    outbox: &Outbox,
    state: &AppState,
    protocol: Protocol,
    after: i64,
) -> Result<i64, Close> {
    let mut cursor = after;
    loop {
        let cutoff = state.settings.retention_cutoff(chrono::Utc::now());
        let window = Window {
            after: Some(cursor),
            before: None,
            limit: CATCH_UP_PAGE,
        };
        let page = state
            .hub
            .history(&state.db, window, cutoff)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "catch-up query failed");
                Close(close_code::ERROR, "storage unavailable")
            })?;
        let full = page.len() as u64 == CATCH_UP_PAGE;
        for message in page {
            cursor = message.id;
            outbox
                .push_waiting(encode_message(protocol, message)?)
                .await?;
        }
        if !full {
            return Ok(cursor);
        }
    }
}

fn deliver(
    outbox: &Outbox,
    protocol: Protocol,
    me: &UserRef,
    event: LiveEvent,
    last_sent: &mut i64,
) -> Result<(), Close> {
    let frame = match event {
        LiveEvent::Message(published) => {
            // Already sent during catch-up.
            if published.message.id <= *last_sent {
                return Ok(());
            }
            *last_sent = published.message.id;
            let frame = published.frames.get(protocol, &published.message)?;
            return outbox.push(Outgoing {
                frame: Message::Text(frame),
                delivery: Delivery::stored_at(published.stored_at),
            });
        }
        _ if protocol == Protocol::Seed => return Ok(()),
        LiveEvent::Joined(user) => ServerFrame::Joined { user },
        LiveEvent::Left(user) => ServerFrame::Left { user },
        LiveEvent::Typing(user) if user.id == me.id => return Ok(()),
        LiveEvent::Typing(user) => ServerFrame::Typing { user },
    };
    send(outbox, &frame)
}

/// A published message's frame in each protocol, encoded once for every
/// connection that speaks it (rather than once per connection).
#[derive(Debug, Default)]
pub struct EncodedFrames([std::sync::OnceLock<Utf8Bytes>; 2]);

impl EncodedFrames {
    fn get(&self, protocol: Protocol, message: &ChatMessage) -> Result<Utf8Bytes, Close> {
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
fn encode_message(protocol: Protocol, message: ChatMessage) -> Result<Outgoing, Close> {
    let frame = match protocol {
        Protocol::Seed => encode(&SeedFrame { message })?,
        Protocol::V2 => encode(&ServerFrame::Message { message })?,
    };
    Ok(Outgoing {
        frame,
        delivery: Delivery::UNTIMED,
    })
}

enum Received {
    Typing,
    Other,
}

/// Handles one text frame from the client.
async fn receive(
    outbox: &Outbox,
    state: &AppState,
    author: &user::Model,
    protocol: Protocol,
    text: &str,
    typing_due: bool,
) -> Result<Received, Close> {
    let (submission, client_id) = match protocol {
        Protocol::Seed => match read_seed(text) {
            Some(submission) => {
                let client_id = submission.client_id.clone();
                (submission, client_id)
            }
            None => {
                // The seed client cannot read an error frame: log and drop.
                tracing::info!(user = %author.username, "dropped an unreadable websocket frame");
                return Ok(Received::Other);
            }
        },
        Protocol::V2 => match serde_json::from_str::<ClientFrame>(text) {
            Ok(ClientFrame::Typing) => {
                if typing_due {
                    state.typing(author.into());
                    return Ok(Received::Typing);
                }
                return Ok(Received::Other);
            }
            Ok(ClientFrame::Message { content, client_id }) => (
                Submission {
                    content,
                    client_id: client_id.clone(),
                },
                client_id,
            ),
            Err(e) => {
                let error = ChatError::new(
                    crate::error::ErrorCode::Invalid,
                    format!("The frame could not be read: {e}"),
                );
                send(outbox, &error_frame(None, error))?;
                return Ok(Received::Other);
            }
        },
    };
    match posting::post(state, author, &submission).await {
        Ok(posted) if protocol == Protocol::V2 => {
            let ack = ServerFrame::Ack {
                client_id,
                message: posted.message,
            };
            send(outbox, &ack)?;
        }
        Ok(_) => {}
        Err(error) if protocol == Protocol::V2 => {
            send(outbox, &error_frame(client_id, error))?;
        }
        Err(error) => {
            tracing::info!(user = %author.username, error = %error, "dropped a refused websocket message");
        }
    }
    Ok(Received::Other)
}

/// `{"message": "text", "client_id"?: "..."}`; any `user_id` is ignored.
fn read_seed(text: &str) -> Option<Submission> {
    let Ok(Value::Object(object)) = serde_json::from_str::<Value>(text) else {
        return None;
    };
    let content = object.get("message")?.as_str()?.to_owned();
    let client_id = object
        .get("client_id")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Some(Submission {
        content: Some(content),
        client_id,
    })
}

fn error_frame(client_id: Option<String>, error: ChatError) -> ServerFrame {
    let detail = match error.fields.values().flatten().next() {
        Some(first) if !error.fields.is_empty() => first.clone(),
        _ => error.error,
    };
    ServerFrame::Error {
        client_id,
        detail,
        fields: error.fields,
        retry_after: error.retry_after,
    }
}

/// Why reading failed: a frame over the limit gets 1009, anything else 1002.
fn read_failure(e: &axum::Error) -> Close {
    let text = e.to_string();
    if text.contains("too long") || text.contains("Space limit") {
        Close(close_code::SIZE, "frame too large")
    } else {
        Close(close_code::PROTOCOL, "unreadable frame")
    }
}

fn send<T: serde::Serialize>(outbox: &Outbox, frame: &T) -> Result<(), Close> {
    outbox.push(encode(frame)?)
}

fn encode<T: serde::Serialize>(frame: &T) -> Result<Message, Close> {
    serde_json::to_string(frame)
        .map(Message::text)
        .map_err(|_| Close(close_code::ERROR, "encoding failed"))
}
