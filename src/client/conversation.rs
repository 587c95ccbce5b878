//! The chat window's model in the browser: the stored messages (ordered by
//! id, each once), the messages on their way out, and how far back the
//! history goes. Everything that brings messages in goes through `merge`.

use leptos::prelude::*;

use crate::server_fns::load_older;
use crate::times::stamp_ms;
use crate::types::{ChatMessage, Role, HISTORY_PAGE};

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
    /// The signed-in user's name (mentions of it are highlighted).
    pub my_name: StoredValue<String>,
    /// What the signed-in user may do to others' messages.
    pub role: Role,
    /// How long after sending its author may edit a message, in ms.
    pub edit_window_ms: u64,
    pub messages: RwSignal<Vec<ChatMessage>>,
    pub pending: RwSignal<Vec<Pending>>,
    pub history: RwSignal<History>,
    /// Why the last attempt to load older messages failed.
    pub history_error: RwSignal<Option<String>>,
}

impl Conversation {
    pub fn new(
        me: Me,
        messages: Vec<ChatMessage>,
        history_complete: bool,
        send_frame: Callback<String, bool>,
    ) -> Self {
        Conversation {
            send_frame,
            me: me.id,
            my_name: StoredValue::new(me.username),
            role: me.role,
            edit_window_ms: me.edit_window_secs.saturating_mul(1000),
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

    /// Whether `message` is someone else's and mentions the signed-in user.
    pub fn mentions_me(&self, message: &ChatMessage) -> bool {
        message.user.id != self.me && self.my_name.with_value(|name| message.mentions_user(name))
    }

    /// A shown message was edited: takes its new text, unless what is shown
    /// is already a later edit (edits can overtake each other when one comes
    /// over the socket and another from the page's own request).
    pub fn apply_edit(&self, edited: ChatMessage) {
        let newer = self.messages.with_untracked(|m| {
            m.iter()
                .find(|m| m.id == edited.id)
                .is_some_and(|shown| is_newer_edit(shown, &edited))
        });
        if newer {
            self.messages.update(|m| {
                if let Some(shown) = m.iter_mut().find(|m| m.id == edited.id) {
                    shown.content = edited.content;
                    shown.edited_at = edited.edited_at;
                    shown.mentions = edited.mentions;
                }
            });
        }
    }

    /// A message was deleted (here, elsewhere, or by a moderator).
    pub fn remove(&self, id: i64) {
        if self
            .messages
            .with_untracked(|m| m.iter().any(|m| m.id == id))
        {
            self.messages.update(|m| m.retain(|m| m.id != id));
        }
    }

    /// After time away: `page` is the server's newest page now. Shown
    /// messages in its id range take its text, and those missing from it
    /// were deleted meanwhile. Nothing is added: the socket's catch-up
    /// brings new messages, in order.
    pub fn reconcile(&self, page: &[ChatMessage]) {
        let (Some(first), Some(last)) = (page.first(), page.last()) else {
            return;
        };
        let (low, high) = (first.id, last.id);
        let gone: Vec<i64> = self.messages.with_untracked(|m| {
            m.iter()
                .filter(|m| m.id >= low && m.id <= high)
                .filter(|m| page.binary_search_by_key(&m.id, |p| p.id).is_err())
                .map(|m| m.id)
                .collect()
        });
        for id in gone {
            self.remove(id);
        }
        for message in page.iter().filter(|m| m.edited_at.is_some()) {
            self.apply_edit(message.clone());
        }
    }

    /// Whether the user may still edit `message` at `now_ms` (ms since the
    /// epoch): their own, within the edit window. The server checks again.
    pub fn may_edit(&self, message: &ChatMessage, now_ms: u64) -> bool {
        message.user.id == self.me
            && stamp_ms(&message.timestamp)
                .is_some_and(|sent| now_ms < sent.saturating_add(self.edit_window_ms))
    }

    /// Whether the user may delete `message`: their own, or any as moderator.
    pub fn may_delete(&self, message: &ChatMessage) -> bool {
        message.user.id == self.me || self.role == Role::Moderator
    }

    /// Whether the user may ban `message`'s author.
    pub fn may_ban(&self, message: &ChatMessage) -> bool {
        message.user.id != self.me && self.role == Role::Moderator
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

/// Who the conversation belongs to and what they may do.
#[derive(Clone, Debug)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub edit_window_secs: u64,
}

/// Whether `incoming` is at least as recent an edit as `shown`. The server
/// writes every `edited_at` in one fixed-width UTC format, so the strings
/// sort as the times do; never edited sorts first.
fn is_newer_edit(shown: &ChatMessage, incoming: &ChatMessage) -> bool {
    match (&shown.edited_at, &incoming.edited_at) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(a), Some(b)) => b >= a,
    }
}

/// The time now in ms since the epoch: the browser's clock, or the
/// server's while it renders.
pub fn now_ms() -> u64 {
    #[cfg(feature = "hydrate")]
    return leptos::web_sys::js_sys::Date::now() as u64;
    #[cfg(not(feature = "hydrate"))]
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
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

    fn message(id: i64) -> ChatMessage {
        ChatMessage::sample(id, 1, &format!("m{id}"))
    }

    fn conversation(role: Role, messages: Vec<ChatMessage>) -> Conversation {
        let me = Me {
            id: 1,
            username: "me".into(),
            role,
            edit_window_secs: 60,
        };
        Conversation::new(me, messages, true, Callback::new(|_: String| false))
    }

    fn stamped(id: i64, author: i64, timestamp: &str) -> ChatMessage {
        let mut m = message(id);
        m.user.id = author;
        m.timestamp = timestamp.into();
        m
    }

    #[test]
    fn authors_edit_within_the_window_and_moderators_delete_anything() {
        // Signals live in the arena of a reactive owner.
        Owner::new().with(|| {
            let mine = stamped(1, 1, "2026-11-23T20:15:00.000000Z");
            let theirs = stamped(2, 2, "2026-11-23T20:15:00.000000Z");
            let sent = stamp_ms(&mine.timestamp).unwrap_or_default();
            let member = conversation(Role::Member, vec![]);
            assert!(member.may_edit(&mine, sent + 59_999));
            assert!(!member.may_edit(&mine, sent + 60_000));
            assert!(!member.may_edit(&theirs, sent));
            assert!(member.may_delete(&mine) && !member.may_delete(&theirs));
            assert!(!member.may_ban(&theirs));
            let moderator = conversation(Role::Moderator, vec![]);
            assert!(moderator.may_delete(&theirs) && moderator.may_ban(&theirs));
            assert!(!moderator.may_ban(&mine) && !moderator.may_edit(&theirs, sent));
        });
    }

    #[test]
    fn edits_replace_text_and_deletions_remove() {
        // Signals live in the arena of a reactive owner.
        Owner::new().with(|| {
            let c = conversation(Role::Member, vec![message(1), message(2), message(3)]);
            let mut edit = message(2);
            edit.content = "new".into();
            edit.edited_at = Some("2026-11-23T20:16:00.000000Z".into());
            c.apply_edit(edit.clone());
            let mut stale = edit.clone();
            stale.content = "older".into();
            stale.edited_at = Some("2026-11-23T20:15:30.000000Z".into());
            c.apply_edit(stale);
            c.remove(3);
            let shown = c.messages.get_untracked();
            assert_eq!(shown.len(), 2);
            assert_eq!(shown[1].content, "new");
            assert_eq!(shown[1].edited_at, edit.edited_at);
        });
    }

    #[test]
    fn a_fresh_page_takes_away_what_was_deleted_meanwhile() {
        // Signals live in the arena of a reactive owner.
        Owner::new().with(|| {
            let c = conversation(Role::Member, (1..=6).map(message).collect());
            let mut edited = message(4);
            edited.content = "changed".into();
            edited.edited_at = Some("2026-11-23T20:16:00.000000Z".into());
            // Id 5 was deleted; 1 and 2 are older than the page: unknown, kept.
            c.reconcile(&[message(3), edited, message(6)]);
            let shown: Vec<(i64, String)> = c
                .messages
                .get_untracked()
                .into_iter()
                .map(|m| (m.id, m.content))
                .collect();
            assert_eq!(
                shown,
                vec![
                    (1, "m1".into()),
                    (2, "m2".into()),
                    (3, "m3".into()),
                    (4, "changed".into()),
                    (6, "m6".into())
                ]
            );
        });
    }

    #[test]
    fn a_late_older_edit_does_not_win() {
        let mut shown = message(1);
        let mut late = message(1);
        shown.edited_at = Some("2026-11-23T20:15:05.000000Z".into());
        late.edited_at = Some("2026-11-23T20:15:04.000000Z".into());
        assert!(!is_newer_edit(&shown, &late));
        assert!(is_newer_edit(&late, &shown));
        assert!(is_newer_edit(&message(1), &shown));
        assert!(!is_newer_edit(&shown, &message(1)));
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
