//! Cross-process fan-out through Redis pub/sub, for several chat98 processes
//! sharing one PostgreSQL database behind a load balancer.
//!
//! Every process publishes what happens on it (a stored message, someone
//! typing, its users changing, a session ending) to one Redis channel and
//! passes on what the others publish to its own websockets. Notices carry ids
//! only and storage stays the source of truth: a process reads every message
//! from the database before its sockets see it, in id order, each once (see
//! [`crate::server::live::hub::Hub::publish_up_to`]), also when it missed
//! notices (Redis away, a late or lost notice). Without Redis every process
//! keeps serving and delivering its own messages.

mod notice;
mod presence;
mod publisher;
mod subscriber;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use std::time::Duration;

use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;

pub use notice::{Envelope, Notice, MAX_DELETED};

use super::auth::session_watch::SessionWatch;
use super::live::hub::Hub;
use super::redis_link::{timed_out, RedisLink, REDIS_PATIENCE};
use super::settings::Settings;
use super::users::KnownUsers;

/// Notices waiting to be published; beyond this they are dropped and the
/// other processes are told to read storage again once Redis keeps up.
const OUTGOING_QUEUE: usize = 4096;

/// This process's end of the fan-out.
pub struct Fanout {
    /// Names this process in notices and presence keys.
    origin: String,
    /// Prefix of the channel and keys (`<prefix>:events`, ...).
    prefix: String,
    link: Arc<RedisLink>,
    outgoing: mpsc::Sender<Notice>,
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

/// What the fan-out passes on to in this process (and reads names and
/// messages from).
#[derive(Clone, Debug)]
pub struct Local {
    pub db: sea_orm::DatabaseConnection,
    pub hub: Arc<Hub>,
    pub users: Arc<KnownUsers>,
    pub session_watch: Arc<SessionWatch>,
    pub settings: Arc<Settings>,
}

/// Notices this process has yet to publish (see [`Fanout::start`]).
pub type Outbox = mpsc::Receiver<Notice>;

impl Fanout {
    /// This process's end of the fan-out over `link`; connecting happens in
    /// the background (and again after every outage), so the server starts
    /// even while Redis is away. Nothing is published or heard until
    /// [`Fanout::start`].
    pub fn new(
        link: Arc<RedisLink>,
        prefix: &str,
        presence_ttl: Duration,
    ) -> (Arc<Fanout>, Outbox) {
        let (outgoing, queued) = mpsc::channel(OUTGOING_QUEUE);
        let fanout = Arc::new(Fanout {
            origin: random_origin(),
            prefix: prefix.to_owned(),
            link,
            outgoing,
            missed: AtomicBool::new(false),
            subscribed: AtomicBool::new(false),
            replay_wanted: Notify::new(),
            presence_wanted: Notify::new(),
            presence_ttl,
            presence_task: Mutex::new(None),
        });
        (fanout, queued)
    }

    /// Starts publishing `outbox`, listening and sharing presence for `state`.
    pub fn start(self: &Arc<Self>, outbox: Outbox, state: &Local) {
        tokio::spawn(publisher::run(self.clone(), outbox));
        tokio::spawn(subscriber::run(self.clone(), state.clone()));
        let presence = tokio::spawn(presence::run(self.clone(), state.clone()));
        *self.presence_task.lock() = Some(presence);
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The channel every process publishes to and subscribes to.
    fn channel(&self) -> String {
        channel_of(&self.prefix)
    }

    /// Tells the other processes that message `id` was stored.
    pub fn message_stored(&self, id: i64) {
        self.announce(Notice::Message { id });
    }

    /// Tells the other processes that message `id` was edited.
    pub fn message_edited(&self, id: i64) {
        self.announce(Notice::Edited { id });
    }

    /// Tells the other processes that messages `ids` were deleted.
    pub fn messages_deleted(&self, ids: &[i64]) {
        for chunk in ids.chunks(MAX_DELETED) {
            self.announce(Notice::Deleted {
                ids: chunk.to_vec(),
            });
        }
    }

    /// Tells the other processes that user `user`'s role or ban changed.
    pub fn user_changed(&self, user: i64) {
        self.announce(Notice::UserChanged { user });
    }

    pub fn typing(&self, user: i64) {
        self.announce(Notice::Typing { user });
    }

    /// Tells the other processes that a session of `user` ended.
    pub fn sessions_ended(&self, user: i64) {
        self.announce(Notice::SessionsEnded { user });
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
        let task = self.presence_task.lock().take();
        if let Some(task) = task {
            let _ = tokio::time::timeout(patience, task).await;
        }
    }
}

/// The channel of the processes using keys under `prefix`.
fn channel_of(prefix: &str) -> String {
    format!("{prefix}:events")
}

/// Publishes `notices` once, from outside a server (`chat98 users`), so
/// that every server process acts on them at once.
pub async fn tell(url: &str, prefix: &str, notices: Vec<Notice>) -> redis::RedisResult<()> {
    let client = redis::Client::open(url)?;
    let connect = client.get_multiplexed_async_connection();
    let mut connection = tokio::time::timeout(REDIS_PATIENCE, connect)
        .await
        .map_err(|_| timed_out())??;
    let channel = channel_of(prefix);
    let origin = format!("command-{}", random_origin());
    let mut pipe = redis::pipe();
    for notice in notices {
        let envelope = Envelope {
            origin: origin.clone(),
            notice,
        };
        pipe.publish(&channel, envelope.encode()).ignore();
    }
    pipe.query_async::<()>(&mut connection).await
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
