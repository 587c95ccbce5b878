//! A connection's writer: the one task that writes to its socket. It sends
//! the presence list and the catch-up first, then, as they come, the room's
//! live events and the frames the connection's reader queues (acks, errors,
//! pings), with whatever else is ready in the same flush.
//!
//! Live events come to the writer straight from the hub, not through the
//! reader: a delivery wakes one task, not two (BENCHMARKS.md, "Session 13").
//! A peer that stops reading stalls its own writer only: it is dropped when
//! a write outlasts the patience, or closed with 1013 once its writer has
//! fallen more than the hub's backlog ([`super::hub::BROADCAST_BACKLOG`])
//! behind.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{close_code, CloseFrame, Message, Utf8Bytes};
use futures::{Sink, SinkExt};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::{broadcast, mpsc, oneshot};

use super::frames::{encode, encode_message, Close, Delivery, Outgoing, Protocol};
use super::hub::LiveEvent;
use crate::live_protocol::ServerFrame;
use crate::server::messages::store::Window;
use crate::server::metrics::Metrics;
use crate::server::AppState;

/// A send that cannot complete in this time means the peer stopped reading.
const SEND_PATIENCE: Duration = Duration::from_secs(10);
/// The most messages a catch-up sends: the newest ones. A client that missed
/// more is told of the gap and reads older pages over REST.
pub const CATCH_UP_LIMIT: usize = 500;
/// At most this many frames go out in one write.
const WRITE_BATCH: usize = 32;

/// How the writer stopped before anyone asked it to close.
enum Stop {
    /// With this close frame (it fell behind, storage failed, shutdown).
    Close(Close),
    /// The peer is gone or not reading: there is nobody to close with.
    Lost,
}

impl From<Close> for Stop {
    fn from(close: Close) -> Self {
        Stop::Close(close)
    }
}

/// What the writer needs to know of its connection.
pub struct Writer<S> {
    pub sink: S,
    pub state: AppState,
    /// The connection's user: its own typing notices are not sent back.
    pub me: i64,
    pub protocol: Protocol,
    /// Catch up on the messages after this id first.
    pub after: Option<i64>,
    /// The hub's events, subscribed to in the handshake.
    pub events: broadcast::Receiver<LiveEvent>,
    /// What the connection's reader has to send.
    pub queued: mpsc::Receiver<Outgoing>,
    /// The last message id sent: live messages at or below it are skipped.
    pub last_sent: i64,
    /// Set by the reader as it stops (the session ended, the client left,
    /// shutdown): nothing more goes out but the close frame it asks for,
    /// even while it looks up which one (a ban's 4003 or 4001).
    pub hold: Arc<AtomicBool>,
}

/// Runs the writer until the socket closes. A close request from the reader
/// jumps the queue: it also ends a send stuck on a peer that stopped reading.
pub async fn write<S>(
    mut writer: Writer<S>,
    mut close_requested: oneshot::Receiver<Option<CloseFrame>>,
) where
    S: Sink<Message> + Unpin,
{
    let stopped = tokio::select! {
        biased;
        closing = &mut close_requested => Ok(closing.ok().flatten()),
        stopped = writer.run() => Err(stopped),
    };
    let closing = match stopped {
        Ok(requested) => requested,
        // The reader hung up without a request: it is gone.
        Err(Ok(())) => None,
        Err(Err(Stop::Lost)) => return,
        Err(Err(Stop::Close(close))) => {
            tracing::info!(code = close.0, reason = close.1, "websocket writer stopped");
            Some(CloseFrame {
                code: close.0,
                reason: Utf8Bytes::from_static(close.1),
            })
        }
    };
    // Closed so the reader, watching the queue, ends too.
    writer.queued.close();
    if let Some(frame) = closing {
        // Best effort: a peer that stopped reading may never take it.
        let send = writer.sink.send(Message::Close(Some(frame)));
        let _ = tokio::time::timeout(SEND_PATIENCE, send).await;
    }
}

impl<S: Sink<Message> + Unpin> Writer<S> {
    /// The opening frames, then everything as it comes; `Ok` once the
    /// reader has gone.
    async fn run(&mut self) -> Result<(), Stop> {
        let published = self.state.hub.last_published();
        let mut batch = Vec::new();
        if self.protocol == Protocol::V2 {
            let users = self.state.hub.online();
            batch.push(encode(&ServerFrame::Presence { users })?.into());
        }
        if let Some(after) = self.after {
            // Boxed: an idle connection holds only the loop's state.
            Box::pin(self.catch_up(after, published, &mut batch)).await?;
        }
        self.flush(batch).await?;
        loop {
            let first = tokio::select! {
                biased;
                queued = self.queued.recv() => match queued {
                    Some(outgoing) => outgoing,
                    None => return Ok(()),
                },
                event = self.events.recv() => match self.live_frame(event)? {
                    Some(outgoing) => outgoing,
                    None => continue,
                },
            };
            let mut batch = vec![first];
            self.gather(&mut batch)?;
            self.flush(batch).await?;
        }
    }

