//! The chat window's model in the browser: the stored messages (ordered by
//! id, each once), the messages on their way out, and how far back the
//! history goes. Everything that brings messages in goes through `merge`.

use leptos::prelude::*;

use crate::server_fns::load_older;
use crate::types::{ChatMessage, HISTORY_PAGE};

/// How long an acknowledgement over the websocket may take before the
/// message goes over the REST API instead.
#[cfg(feature = "hydrate")]
const ACK_PATIENCE: std::time::Duration = std::time::Duration::from_secs(8);

/// A message the user sent that the server has not confirmed yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// Sent with every attempt, so a retry never stores the message twice.
    pub client_id: String,
    pub content: String,
    /// `None` while sending; the reason once it failed.
    pub failure: Option<String>,
}

/// Where the older history stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum History {
    /// There may be older messages.
    More,
    Loading,
    /// The oldest retained message is shown.
    Complete,
}

#[derive(Clone, Copy)]
pub struct Conversation {
    /// Sends a chat98.v2 frame over the live connection; false when it is
    /// down (the page wires it to `client::live::send_frame`).
    send_frame: Callback<String, bool>,
    pub me: i64,
    pub messages: RwSignal<Vec<ChatMessage>>,
    pub pending: RwSignal<Vec<Pending>>,
    pub history: RwSignal<History>,
    /// Why the last attempt to load older messages failed.
    pub history_error: RwSignal<Option<String>>,
}

impl Conversation {
    pub fn new(
        me: i64,
        messages: Vec<ChatMessage>,
        history_complete: bool,
        send_frame: Callback<String, bool>,
    ) -> Self {
        Conversation {
            send_frame,
            me,
            messages: RwSignal::new(messages),
            pending: RwSignal::new(Vec::new()),
            history: RwSignal::new(if history_complete {
                History::Complete
            } else {
                History::More
            }),
            history_error: RwSignal::new(None),
        }
    }

    /// Adds stored messages, keeping id order and each id once; a message of
    /// ours that carries an outgoing client id replaces that pending bubble.
    pub fn merge(&self, incoming: Vec<ChatMessage>) {
        if incoming.is_empty() {
            return;
        }
        let confirmed: Vec<String> = incoming
            .iter()
            .filter(|m| m.user.id == self.me)
            .filter_map(|m| m.client_id.clone())
            .collect();
        self.messages
            .update(|messages| merge_by_id(messages, incoming));
        if !confirmed.is_empty() {
            self.pending
                .update(|pending| pending.retain(|o| !confirmed.contains(&o.client_id)));
        }
    }

    /// The socket skipped messages between what is shown and what comes
    /// next: drop what is shown (the newest come next) and let older pages
    /// load on scrolling, as after a fresh start.
    pub fn forget_before_gap(&self) {
        self.messages.set(Vec::new());
        self.history_error.set(None);
        self.history.set(History::More);
    }

    /// Queues `content` and sends it.
    pub fn send(&self, content: String) {
        let message = Pending {
            client_id: new_client_id(),
            content,
            failure: None,
        };
        let client_id = message.client_id.clone();
        self.pending.update(|pending| pending.push(message));
        self.deliver(client_id);
    }

    /// Tries a failed message again, under the same client id.
    pub fn retry(&self, client_id: String) {
        self.set_failure(&client_id, None);
        self.deliver(client_id);
    }

    /// Marks an outgoing message as failed, with the reason.
    pub fn fail(&self, client_id: &str, reason: String) {
        self.set_failure(client_id, Some(reason));
    }

    /// The messages from other people with ids above `floor`, oldest first
    /// (what arrived since the newest id was `floor`).
    pub fn from_others_after(&self, floor: i64) -> Vec<ChatMessage> {
        self.messages.with_untracked(|m| {
            m.iter()
                .filter(|m| m.id > floor && m.user.id != self.me)
                .cloned()
                .collect()
        })
    }

    /// Drops messages stored before `cutoff_ms` (ms since the epoch), as the
    /// server no longer serves them either.
    pub fn drop_expired(&self, cutoff_ms: f64, stamp_ms: impl Fn(&ChatMessage) -> f64) {
        let any = self
            .messages
            .with_untracked(|m| m.first().is_some_and(|m| stamp_ms(m) < cutoff_ms));
        if any {
            self.messages
                .update(|m| m.retain(|m| stamp_ms(m) >= cutoff_ms));
        }
    }

    fn set_failure(&self, client_id: &str, failure: Option<String>) {
        self.pending.update(|pending| {
            if let Some(o) = pending.iter_mut().find(|o| o.client_id == client_id) {
                o.failure = failure;
            }
        });
    }

