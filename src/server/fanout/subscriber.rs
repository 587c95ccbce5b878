//! Listens to the other processes. While Redis is away it reads storage on
//! every retry instead, so their messages still arrive (later) and none is
//! lost; after reconnecting it reads storage once more for what it missed.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use redis::aio::{PubSubSink, PubSubStream};

use super::Local;
use super::{Envelope, Fanout, Notice};
use crate::server::redis_link::{timed_out, REDIS_PATIENCE, RETRY_CAP};

/// How often the subscription is checked with a PING, and storage read for
/// anything a lost notice did not bring.
const CHECK_EVERY: Duration = Duration::from_secs(5);
const FIRST_RETRY: Duration = Duration::from_millis(250);

pub(super) async fn run(fanout: Arc<Fanout>, state: Local) {
    let mut retry = FIRST_RETRY;
    let mut reported = false;
    loop {
        match subscribe(&fanout).await {
            Ok((sink, stream)) => {
                tracing::info!(origin = %fanout.origin, "subscribed to Redis fan-out");
                fanout.subscribed.store(true, Ordering::SeqCst);
                retry = FIRST_RETRY;
                reported = false;
                replay(&state).await;
                fanout.presence_wanted.notify_one();
                listen(&fanout, &state, sink, stream).await;
                fanout.subscribed.store(false, Ordering::SeqCst);
                tracing::warn!("lost the Redis subscription; reading other processes' messages from storage until it is back");
            }
            Err(e) if !reported => {
                tracing::warn!(error = %e, "cannot subscribe to Redis; reading other processes' messages from storage until it is back");
                reported = true;
            }
            Err(_) => {}
        }
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(RETRY_CAP);
        replay(&state).await;
    }
}

async fn subscribe(fanout: &Fanout) -> redis::RedisResult<(PubSubSink, PubSubStream)> {
    let connect = fanout.link.client().get_async_pubsub();
    let pubsub = tokio::time::timeout(REDIS_PATIENCE, connect)
        .await
        .map_err(|_| timed_out())??;
    let (mut sink, stream) = pubsub.split();
    tokio::time::timeout(REDIS_PATIENCE, sink.subscribe(fanout.channel()))
        .await
        .map_err(|_| timed_out())??;
    Ok((sink, stream))
}

/// Handles notices until the subscription is lost.
async fn listen(fanout: &Fanout, state: &Local, mut sink: PubSubSink, mut stream: PubSubStream) {
    let mut check = tokio::time::interval(CHECK_EVERY);
    check.tick().await;
    loop {
        tokio::select! {
            next = stream.next() => match next {
                None => return,
                Some(message) => {
                    let payload = message.get_payload_bytes();
                    match std::str::from_utf8(payload).ok().and_then(Envelope::decode) {
                        Some(envelope) if envelope.origin != fanout.origin => {
                            handle(fanout, state, envelope.notice).await;
                        }
                        Some(_) => {}
                        None => tracing::warn!("ignored an unreadable fan-out notice"),
                    }
                }
            },
            _ = check.tick() => {
                let answered = tokio::time::timeout(REDIS_PATIENCE, sink.ping::<redis::Value>()).await;
                if !matches!(answered, Ok(Ok(_))) {
                    return;
                }
                replay(state).await;
            }
            _ = fanout.replay_wanted.notified() => replay(state).await,
        }
    }
}

async fn handle(fanout: &Fanout, state: &Local, notice: Notice) {
    match notice {
        Notice::Message { id } => {
            let cutoff = state.settings.cutoff_now();
            let mut last = state.hub.sequence().await;
            let published = state
                .hub
                .publish_up_to(&state.db, cutoff, &mut last, id)
                .await;
            if let Err(e) = published {
                tracing::warn!(error = %e, "could not read missed messages; retrying shortly");
                drop(last);
                fanout.request_replay();
            }
        }
        Notice::Typing { user } => {
            // The name comes from storage; an unknown id shows nothing.
            if let Ok(Some(user)) = state.users.find(&state.db, user).await {
                state.hub.typing((&user).into());
            }
        }
        Notice::Edited { id } => edited(fanout, state, id).await,
        Notice::Deleted { mut ids } => {
            ids.truncate(super::MAX_DELETED);
            deleted(state, ids).await;
        }
        Notice::UserChanged { user } => state.users.forget(user),
        Notice::SessionsEnded { user } => {
            state.users.forget(user);
            state.session_watch.check_user(user);
        }
        Notice::Presence => fanout.presence_wanted.notify_one(),
        Notice::Resync => replay(state).await,
    }
}

/// Another process edited message `id`: publish what storage holds up to it,
/// then its state as storage holds it.
async fn edited(fanout: &Fanout, state: &Local, id: i64) {
    let cutoff = state.settings.cutoff_now();
    let mut last = state.hub.sequence().await;
    let read = async {
        state
            .hub
            .publish_up_to(&state.db, cutoff, &mut last, id)
            .await?;
        crate::server::messages::store::find(&state.db, id, cutoff).await
    };
    match read.await {
        Ok(Some(message)) => state.hub.publish_edit(&last, message),
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(error = %e, "could not read an edited message; retrying shortly");
            drop(last);
            fanout.request_replay();
        }
    }
}

/// Another process deleted messages `ids`: pass on those storage no longer
/// holds (a notice naming a stored message deletes nothing).
async fn deleted(state: &Local, ids: Vec<i64>) {
    let last = state.hub.sequence().await;
    match crate::server::messages::store::existing(&state.db, &ids).await {
        Ok(existing) => {
            let gone: Vec<i64> = ids
                .into_iter()
                .filter(|id| !existing.contains(id))
                .collect();
            state.hub.publish_delete(&last, &gone);
        }
        Err(e) => tracing::warn!(error = %e, "could not check deleted messages"),
    }
}

/// Publishes whatever storage holds beyond the last message published here.
async fn replay(state: &Local) {
    let cutoff = state.settings.cutoff_now();
    let mut last = state.hub.sequence().await;
    match state
        .hub
        .publish_stored(&state.db, cutoff, &mut last, None)
        .await
    {
        Ok(0) => {}
        Ok(n) => tracing::info!(messages = n, "delivered messages read from storage"),
        Err(e) => tracing::warn!(error = %e, "could not read storage for missed messages"),
    }
}