    /// Adds what else is ready, up to a batch.
    fn gather(&mut self, batch: &mut Vec<Outgoing>) -> Result<(), Close> {
        while batch.len() < WRITE_BATCH {
            if let Ok(outgoing) = self.queued.try_recv() {
                batch.push(outgoing);
                continue;
            }
            let event = match self.events.try_recv() {
                Ok(event) => Ok(event),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Lagged(missed)) => Err(RecvError::Lagged(missed)),
                Err(TryRecvError::Closed) => Err(RecvError::Closed),
            };
            if let Some(outgoing) = self.live_frame(event)? {
                batch.push(outgoing);
            }
        }
        Ok(())
    }

    /// Writes `batch` with one flush, within the patience.
    async fn flush(&mut self, batch: Vec<Outgoing>) -> Result<(), Stop> {
        if batch.is_empty() {
            return Ok(());
        }
        if self.hold.load(Ordering::Acquire) {
            // The reader's close request ends this wait.
            return std::future::pending().await;
        }
        let timed: Vec<Delivery> = batch
            .iter()
            .map(|o| o.delivery)
            .filter(|d| d.is_message())
            .collect();
        let frames = batch.into_iter().map(|o| o.frame);
        let sent = tokio::time::timeout(SEND_PATIENCE, send_all(&mut self.sink, frames)).await;
        if !matches!(sent, Ok(Ok(()))) {
            return Err(Stop::Lost);
        }
        record(&self.state.metrics, timed);
        Ok(())
    }

    /// The newest retained messages after `after` (at most one page), with
    /// a gap frame for a v2 client when older ones were skipped; written in
    /// batches as they fill.
    async fn catch_up(
        &mut self,
        after: i64,
        published: i64,
        batch: &mut Vec<Outgoing>,
    ) -> Result<(), Stop> {
        let state = &self.state;
        let newest = Window {
            after: None,
            before: None,
            limit: CATCH_UP_LIMIT as u64 + 1,
        };
        let cutoff = state.settings.cutoff_now();
        let page = state
            .history
            .page(&state.db, newest, cutoff)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "catch-up query failed");
                Close(close_code::ERROR, "storage unavailable")
            })?;
        let mut missed: Vec<_> = page.into_iter().filter(|m| m.id > after).collect();
        if missed.len() > CATCH_UP_LIMIT {
            missed.remove(0);
            if let (Protocol::V2, Some(first)) = (self.protocol, missed.first()) {
                let before = first.id;
                batch.push(encode(&ServerFrame::Gap { after, before })?.into());
            }
        }
        // An `after` beyond everything published (ids from a database since
        // reset, or made up) means "from now": it must not hide what comes.
        self.last_sent = after.min(published);
        for message in missed {
            self.last_sent = message.id;
            batch.push(encode_message(self.protocol, message)?);
            if batch.len() >= WRITE_BATCH {
                self.flush(std::mem::take(batch)).await?;
            }
        }
        Ok(())
    }

    /// The frame an event from the hub makes for this connection, if any.
    fn live_frame(
        &mut self,
        event: Result<LiveEvent, RecvError>,
    ) -> Result<Option<Outgoing>, Close> {
        let event = match event {
            Ok(event) => event,
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(
                    user = self.me,
                    missed,
                    "websocket fell behind; disconnecting"
                );
                return Err(Close::BEHIND);
            }
            Err(RecvError::Closed) => return Err(Close::SHUTTING_DOWN),
        };
        let frame = match event {
            LiveEvent::Message(published) => {
                // Already sent during catch-up.
                if published.message.id <= self.last_sent {
                    return Ok(None);
                }
                self.last_sent = published.message.id;
                let frame = published.frames.get(self.protocol, &published.message)?;
                return Ok(Some(Outgoing {
                    frame: Message::Text(frame),
                    delivery: Delivery::stored_at(published.stored_at),
                }));
            }
            // The seed's protocol has no frames for these (documented).
            _ if self.protocol == Protocol::Seed => return Ok(None),
            // Always passed on: the hub only announces changes to messages
            // it published, so a message this connection will be sent comes
            // before its change, and one it was never sent may still be on
            // the client's screen (read over REST before it connected
            // without `after=`). A client ignores ids it lacks.
            LiveEvent::Edited(message) => ServerFrame::Edited {
                message: (*message).clone(),
            },
            LiveEvent::Deleted(id) => ServerFrame::Deleted { id },
            LiveEvent::Joined(user) => ServerFrame::Joined { user },
            LiveEvent::Left(user) => ServerFrame::Left { user },
            LiveEvent::Typing(user) if user.id == self.me => return Ok(None),
            LiveEvent::Typing(user) => ServerFrame::Typing { user },
        };
        encode(&frame).map(|frame| Some(frame.into()))
    }
}

/// Counts the messages a flush delivered, with their latencies.
fn record(metrics: &Arc<Metrics>, delivered: Vec<Delivery>) {
    for delivery in delivered {
        metrics.message_delivered(delivery.latency());
    }
}

/// Writes `frames` with one flush.
async fn send_all<S: Sink<Message> + Unpin>(
    sink: &mut S,
    frames: impl Iterator<Item = Message>,
) -> Result<(), S::Error> {
    for frame in frames {
        sink.feed(frame).await?;
    }
    sink.flush().await
}