    /// Sends over the websocket when it is open; otherwise, or when no
    /// answer comes in time, over the REST API. Both carry the client id, so
    /// the message is stored once however many ways it went.
    fn deliver(&self, client_id: String) {
        let Some(content) = self.pending.with_untracked(|pending| {
            pending
                .iter()
                .find(|o| o.client_id == client_id)
                .map(|o| o.content.clone())
        }) else {
            return;
        };
        let frame = serde_json::to_string(&MessageFrame {
            client_id: &client_id,
            content: &content,
            kind: "message",
        })
        .unwrap_or_default();
        if self.send_frame.run(frame) {
            #[cfg(feature = "hydrate")]
            {
                let this = *self;
                set_timeout(
                    move || {
                        if this.is_sending(&client_id) {
                            this.deliver_over_rest(client_id, content);
                        }
                    },
                    ACK_PATIENCE,
                );
            }
        } else {
            self.deliver_over_rest(client_id, content);
        }
    }

    #[cfg(feature = "hydrate")]
    fn is_sending(&self, client_id: &str) -> bool {
        self.pending.with_untracked(|pending| {
            pending
                .iter()
                .any(|o| o.client_id == client_id && o.failure.is_none())
        })
    }

    fn deliver_over_rest(&self, client_id: String, content: String) {
        #[cfg(feature = "hydrate")]
        {
            let this = *self;
            leptos::task::spawn_local(async move {
                match super::rest_fallback::post_message(&content, &client_id).await {
                    Ok(message) => this.merge(vec![message]),
                    Err(reason) => this.fail(&client_id, reason),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (client_id, content);
    }

    /// Loads the page of history before the oldest message shown.
    pub fn load_older(&self) {
        if self.history.get_untracked() != History::More {
            return;
        }
        let Some(oldest) = self.messages.with_untracked(|m| m.first().map(|m| m.id)) else {
            self.history.set(History::Complete);
            return;
        };
        self.history.set(History::Loading);
        self.history_error.set(None);
        let this = *self;
        leptos::task::spawn_local(async move {
            match load_older(oldest).await {
                Ok(page) => {
                    let complete = page.len() < HISTORY_PAGE;
                    this.merge(page);
                    this.history.set(if complete {
                        History::Complete
                    } else {
                        History::More
                    });
                }
                Err(e) => {
                    this.history_error.set(Some(e.to_string()));
                    this.history.set(History::More);
                }
            }
        });
    }
}

/// A chat98.v2 `message` frame, its keys in the order `json!` wrote them.
/// (A plain struct: `serde_json::Value` would add code to the WASM bundle.)
#[derive(serde::Serialize)]
struct MessageFrame<'a> {
    client_id: &'a str,
    content: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// Inserts `incoming` into `messages` (sorted by id), skipping ids present.
fn merge_by_id(messages: &mut Vec<ChatMessage>, incoming: Vec<ChatMessage>) {
    for message in incoming {
        // New messages usually go at the end: check there first.
        if messages.last().is_none_or(|last| last.id < message.id) {
            messages.push(message);
            continue;
        }
        if let Err(at) = messages.binary_search_by_key(&message.id, |m| m.id) {
            messages.insert(at, message);
        }
    }
}

/// A random id for an outgoing message.
fn new_client_id() -> String {
    random_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// `crypto.getRandomValues` works on plain http too, unlike `randomUUID`.
#[cfg(feature = "hydrate")]
fn random_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    let filled = window()
        .crypto()
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).map(|_| ()));
    if filled.is_err() {
        // No Web Crypto: time and Math.random still make a collision unlikely.
        use leptos::web_sys::js_sys::{Date, Math};
        let seed = (Date::now() as u64) ^ (Math::random() * 1e15) as u64;
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
    }
    bytes
}

/// Only the browser sends from the composer; the server build never calls this.
#[cfg(not(feature = "hydrate"))]
fn random_bytes() -> [u8; 16] {
    [0; 16]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::UserRef;

    fn message(id: i64) -> ChatMessage {
        ChatMessage {
            id,
            user: UserRef {
                id: 1,
                username: "a".into(),
            },
            content: format!("m{id}"),
            timestamp: String::new(),
            formatted_timestamp: String::new(),
            client_id: None,
            edited_at: None,
        }
    }

    #[test]
    fn merging_keeps_id_order_and_each_id_once() {
        let mut messages = vec![message(3), message(5)];
        merge_by_id(
            &mut messages,
            vec![message(6), message(1), message(5), message(4), message(6)],
        );
        let ids: Vec<i64> = messages.iter().map(|m| m.id).collect();
        assert_eq!(ids, vec![1, 3, 4, 5, 6]);
    }
}
