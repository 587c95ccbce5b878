//! Publishes this process's notices. While Redis is away they are dropped
//! (storage has the messages); once it is back the others are told to resync.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::{Envelope, Fanout, Notice};
use crate::server::redis_link::RETRY_CAP;

pub(super) async fn run(fanout: Arc<Fanout>, mut queued: mpsc::Receiver<Notice>) {
    loop {
        let next = if fanout.missed.load(Ordering::SeqCst) {
            // Wake up now and then to send the resync even if nothing new comes.
            match tokio::time::timeout(RETRY_CAP, queued.recv()).await {
                Ok(next) => next,
                Err(_) => {
                    resync_if_missed(&fanout).await;
                    continue;
                }
            }
        } else {
            queued.recv().await
        };
        let Some(notice) = next else { return };
        resync_if_missed(&fanout).await;
        if !publish(&fanout, notice).await {
            fanout.missed.store(true, Ordering::SeqCst);
        }
    }
}

async fn resync_if_missed(fanout: &Fanout) {
    if fanout.missed.swap(false, Ordering::SeqCst) && !publish(fanout, Notice::Resync).await {
        fanout.missed.store(true, Ordering::SeqCst);
    }
}

/// Whether the notice reached Redis.
async fn publish(fanout: &Fanout, notice: Notice) -> bool {
    let Some(mut connection) = fanout.link.connection().await else {
        return false;
    };
    let envelope = Envelope {
        origin: fanout.origin.clone(),
        notice,
    };
    let sent = redis::cmd("PUBLISH")
        .arg(fanout.channel())
        .arg(envelope.encode())
        .query_async::<i64>(&mut connection)
        .await;
    match sent {
        Ok(_) => true,
        Err(e) => {
            fanout.link.broken(&e).await;
            false
        }
    }
}
