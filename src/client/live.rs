//! The browser's websocket (`chat98.v2`): feeds every stored message into the
//! conversation, keeps the online list and who is typing, and reconnects with
//! backoff, resuming with `after=<id>` so nothing is missed or doubled (the
//! conversation keeps each id once, in order).
//!
//! The resume point is the newest id the page received in order: from the
//! page's own history and from the socket's `message` frames, which come in
//! id order. Ids the page learned otherwise (the answer to its own post over
//! REST, an `ack`) can be newer than a message it has not received yet, so
//! they never move it.

use leptos::prelude::*;

use crate::client::conversation::Conversation;
use crate::types::UserRef;

/// The connection as the status bar shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionState {
    Connecting,
    Connected,
    /// Down; the next attempt is at this time (ms since the epoch).
    Reconnecting {
        at_ms: u64,
    },
    /// Down for several attempts; messages go over the REST API meanwhile.
    Offline,
    /// Closed for good (the user was banned): no reconnecting.
    Closed,
}

/// What the live connection knows beyond the messages.
#[derive(Clone, Copy)]
pub struct Live {
    pub state: RwSignal<ConnectionState>,
    pub online: RwSignal<Vec<UserRef>>,
    /// Who is typing, with when their notice expires (ms since the epoch).
    pub typing: RwSignal<Vec<(UserRef, u64)>>,
    /// Set when the server closed the socket because the user was banned:
    /// the sentence to show (the page shows it and stops reconnecting).
    pub banned: RwSignal<Option<String>>,
}

impl Live {
    /// Starts the connection once the page is hydrated (never on the server).
    pub fn start(conversation: Conversation) -> Live {
        let live = Live {
            state: RwSignal::new(ConnectionState::Connecting),
            online: RwSignal::new(Vec::new()),
            typing: RwSignal::new(Vec::new()),
            banned: RwSignal::new(None),
        };
        Effect::new(move |started: Option<()>| {
            if started.is_none() {
                #[cfg(feature = "hydrate")]
                browser::connect(browser::Connection::new(live, conversation));
                #[cfg(not(feature = "hydrate"))]
                let _ = conversation;
            }
        });
        live
    }

    /// Names of the others typing right now.
    pub fn typing_names(&self, now_ms: u64) -> Vec<String> {
        self.typing.with(|t| {
            t.iter()
                .filter(|(_, until)| *until > now_ms)
                .map(|(u, _)| u.username.clone())
                .collect()
        })
    }
}

/// Sends a chat98.v2 frame if the socket is open; false if it is not.
pub fn send_frame(text: &str) -> bool {
    #[cfg(feature = "hydrate")]
    return browser::send_frame(text);
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = text;
        false
    }
}

/// Closes the connection for good, when the user logs off: it must not
/// reconnect while the page is replaced (the session is gone, the attempt
/// would only fail), and the others see the user leave at once.
pub fn stop() {
    #[cfg(feature = "hydrate")]
    browser::stop();
}

/// Whether the page stopped its connection for good (logging off, or the
/// session ended or was banned): nothing should ask the server for more.
pub fn stopped() -> bool {
    #[cfg(feature = "hydrate")]
    return browser::stopped();
    #[cfg(not(feature = "hydrate"))]
    false
}

/// Tells the others the user is typing (at most every few seconds).
pub fn typing() {
    #[cfg(feature = "hydrate")]
    browser::typing();
}

