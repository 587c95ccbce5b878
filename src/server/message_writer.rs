//! Group commit: every message this process stores goes through one writer
//! task, which stores whatever has queued up meanwhile in a single insert and
//! publishes it in id order.
//!
//! One insert per message made the database the limit on how many messages
//! a second the room takes (each write waits for the one before it, so that
//! ids are published in order). Queued messages now share a write, so the
//! busier the room, the fewer writes per message. A quiet room still writes
//! each message the moment it arrives.
//!
//! The writer runs as a task of its own, so a sender that goes away while its
//! message is queued or being written cannot leave it stored but unpublished.

use std::sync::{Mutex, OnceLock};

use sea_orm::DbErr;
use tokio::sync::{mpsc, oneshot};

use super::messages::{self, NewMessage};
use super::AppState;
use crate::types::ChatMessage;

/// At most this many messages share one insert (well under every
/// database's limit on bound parameters).
const BATCH: usize = 256;

/// Messages waiting for the writer; a sender waits for room beyond this.
const QUEUE: usize = 4096;

/// What became of a message handed to the writer.
#[derive(Debug)]
pub enum Outcome {
    Stored(ChatMessage),
    /// Its author already has a message under its client id.
    AlreadyStored,
}

struct Request {
    message: NewMessage,
    reply: oneshot::Sender<Result<Outcome, DbErr>>,
}

pub struct MessageWriter {
    queue: mpsc::Sender<Request>,
    /// Taken by the task when the first message arrives.
    waiting: Mutex<Option<mpsc::Receiver<Request>>>,
    started: OnceLock<()>,
}

impl std::fmt::Debug for MessageWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageWriter").finish_non_exhaustive()
    }
}

impl Default for MessageWriter {
    fn default() -> Self {
        let (queue, waiting) = mpsc::channel(QUEUE);
        MessageWriter {
            queue,
            waiting: Mutex::new(Some(waiting)),
            started: OnceLock::new(),
        }
    }
}

impl MessageWriter {
    /// Stores `message` and publishes it to every connection.
    pub async fn store(&self, state: &AppState, message: NewMessage) -> Result<Outcome, DbErr> {
        self.started.get_or_init(|| {
            let waiting = self
                .waiting
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
            if let Some(waiting) = waiting {
                tokio::spawn(run(state.clone(), waiting));
            }
        });
        let (reply, outcome) = oneshot::channel();
        let gone = || DbErr::Custom("the message writer has stopped".to_owned());
        self.queue
            .send(Request { message, reply })
            .await
            .map_err(|_| gone())?;
        outcome.await.map_err(|_| gone())?
    }
}

async fn run(state: AppState, mut queue: mpsc::Receiver<Request>) {
    let mut batch = Vec::with_capacity(BATCH);
    while queue.recv_many(&mut batch, BATCH).await > 0 {
        write(&state, std::mem::take(&mut batch)).await;
    }
}

/// Stores and publishes `batch`, answering each sender. If the shared insert
/// fails, each message is tried alone, so one bad message fails only itself.
async fn write(state: &AppState, batch: Vec<Request>) {
    let (new, replies): (Vec<NewMessage>, Vec<_>) =
        batch.into_iter().map(|r| (r.message, r.reply)).unzip();
    match store_and_publish(state, &new).await {
        Ok(outcomes) => {
            for (reply, outcome) in replies.into_iter().zip(outcomes) {
                let _ = reply.send(Ok(outcome));
            }
        }
        Err(e) if new.len() == 1 => {
            if let Some(reply) = replies.into_iter().next() {
                let _ = reply.send(Err(e));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, count = new.len(), "storing messages together failed; storing them one by one");
            for (message, reply) in new.into_iter().zip(replies) {
                let outcome = store_and_publish(state, std::slice::from_ref(&message))
                    .await
                    .and_then(|o| o.into_iter().next().ok_or(DbErr::RecordNotInserted));
                let _ = reply.send(outcome);
            }
        }
    }
}

/// One insert for `new`, then each stored message published in id order.
async fn store_and_publish(state: &AppState, new: &[NewMessage]) -> Result<Vec<Outcome>, DbErr> {
    // Store and publish in one turn, so every connection sees id order.
    let mut last = state.hub.sequence().await;
    let at = chrono::Utc::now();
    let sequenced = state.fanout.is_some();
    let cutoff = state.settings.retention_cutoff(at);
    let (stored, mut previous) = messages::store_many(&state.db, new, at, sequenced).await?;
    let mut in_order: Vec<&ChatMessage> = stored.iter().flatten().collect();
    in_order.sort_by_key(|m| m.id);
    for message in in_order {
        state.metrics.message_stored();
        match &state.fanout {
            None => {
                state.hub.publish(&mut last, message.clone());
            }
            Some(fanout) => {
                // Another process may have stored one just before: it goes first.
                let published = state
                    .hub
                    .publish_in_order(&state.db, cutoff, &mut last, message.clone(), previous)
                    .await;
                if let Err(e) = published {
                    tracing::warn!(error = %e, "could not read messages stored elsewhere; replaying shortly");
                    fanout.request_replay();
                }
                fanout.message_stored(message.clone(), previous);
                previous = message.id;
            }
        }
    }
    Ok(stored
        .into_iter()
        .map(|m| m.map_or(Outcome::AlreadyStored, Outcome::Stored))
        .collect())
}
