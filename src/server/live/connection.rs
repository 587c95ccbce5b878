//! One open websocket's reader: messages and typing notices in, the
//! heartbeat, and the signals that end the connection (shutdown, the
//! session's end). Everything going out is written by the connection's
//! writer task ([`super::socket_writer`]), which also takes the room's live events
//! straight from the hub.
//!
//! Both are generic over the socket's two halves (a `Sink` of frames out,
//! a `Stream` of frames in), so they run the same on axum's websocket and on
//! the in-memory channels of a test.

use std::fmt::Display;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{close_code, CloseFrame, Message, Utf8Bytes};
use futures::{Sink, Stream, StreamExt};
use serde_json::Value;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{broadcast, mpsc, oneshot, watch};

use super::frames::{encode, Close, Outgoing, Protocol, MAX_FRAME_BYTES};
use super::hub::{Connection, LiveEvent};
use super::socket_writer::{self, Writer};
use crate::error::ChatError;
use crate::live_protocol::{ClientFrame, ServerFrame, HEARTBEAT_SECS};
use crate::server::auth::session_watch::Watching;
use crate::server::entities::user;
use crate::server::messages::posting::{self, Submission};
// Typing notices from one connection are looked at at most this often too
// (the per-user limit across sockets and processes is `AppState::typing`).
use crate::server::state::TYPING_EVERY;
use crate::server::AppState;
use crate::types::UserRef;

/// A peer that has sent nothing (not even a pong) for this long is gone.
const IDLE_LIMIT: Duration = Duration::from_secs(2 * HEARTBEAT_SECS);
/// Frames the reader may have waiting for the writer (acks, errors, pings);
/// one more and the connection is closed (1013).
pub const QUEUE_PER_CONNECTION: usize = 256;

/// Everything the handshake settled: who, how, from where on.
pub struct Opened {
    pub author: user::Model,
    pub protocol: Protocol,
    pub after: Option<i64>,
    /// The socket's place in the room (counted against the per-user cap).
    pub presence: Connection,
    /// Ends when the session the socket was opened with ends.
    pub session: Watching,
    /// Everything published since the handshake, before the client heard
    /// its socket was open: a message sent right after it opens is never
    /// missed (ids also in the catch-up are skipped).
    pub events: broadcast::Receiver<LiveEvent>,
}

/// What the reader has to send; the writer task empties it into the socket,
/// so a peer that stops reading fills its own queue and blocks no one.
struct Outbox(mpsc::Sender<Outgoing>);

impl Outbox {
    fn push(&self, message: impl Into<Outgoing>) -> Result<(), Close> {
        match self.0.try_send(message.into()) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => Err(Close::BEHIND),
            Err(TrySendError::Closed(_)) => Err(Close::LOST),
        }
    }

    fn send<T: serde::Serialize>(&self, frame: &T) -> Result<(), Close> {
        self.push(encode(frame)?)
    }
}

/// The state of one connection's loop.
struct Link<'a> {
    state: &'a AppState,
    author: &'a user::Model,
    me: UserRef,
    protocol: Protocol,
    outbox: Outbox,
    session: Watching,
    last_heard: Instant,
    last_typing: Option<Instant>,
}

/// Runs the socket until it closes; `sink` and `stream` are its two halves.
pub async fn serve<S, R, E>(sink: S, mut stream: R, state: AppState, opened: Opened)
where
    S: Sink<Message> + Unpin + Send + 'static,
    R: Stream<Item = Result<Message, E>> + Unpin,
    E: Display,
{
    let Opened {
        author,
        protocol,
        after,
        presence,
        session,
        events,
    } = opened;
    let mut shutdown = state.hub.shutdown_signal();
    let (queue, queued) = mpsc::channel(QUEUE_PER_CONNECTION);
    let (close_now, close_requested) = oneshot::channel();
    let hold = Arc::new(AtomicBool::new(false));
    let writes = Writer {
        sink,
        state: state.clone(),
        me: author.id,
        protocol,
        after,
        events,
        queued,
        last_sent: 0,
        hold: Arc::clone(&hold),
    };
    let writer = tokio::spawn(socket_writer::write(writes, close_requested));
    let mut link = Link {
        state: &state,
        author: &author,
        me: (&author).into(),
        protocol,
        outbox: Outbox(queue),
        session,
        last_heard: Instant::now(),
        last_typing: None,
    };
    tracing::info!(user = %link.me.username, ?protocol, ?after, "websocket opened");
    let outcome = link.run(&mut stream, &mut shutdown).await;
    // Once the reader has stopped (a session that ended above all), the
    // writer sends nothing new while the close frame is decided.
    hold.store(true, Ordering::Release);
    let mut closing = log_outcome(&link.me, outcome);
    if closing
        .as_ref()
        .is_some_and(|c| c.code == Close::SIGNED_OUT.0)
    {
        // Boxed: a database lookup's future is larger than the whole loop,
        // and every open socket would hold room for it.
        closing = Box::pin(banned_close(&state, author.id)).await.or(closing);
    }
    let _ = close_now.send(closing);
    drop(link);
    // The writer ends within its patience; presence ends with this function.
    let _ = writer.await;
    drop(presence);
}