/// Backoff before reconnect attempt `attempt` (0-based): 0.5 s doubling up to
/// 30 s, with up to half of it taken off at random so clients spread out.
pub fn backoff_ms(attempt: u32, random: f64) -> u64 {
    let full = (500u64 << attempt.min(6)).min(30_000) as f64;
    (full * (1.0 - 0.5 * random.clamp(0.0, 1.0))) as u64
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    use std::time::Duration;

    use futures::stream::{SplitSink, SplitStream};
    use futures::{FutureExt, SinkExt, StreamExt};
    use gloo_net::websocket::events::CloseEvent;
    use gloo_net::websocket::futures::WebSocket;
    use gloo_net::websocket::{Message, WebSocketError};
    use leptos::prelude::*;
    use leptos::web_sys::js_sys::{Date, Math};

    use super::{backoff_ms, ConnectionState, Live};
    use crate::client::conversation::Conversation;
    use crate::live_protocol::{close, ServerFrame, HEARTBEAT_SECS, SUBPROTOCOL};
    use crate::server_fns::load_older;
    use crate::types::{ChatMessage, UserRef};

    /// How long a typing notice shows.
    const TYPING_SHOWS_MS: u64 = 4_000;
    /// Failed attempts in a row before the page says it is offline.
    const OFFLINE_AFTER: u32 = 3;
    /// Typing notices go out at most this often.
    const TYPING_EVERY_MS: f64 = 3_000.0;
    /// Where the page goes when its session has ended.
    const SIGN_IN: &str = "/login?next=/chat";

    /// A socket's writing half, with the browser's socket itself: for its
    /// state (frames go out only while it is open) and for closing it.
    struct Socket {
        raw: web_sys::WebSocket,
        sink: SplitSink<WebSocket, Message>,
    }

    thread_local! {
        /// The open socket, for sending.
        static CURRENT: RefCell<Option<Socket>> = const { RefCell::new(None) };
        static LAST_TYPING: Cell<f64> = const { Cell::new(0.0) };
        /// Set by [`stop`]: no connection or reconnection after it.
        static STOPPED: Cell<bool> = const { Cell::new(false) };
    }

    pub fn stop() {
        STOPPED.with(|s| s.set(true));
        // Its reading loop sees the close, and the stop: no reconnecting.
        if let Some(socket) = CURRENT.with(|current| current.borrow_mut().take()) {
            let _ = socket.raw.close();
        }
    }

    pub fn stopped() -> bool {
        STOPPED.with(|s| s.get())
    }

    pub fn send_frame(text: &str) -> bool {
        CURRENT.with(|current| {
            current.borrow_mut().as_mut().is_some_and(|socket| {
                // An open socket's sink takes a frame at once.
                socket.raw.ready_state() == web_sys::WebSocket::OPEN
                    && socket
                        .sink
                        .send(Message::Text(text.to_owned()))
                        .now_or_never()
                        .is_some_and(|sent| sent.is_ok())
            })
        })
    }

    pub fn typing() {
        let now = Date::now();
        if now - LAST_TYPING.with(Cell::get) < TYPING_EVERY_MS {
            return;
        }
        if send_frame(r#"{"type":"typing"}"#) {
            LAST_TYPING.with(|t| t.set(now));
        }
    }

    pub struct Connection {
        live: Live,
        conversation: Conversation,
        /// The current socket, for the watchdog to close.
        socket: RefCell<Option<web_sys::WebSocket>>,
        /// The newest id received in order: where a new socket resumes.
        resume_after: Cell<i64>,
        attempt: Cell<u32>,
        /// Whether a socket has been open before: the next one to open is a
        /// reconnection, after which edits and deletions missed are re-read.
        was_connected: Cell<bool>,
        last_frame_ms: Cell<f64>,
    }

    impl Connection {
        pub fn new(live: Live, conversation: Conversation) -> Rc<Connection> {
            let resume_after = conversation
                .messages
                .with_untracked(|m| m.last().map_or(0, |m| m.id));
            let link = Rc::new(Connection {
                live,
                conversation,
                socket: RefCell::new(None),
                resume_after: Cell::new(resume_after),
                attempt: Cell::new(0),
                was_connected: Cell::new(false),
                last_frame_ms: Cell::new(Date::now()),
            });
            // A socket that has gone quiet for two heartbeats is dead.
            let watchdog = Rc::clone(&link);
            set_interval(
                move || {
                    let quiet = Date::now() - watchdog.last_frame_ms.get();
                    if quiet > (2 * HEARTBEAT_SECS * 1000) as f64 {
                        if let Some(socket) = watchdog.socket.borrow().as_ref() {
                            let _ = socket.close();
                        }
                    }
                },
                Duration::from_secs(5),
            );
            link
        }
    }

    fn url(after: i64) -> Option<String> {
        let location = window().location();
        let scheme = if location.protocol().ok()? == "https:" {
            "wss"
        } else {
            "ws"
        };
        let host = location.host().ok()?;
        Some(format!("{scheme}://{host}/ws/chat/?after={after}"))
    }

    /// Opens the browser's socket, and gloo-net's on top of it.
    fn open(after: i64) -> Option<(web_sys::WebSocket, WebSocket)> {
        let raw = web_sys::WebSocket::new_with_str(&url(after)?, SUBPROTOCOL).ok()?;
        let socket = WebSocket::try_from(raw.clone()).ok()?;
        Some((raw, socket))
    }

    pub fn connect(link: Rc<Connection>) {
        if STOPPED.with(Cell::get) {
            return;
        }
        link.live.state.set(ConnectionState::Connecting);
        let Some((raw, socket)) = open(link.resume_after.get()) else {
            return retry(link);
        };
        link.last_frame_ms.set(Date::now());
        let (sink, stream) = socket.split();
        *link.socket.borrow_mut() = Some(raw.clone());
        CURRENT.with(|current| *current.borrow_mut() = Some(Socket { raw, sink }));
        wasm_bindgen_futures::spawn_local(read(link, stream));
    }

    /// The socket's reading loop: every text frame in turn, then the close.
    async fn read(link: Rc<Connection>, mut stream: SplitStream<WebSocket>) {
        let mut close = None;
        while let Some(item) = stream.next().await {
            match item {
                Ok(Message::Text(text)) => received(&link, &text),
                Err(WebSocketError::ConnectionClose(event)) => close = Some(event),
                // Binary frames are not chat98.v2; an error is followed by
                // the close.
                _ => {}
            }
        }
        // Closed by `stop`: for good.
        if !STOPPED.with(Cell::get) {
            closed(&link, close);
        }
    }

    fn received(link: &Rc<Connection>, text: &str) {
        link.last_frame_ms.set(Date::now());
        if link.live.state.get_untracked() != ConnectionState::Connected {
            link.live.state.set(ConnectionState::Connected);
            link.attempt.set(0);
            if link.was_connected.replace(true) {
                reread_newest(link.conversation);
            }
        }
        if let Some(frame) = parse_frame(text) {
            receive(link, frame);
        }
    }

    /// The socket closed: sign in again, show the ban, or reconnect.
    fn closed(link: &Rc<Connection>, event: Option<CloseEvent>) {
        let code = event.as_ref().map(|e| e.code);
        if code == Some(close::SESSION_ENDED) {
            // Signed out (here or elsewhere) or expired: sign in again.
            stop();
            let _ = window().location().set_href(SIGN_IN);
            return;
        }
        if code == Some(close::BANNED) {
            // Reconnecting would be refused: say why, and stay until the
            // user has read it (the message box then goes to the sign-in page).
            stop();
            link.live.state.set(ConnectionState::Closed);
            let sentence = event
                .map(|e| e.reason)
                .filter(|r| !r.trim().is_empty())
                .unwrap_or_else(|| crate::types::banned_sentence(None, None));
            link.live.banned.set(Some(sentence));
            return;
        }
        leptos::logging::log!("chat connection closed ({code:?}); reconnecting");
        retry(Rc::clone(link));
    }

    /// The socket's catch-up brings the messages missed while away, but not
    /// the edits and deletions of older ones: re-read the newest page. The
    /// page of history before the largest id is that page, and reading it
    /// has no side effect (the chat page's own load would also mark it all
    /// read, though a tab that reconnects in the background shows nobody
    /// anything).
    fn reread_newest(conversation: Conversation) {
        leptos::task::spawn_local(async move {
            if let Ok(newest) = load_older(i64::MAX).await {
                conversation.reconcile(&newest);
            }
        });
    }

    fn retry(link: Rc<Connection>) {
        CURRENT.with(|current| *current.borrow_mut() = None);
        if let Some(old) = link.socket.borrow_mut().take() {
            let _ = old.close();
        }
        if STOPPED.with(Cell::get) {
            return;
        }
        let attempt = link.attempt.get();
        link.attempt.set(attempt + 1);
        let wait = backoff_ms(attempt, Math::random());
        let at_ms = Date::now() as u64 + wait;
        link.live.state.set(if attempt < OFFLINE_AFTER {
            ConnectionState::Reconnecting { at_ms }
        } else {
            ConnectionState::Offline
        });
        set_timeout(move || connect(link), Duration::from_millis(wait));
    }

    /// The fields of every server frame side by side. Read with serde's
    /// internally tagged enum, `ServerFrame` would buffer each frame through
    /// serde's generic `Content` first, which costs the bundle much more code.
    #[derive(serde::Deserialize)]
    struct RawFrame {
        #[serde(rename = "type")]
        kind: String,
        #[serde(default)]
        message: Option<ChatMessage>,
        #[serde(default)]
        client_id: Option<String>,
        #[serde(default)]
        detail: Option<String>,
        #[serde(default)]
        users: Option<Vec<UserRef>>,
        #[serde(default)]
        user: Option<UserRef>,
        #[serde(default)]
        after: Option<i64>,
        #[serde(default)]
        before: Option<i64>,
        #[serde(default)]
        id: Option<i64>,
    }

    /// A chat98.v2 frame from the server, or `None` if it is not one. The
    /// fields `receive` does not use (an error's `fields` and `retry_after`)
    /// are skipped.
    fn parse_frame(text: &str) -> Option<ServerFrame> {
        let raw: RawFrame = serde_json::from_slice(text.as_bytes()).ok()?;
        Some(match raw.kind.as_str() {
            "message" => ServerFrame::Message {
                message: raw.message?,
            },
            "ack" => ServerFrame::Ack {
                client_id: raw.client_id,
                message: raw.message?,
            },
            "error" => ServerFrame::Error {
                client_id: raw.client_id,
                detail: raw.detail?,
                fields: Default::default(),
                retry_after: None,
            },
            "presence" => ServerFrame::Presence { users: raw.users? },
            "joined" => ServerFrame::Joined { user: raw.user? },
            "left" => ServerFrame::Left { user: raw.user? },
            "typing" => ServerFrame::Typing { user: raw.user? },
            "heartbeat" => ServerFrame::Heartbeat,
            "edited" => ServerFrame::Edited {
                message: raw.message?,
            },
            "deleted" => ServerFrame::Deleted { id: raw.id? },
            "gap" => ServerFrame::Gap {
                after: raw.after?,
                before: raw.before?,
            },
            _ => return None,
        })
    }

    fn receive(link: &Connection, frame: ServerFrame) {
        let live = link.live;
        match frame {
            ServerFrame::Message { message } => {
                link.resume_after
                    .set(link.resume_after.get().max(message.id));
                link.conversation.merge(vec![message]);
            }
            // An ack may overtake a message stored just before: it confirms
            // the pending bubble but is no resume point.
            ServerFrame::Ack { message, .. } => link.conversation.merge(vec![message]),
            // In order with the messages, so the message is shown already
            // (or long gone, and then there is nothing to do).
            ServerFrame::Edited { message } => link.conversation.apply_edit(message),
            ServerFrame::Deleted { id } => link.conversation.remove(id),
            // Too much was missed for one catch-up: show what follows, and
            // let scrolling up read the rest.
            ServerFrame::Gap { .. } => link.conversation.forget_before_gap(),
            ServerFrame::Error {
                client_id, detail, ..
            } => {
                if let Some(id) = client_id {
                    link.conversation.fail(&id, detail);
                }
            }
            ServerFrame::Presence { users } => live.online.set(users),
            ServerFrame::Joined { user } => live.online.update(|online| {
                if !online.iter().any(|u| u.id == user.id) {
                    online.push(user);
                    online.sort_by_key(|u| u.username.to_lowercase());
                }
            }),
            ServerFrame::Left { user } => {
                live.online
                    .update(|online| online.retain(|u| u.id != user.id));
                live.typing.update(|t| t.retain(|(u, _)| u.id != user.id));
            }
            ServerFrame::Typing { user } => {
                let until = Date::now() as u64 + TYPING_SHOWS_MS;
                live.typing.update(|t| {
                    t.retain(|(u, _)| u.id != user.id);
                    t.push((user, until));
                });
                // Re-render once the notice has expired.
                set_timeout(
                    move || {
                        live.typing
                            .update(|t| t.retain(|(_, u)| *u > Date::now() as u64))
                    },
                    Duration::from_millis(TYPING_SHOWS_MS + 50),
                );
            }
            ServerFrame::Heartbeat => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::backoff_ms;

    #[test]
    fn backoff_doubles_to_thirty_seconds_with_jitter() {
        assert_eq!(backoff_ms(0, 0.0), 500);
        assert_eq!(backoff_ms(1, 0.0), 1_000);
        assert_eq!(backoff_ms(5, 0.0), 16_000);
        assert_eq!(backoff_ms(6, 0.0), 30_000);
        assert_eq!(backoff_ms(40, 0.0), 30_000);
        assert_eq!(backoff_ms(0, 1.0), 250);
        assert_eq!(backoff_ms(6, 0.5), 22_500);
    }
}
