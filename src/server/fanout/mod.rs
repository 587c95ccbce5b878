//! Cross-process fan-out through Redis pub/sub, for several chat98 processes
//! sharing one PostgreSQL database behind a load balancer.
//!
//! Every process publishes what happens on it (a stored message, someone
//! typing, its users changing) to one Redis channel and passes on what the
//! others publish to its own websockets. Storage stays the source of truth:
//! a process that missed notices (Redis away, a late or lost notice) reads
//! the messages from the database, in id order, each once (see
//! [`crate::server::live::hub::Hub::publish_in_order`]). Without Redis every
//! process keeps serving and delivering its own messages.

mod link;
mod notice;
mod presence;
mod publisher;
mod subscriber;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;

pub use notice::{Envelope, Notice};

use self::link::Link;
use super::AppState;
use crate::types::{ChatMessage, UserRef};

/// Notices waiting to be published; beyond this they are dropped and the
/// other processes are told to read storage again once Redis keeps up.
const OUTGOING_QUEUE: usize = 4096;

/// This process's end of the fan-out.
pub struct Fanout {
    /// Names this process in notices and presence keys.
    origin: String,
    /// Prefix of the channel and keys (`<prefix>:events`, ...).
    prefix: String,
    link: Link,
    outgoing: mpsc::Sender<Notice>,
    queued: Mutex<Option<mpsc::Receiver<Notice>>>,
    /// Some notice could not be published: the others must resync.
    missed: AtomicBool,
    subscribed: AtomicBool,
    replay_wanted: Notify,
    presence_wanted: Notify,
    presence_ttl: Duration,
    presence_task: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Fanout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fanout")
            .field("origin", &self.origin)
            .field("subscribed", &self.is_subscribed())
            .finish_non_exhaustive()
    }
}

impl Fanout {
    /// Checks the URL; connecting happens in the background (and again after
    /// every outage), so the server starts even while Redis is away.
    pub fn new(
        url: &str,
        prefix: &str,
        presence_ttl: Duration,
    ) -> Result<Arc<Fanout>, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let (outgoing, queued) = mpsc::channel(OUTGOING_QUEUE);
        Ok(Arc::new(Fanout {
            origin: random_origin(),
            prefix: prefix.to_owned(),
            link: Link::new(client),
            outgoing,
            queued: Mutex::new(Some(queued)),
            missed: AtomicBool::new(false),
            subscribed: AtomicBool::new(false),
            replay_wanted: Notify::new(),
            presence_wanted: Notify::new(),
            presence_ttl,
            presence_task: Mutex::new(None),
        }))
    }

    /// Starts publishing, listening and sharing presence for `state`.
    pub fn start(self: &Arc<Self>, state: &AppState) {
        let queued = self.queued.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(queued) = queued {
            tokio::spawn(publisher::run(self.clone(), queued));
            tokio::spawn(subscriber::run(self.clone(), state.clone()));
            let presence = tokio::spawn(presence::run(self.clone(), state.clone()));
            *self.presence_task.lock().unwrap_or_else(|e| e.into_inner()) = Some(presence);
        }
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The channel every process publishes to and subscribes to.
    fn channel(&self) -> String {
        format!("{}:events", self.prefix)
    }

    /// Tells the other processes that `message` was stored after `previous`.
    pub fn message_stored(&self, message: ChatMessage, previous: i64) {
        self.announce(Notice::Message { message, previous });
    }

    pub fn typing(&self, user: UserRef) {
        self.announce(Notice::Typing { user });
    }

    fn announce(&self, notice: Notice) {
        if self.outgoing.try_send(notice).is_err() {
            self.missed.store(true, Ordering::SeqCst);
        }
    }

    /// Whether this process hears the others now.
    pub fn is_subscribed(&self) -> bool {
        self.subscribed.load(Ordering::SeqCst)
    }

    /// Whether Redis answers and this process is subscribed (for /readyz).
    pub async fn is_ready(&self) -> bool {
        self.is_subscribed() && self.link.ping().await
    }

    /// Asks the listener to read storage for messages not yet published.
    pub fn request_replay(&self) {
        self.replay_wanted.notify_one();
    }

    /// On shutdown: waits (at most `patience`) until this process's presence
    /// is withdrawn, so its users do not linger until their keys expire.
    pub async fn leave(&self, patience: Duration) {
        let task = self
            .presence_task
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(task) = task {
            let _ = tokio::time::timeout(patience, task).await;
        }
    }
}

/// 16 random hex digits (a process id alone repeats across machines).
fn random_origin() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::getrandom(&mut bytes).is_err() {
        // Practically unreachable; the clock still tells processes apart.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or_default();
        bytes = (nanos ^ u64::from(std::process::id())).to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