impl Link<'_> {
    async fn run<R, E>(
        &mut self,
        stream: &mut R,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Result<(), Close>
    where
        R: Stream<Item = Result<Message, E>> + Unpin,
        E: Display,
    {
        let mut heartbeat = tokio::time::interval(Duration::from_secs(HEARTBEAT_SECS));
        heartbeat.tick().await;
        // Made once, not on every turn of the loop: each turn would register
        // with both signals again (the session's is shared by every socket of
        // the session, the shutdown's by every socket).
        let mut session = self.session.clone();
        let writes = self.outbox.0.clone();
        let stop = async move {
            tokio::select! {
                _ = shutdown.changed() => Close::SHUTTING_DOWN,
                _ = session.ended() => Close::SIGNED_OUT,
                // The writer stopped (it closed the socket itself, or lost it).
                _ = writes.closed() => Close::LOST,
            }
        };
        let mut stop = std::pin::pin!(stop);
        loop {
            tokio::select! {
                close = &mut stop => return Err(close),
                incoming = stream.next() => match incoming {
                    None => return Ok(()),
                    Some(frame) => Box::pin(self.on_frame(frame)).await?,
                },
                _ = heartbeat.tick() => self.on_heartbeat()?,
            }
        }
    }

    async fn on_frame<E: Display>(&mut self, frame: Result<Message, E>) -> Result<(), Close> {
        self.last_heard = Instant::now();
        // A frame that arrives once the session has ended is never acted on.
        if self.session.has_ended() {
            return Err(Close::SIGNED_OUT);
        }
        match frame {
            Err(e) => Err(read_failure(&e)),
            Ok(Message::Close(_)) => Err(Close(close_code::NORMAL, "")),
            Ok(Message::Binary(_)) => Err(Close(
                close_code::UNSUPPORTED,
                "binary frames are not supported",
            )),
            Ok(Message::Ping(_) | Message::Pong(_)) => Ok(()),
            Ok(Message::Text(text)) if text.len() > MAX_FRAME_BYTES => {
                Err(Close(close_code::SIZE, "frame too large"))
            }
            Ok(Message::Text(text)) => self.receive(text.as_str()).await,
        }
    }

    fn on_heartbeat(&mut self) -> Result<(), Close> {
        if self.last_heard.elapsed() > IDLE_LIMIT {
            return Err(Close(close_code::POLICY, "no answer to pings"));
        }
        self.outbox.push(Message::Ping(Default::default()))?;
        if self.protocol == Protocol::V2 {
            self.outbox.send(&ServerFrame::Heartbeat)?;
        }
        Ok(())
    }

    /// Handles one text frame from the client.
    async fn receive(&mut self, text: &str) -> Result<(), Close> {
        let Some(submission) = self.read_submission(text).await? else {
            return Ok(());
        };
        let client_id = submission.client_id.clone();
        let posted = posting::post(&self.state.posting, self.author, &submission, None).await;
        match (self.protocol, posted) {
            (Protocol::V2, Ok(posted)) => self.outbox.send(&ServerFrame::Ack {
                client_id,
                message: posted.message,
            }),
            (Protocol::V2, Err(error)) => self.outbox.send(&error_frame(client_id, error)),
            (Protocol::Seed, Ok(_)) => Ok(()),
            (Protocol::Seed, Err(error)) => {
                tracing::info!(user = %self.me.username, error = %error, "dropped a refused websocket message");
                Ok(())
            }
        }
    }

    /// The message a frame submits, if it submits one; typing notices and
    /// unreadable frames are dealt with here.
    async fn read_submission(&mut self, text: &str) -> Result<Option<Submission>, Close> {
        if self.protocol == Protocol::Seed {
            let submission = read_seed(text);
            if submission.is_none() {
                // The seed client cannot read an error frame: log and drop.
                tracing::info!(user = %self.me.username, "dropped an unreadable websocket frame");
            }
            return Ok(submission);
        }
        match serde_json::from_str::<ClientFrame>(text) {
            Ok(ClientFrame::Message { content, client_id }) => {
                Ok(Some(Submission { content, client_id }))
            }
            Ok(ClientFrame::Typing) => {
                let due = self.last_typing.is_none_or(|t| t.elapsed() >= TYPING_EVERY);
                if due {
                    self.last_typing = Some(Instant::now());
                    self.state.typing(&self.me).await;
                }
                Ok(None)
            }
            Err(e) => {
                let error = ChatError::new(
                    crate::error::ErrorCode::Invalid,
                    format!("The frame could not be read: {e}"),
                );
                self.outbox.send(&error_frame(None, error))?;
                Ok(None)
            }
        }
    }
}

