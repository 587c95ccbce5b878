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
//! A message whose sender has already been told it failed (its request timed
//! out, see [`Commitment`]) or has gone away is left out: an error answer
//! means nothing was stored.

use std::sync::Arc;

use sea_orm::DbErr;
use tokio::sync::{mpsc, oneshot};

use super::store::{self as messages, NewMessage};
use crate::server::fanout::Fanout;
use crate::server::http::request_timeout::Commitment;
use crate::server::live::hub::Hub;
use crate::server::metrics::Metrics;
use crate::server::settings::Settings;

/// What the writer task stores into and publishes through.
#[derive(Clone, Debug)]
pub struct Publishing {
    pub db: sea_orm::DatabaseConnection,
    pub hub: Arc<Hub>,
    pub fanout: Option<Arc<Fanout>>,
    pub metrics: Arc<Metrics>,
    pub settings: Arc<Settings>,
}
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

pub struct Request {
    message: NewMessage,
    reply: oneshot::Sender<Result<Outcome, DbErr>>,
    commitment: Option<Commitment>,
}

impl Request {
    /// Whether the sender still waits for this message to be stored; from
    /// here on its request waits for the outcome.
    fn still_wanted(&self) -> bool {
        !self.reply.is_closed() && self.commitment.as_ref().is_none_or(Commitment::begin)
    }
}

/// The messages waiting for the writer task ([`run`]).
pub type Queue = mpsc::Receiver<Request>;

/// Where senders hand their messages to the writer task.
#[derive(Clone, Debug)]
pub struct MessageWriter {
    queue: mpsc::Sender<Request>,
}

impl MessageWriter {
    /// The writer's two ends: this for senders, the queue for [`run`].
    pub fn channel() -> (MessageWriter, Queue) {
        let (queue, waiting) = mpsc::channel(QUEUE);
        (MessageWriter { queue }, waiting)
    }

    /// Stores `message` and publishes it to every connection. With a
    /// `commitment`, a request that times out first leaves it unstored.
    pub async fn store(
        &self,
        message: NewMessage,
        commitment: Option<Commitment>,
    ) -> Result<Outcome, DbErr> {
        let (reply, outcome) = oneshot::channel();
        let gone = || DbErr::Custom("the message writer has stopped".to_owned());
        let request = Request {
            message,
            reply,
            commitment,
        };
        self.queue.send(request).await.map_err(|_| gone())?;
        outcome.await.map_err(|_| gone())?
    }
}

/// The writer task: stores what queued, batch by batch, for the server's life.
pub async fn run(state: Publishing, mut queue: Queue) {
    let mut batch = Vec::with_capacity(BATCH);
    while queue.recv_many(&mut batch, BATCH).await > 0 {
        let wanted: Vec<Request> = batch.drain(..).filter(Request::still_wanted).collect();
        if !wanted.is_empty() {
            write(&state, wanted).await;
        }
    }
}

/// Stores and publishes `batch`, answering each sender. If the shared insert
/// fails because of one row (a constraint), each message is tried alone, so
/// one bad message fails only itself.
async fn write(state: &Publishing, batch: Vec<Request>) {
    let (new, replies): (Vec<NewMessage>, Vec<_>) =
        batch.into_iter().map(|r| (r.message, r.reply)).unzip();
    match store_and_publish(state, &new).await {
        Ok(outcomes) => {
            for (reply, outcome) in replies.into_iter().zip(outcomes) {
                let _ = reply.send(Ok(outcome));
            }
        }
        // Only a row's own fault (its author removed meanwhile) is worth
        // trying the others without it; a lock timeout or a lost connection
        // would only make every sender wait once more per message.
        Err(e) if new.len() == 1 || e.sql_err().is_none() => {
            for reply in replies {
                let _ = reply.send(Err(DbErr::Custom(e.to_string())));
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
async fn store_and_publish(state: &Publishing, new: &[NewMessage]) -> Result<Vec<Outcome>, DbErr> {
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
                fanout.message_stored(message.id);
                previous = message.id;
            }
        }
    }
    Ok(stored
        .into_iter()
        .map(|m| m.map_or(Outcome::AlreadyStored, Outcome::Stored))
        .collect())
}