/// When the session ended because its user was banned: the close frame that
/// says so (4003, with the sentence the page shows as the reason).
async fn banned_close(state: &AppState, user: i64) -> Option<CloseFrame> {
    state.users.forget(user);
    let user = state.users.find(&state.db, user).await.ok()??;
    if !user.is_banned() {
        return None;
    }
    let sentence = crate::server::moderation::ban_of(&user).sentence();
    Some(CloseFrame {
        code: crate::live_protocol::close::BANNED,
        reason: Utf8Bytes::from(close_reason(&sentence)),
    })
}

/// `text` cut to fit a close frame's reason (123 bytes), on a char boundary.
fn close_reason(text: &str) -> String {
    let mut end = text.len().min(123);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// Logs how the connection ended; the close frame to send, if any.
fn log_outcome(me: &UserRef, outcome: Result<(), Close>) -> Option<CloseFrame> {
    match outcome {
        Err(Close(code, "")) if code == close_code::NORMAL => {
            tracing::info!(user = %me.username, "websocket closed by the client");
            None
        }
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
    }
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
fn read_failure(e: &impl Display) -> Close {
    let text = e.to_string();
    if text.contains("too long") || text.contains("Space limit") {
        Close(close_code::SIZE, "frame too large")
    } else {
        Close(close_code::PROTOCOL, "unreadable frame")
    }
}

#[cfg(test)]
mod tests {
    //! The loop over in-memory channels instead of a socket, on a state over
    //! an in-memory SQLite database: no process, no port.

    use std::convert::Infallible;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use axum::extract::ws::Message;
    use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
    use futures::StreamExt;
    use serde_json::{json, Value};
    use tower_sessions::session::Record;
    use tower_sessions::SessionStore;

    use super::*;
    use crate::server::cli::SettingsArgs;
    use crate::server::{db, startup, users};

    struct Client {
        to_server: UnboundedSender<Result<Message, Infallible>>,
        from_server: UnboundedReceiver<Message>,
    }

    impl Client {
        fn send(&self, frame: Value) {
            let text = Message::text(frame.to_string());
            self.to_server
                .unbounded_send(Ok(text))
                .expect("the loop reads");
        }

        /// The next frame from the server: JSON text, or a close code.
        async fn next(&mut self) -> Result<Value, Option<u16>> {
            let wait = tokio::time::timeout(Duration::from_secs(10), self.from_server.next());
            match wait.await.expect("a frame in time") {
                Some(Message::Text(text)) => Ok(serde_json::from_str(text.as_str()).unwrap()),
                Some(Message::Close(frame)) => Err(frame.map(|f| f.code)),
                Some(_) => Box::pin(self.next()).await,
                None => Err(None),
            }
        }
    }

    /// The size of the last connection future `serve_one` spawned: what
    /// every open socket holds in its task, idle or not.
    static SERVE_FUTURE_BYTES: AtomicUsize = AtomicUsize::new(0);

    /// An idle socket costs its task's future: the short-lived steps (the
    /// catch-up, a frame's handling, the ban lookup at the end) are boxed,
    /// so the future holds the loop's state only (10,000 idle sockets
    /// within 120 MB, BENCHMARKS.md).
    #[tokio::test]
    async fn an_open_connection_holds_a_small_future() {
        let (_state, mut client, _) = serve_one().await;
        assert_eq!(client.next().await.unwrap()["type"], "presence");
        let bytes = SERVE_FUTURE_BYTES.load(Ordering::Relaxed);
        // 1,600 B with `AppState` one pointer; 2,928 B when it was 672 B
        // of fields; 4,016 B with the ban lookup inline as well.
        assert!(bytes <= 1792, "serve's future is {bytes} bytes");
    }

    /// A state on a fresh in-memory database, a signed-in user with a
    /// session, and the loop serving them over channels.
    async fn serve_one() -> (AppState, Client, tower_sessions::session::Id) {
        let args = SettingsArgs {
            config: Some("Leptos.toml".into()),
            ..Default::default()
        };
        let settings = args.load().expect("settings");
        let opened = db::connect_with("sqlite::memory:", db::Checkpoints::InCommit)
            .await
            .expect("in-memory SQLite");
        let leptos = settings.leptos.clone();
        let state = startup::start(settings, leptos, opened)
            .await
            .expect("a state");
        let author = users::create(&state.db, "alice", "x")
            .await
            .expect("a user");
        let mut record = Record {
            id: Default::default(),
            data: [("user_id".to_owned(), json!(author.id))].into(),
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
        };
        state.sessions.create(&mut record).await.expect("a session");
        let (to_server, from_client) = unbounded();
        let (to_client, from_server) = unbounded();
        let opened = Opened {
            presence: state.hub.join((&author).into(), 20).expect("room"),
            session: state.session_watch.watch(record.id, author.id),
            events: state.hub.subscribe(),
            author,
            protocol: Protocol::V2,
            after: None,
        };
        let serving = serve(to_client, from_client, state.clone(), opened);
        SERVE_FUTURE_BYTES.store(std::mem::size_of_val(&serving), Ordering::Relaxed);
        tokio::spawn(serving);
        let client = Client {
            to_server,
            from_server,
        };
        (state, client, record.id)
    }

    #[tokio::test]
    async fn a_message_sent_is_acknowledged_and_delivered_in_order() {
        let (_state, mut client, _) = serve_one().await;
        assert_eq!(client.next().await.unwrap()["type"], "presence");
        client.send(json!({"type": "message", "content": "hello", "client_id": "c1"}));
        let mut got: Vec<Value> = Vec::new();
        for _ in 0..2 {
            got.push(client.next().await.unwrap());
        }
        got.sort_by_key(|f| f["type"].as_str().unwrap_or_default().to_owned());
        assert_eq!(got[0]["type"], "ack");
        assert_eq!(got[0]["client_id"], "c1");
        assert_eq!(got[1]["type"], "message");
        assert_eq!(got[1]["message"]["content"], "hello");
        assert_eq!(got[0]["message"]["id"], got[1]["message"]["id"]);
        // An unreadable frame gets an error frame; the loop goes on.
        client.send(json!({"type": "nonsense"}));
        assert_eq!(client.next().await.unwrap()["type"], "error");
    }

    #[tokio::test]
    async fn the_loop_closes_with_4001_when_its_session_ends() {
        let (state, mut client, session) = serve_one().await;
        assert_eq!(client.next().await.unwrap()["type"], "presence");
        state.session_watch.end(&session);
        assert_eq!(client.next().await, Err(Some(4001)));
    }

    #[tokio::test]
    async fn the_loop_closes_with_4003_and_the_sentence_when_its_user_is_banned() {
        let (state, mut client, session) = serve_one().await;
        assert_eq!(client.next().await.unwrap()["type"], "presence");
        let alice = users::find_by_name(&state.db, "alice")
            .await
            .unwrap()
            .unwrap();
        users::set_ban(
            &state.db,
            alice.id,
            Some(chrono::Utc::now() + chrono::Duration::hours(1)),
            None,
        )
        .await
        .unwrap();
        state.session_watch.end(&session);
        let closed = loop {
            match client.from_server.next().await {
                Some(Message::Close(frame)) => break frame,
                Some(_) => continue,
                None => panic!("closed without a close frame"),
            }
        };
        let frame = closed.expect("a close frame");
        assert_eq!(frame.code, 4003);
        assert!(frame
            .reason
            .as_str()
            .starts_with("You have been banned from this chat room until "));
    }

    #[tokio::test]
    async fn an_edit_and_a_deletion_follow_the_message_they_change() {
        let (state, mut client, _) = serve_one().await;
        assert_eq!(client.next().await.unwrap()["type"], "presence");
        client.send(json!({"type": "message", "content": "tpyo", "client_id": "c1"}));
        let mut id = None;
        while id.is_none() {
            let frame = client.next().await.unwrap();
            if frame["type"] == "message" {
                id = frame["message"]["id"].as_i64();
            }
        }
        let id = id.unwrap();
        let alice = users::find_by_name(&state.db, "alice")
            .await
            .unwrap()
            .unwrap();
        let edited =
            crate::server::messages::editing::edit(&state, &alice, id, Some("typo".into()))
                .await
                .unwrap();
        assert!(edited.edited_at.is_some());
        let mut next = client.next().await.unwrap();
        while next["type"] == "ack" {
            next = client.next().await.unwrap();
        }
        assert_eq!(next["type"], "edited");
        assert_eq!(next["message"]["content"], "typo");
        crate::server::messages::editing::delete(&state, &alice, id)
            .await
            .unwrap();
        assert_eq!(
            client.next().await.unwrap(),
            json!({"type": "deleted", "id": id})
        );
    }
}
