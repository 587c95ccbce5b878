//! What the reader has not seen yet: the unread divider's place, and while
//! the tab is hidden, the count in the title ("(3) Chat Room", "(@) Chat
//! Room" when one of them mentions you). Each arrival from someone else also
//! goes to `alerts` (the chime and desktop notifications).
//!
//! The divider sits above the first message from someone else after a mark:
//! the server's read mark when the page is rendered (so it works without
//! JavaScript), then, with JavaScript, the newest message when the tab was
//! hidden. It leaves when you send, and moves the next time you come back.

use leptos::prelude::*;

use super::conversation::Conversation;
use crate::types::ChatMessage;

/// How often, at most, the page tells the server how far the reader has read.
pub const REPORT_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// The page's unread state, provided as context by the chat page.
#[derive(Clone, Copy)]
pub struct Unread {
    /// Messages from others that arrived while the tab was hidden.
    pub count: RwSignal<usize>,
    /// Whether one of them mentions the reader.
    pub mentioned: RwSignal<bool>,
    /// The divider goes after this message id (`None`: no divider).
    pub mark: RwSignal<Option<i64>>,
    /// The message the divider sits above, if any.
    pub first_unread: Memo<Option<i64>>,
}

impl Unread {
    /// Starts from the server's read mark and provides the state as context;
    /// in the browser, also keeps the title and the mark up to date.
    pub fn provide(conversation: Conversation, read_mark: Option<i64>) -> Unread {
        let mark = RwSignal::new(read_mark);
        let first_unread = Memo::new(move |_| {
            let mark = mark.get()?;
            conversation
                .messages
                .with(|m| first_from_others_after(m, conversation.me, mark))
        });
        let unread = Unread {
            count: RwSignal::new(0),
            mentioned: RwSignal::new(false),
            mark,
            first_unread,
        };
        provide_context(unread);
        #[cfg(feature = "hydrate")]
        browser::track(conversation, unread);
        unread
    }
}

/// The id of the first message from someone other than `me` after `mark`.
pub fn first_from_others_after(messages: &[ChatMessage], me: i64, mark: i64) -> Option<i64> {
    messages
        .iter()
        .find(|m| m.id > mark && m.user.id != me)
        .map(|m| m.id)
}

/// "(3) Chat Room" for 3 unread messages, "(@) Chat Room" when one of them
/// mentions the reader, the plain title for none.
pub fn titled(base: &str, unread: usize, mentioned: bool) -> String {
    match (unread, mentioned) {
        (0, _) => base.to_owned(),
        (_, true) => format!("(@) {base}"),
        (n, false) => format!("({n}) {base}"),
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    use super::{titled, Unread};
    use crate::client::alerts;
    use crate::client::conversation::Conversation;
    use crate::client::preferences::use_preferences;
    use crate::types::ChatMessage;

    pub fn track(conversation: Conversation, unread: Unread) {
        let prefs = use_preferences();
        // Each change of the list: what arrived after the newest seen before.
        Effect::new(move |seen: Option<Option<i64>>| {
            let newest = conversation.messages.with(|m| m.last().map(|m| m.id));
            if let Some(seen) = seen {
                let arrived = arrivals(conversation, seen.unwrap_or(0));
                let hidden = document().hidden();
                on_arrival(conversation, unread, &arrived, hidden);
                if let Some(prefs) = prefs {
                    alerts::on_arrival(
                        conversation,
                        &arrived,
                        hidden,
                        &prefs.current.get_untracked(),
                    );
                }
            }
            newest
        });
        alerts::allow_sound();
        keep_title(unread);
        watch_visibility(conversation, unread);
        report_read(conversation);
    }

    fn arrivals(conversation: Conversation, seen: i64) -> Vec<ChatMessage> {
        conversation
            .messages
            .with_untracked(|m| m.iter().filter(|m| m.id > seen).cloned().collect())
    }

    fn on_arrival(
        conversation: Conversation,
        unread: Unread,
        arrived: &[ChatMessage],
        hidden: bool,
    ) {
        // Sending (here or in another tab) means the reader has caught up.
        if arrived.iter().any(|m| m.user.id == conversation.me) {
            unread.mark.set(None);
        }
        if !hidden {
            return;
        }
        let others: Vec<&ChatMessage> = arrived
            .iter()
            .filter(|m| m.user.id != conversation.me)
            .collect();
        if !others.is_empty() {
            unread.count.update(|n| *n += others.len());
        }
        if others.iter().any(|m| conversation.mentions_me(m)) {
            unread.mentioned.set(true);
        }
    }

    fn keep_title(unread: Unread) {
        let base = StoredValue::new(String::new());
        Effect::new(move |_| {
            let (n, mentioned) = (unread.count.get(), unread.mentioned.get());
            if base.with_value(String::is_empty) {
                base.set_value(document().title());
            }
            document().set_title(&base.with_value(|b| titled(b, n, mentioned)));
        });
    }

    /// Hiding the tab moves the divider's mark to the newest message; showing
    /// it clears the title's count.
    fn watch_visibility(conversation: Conversation, unread: Unread) {
        let on_visibility = Closure::<dyn FnMut()>::new(move || {
            if document().hidden() {
                let newest = conversation
                    .messages
                    .with_untracked(|m| m.last().map(|m| m.id));
                unread.mark.set(newest);
            } else {
                unread.count.set(0);
                unread.mentioned.set(false);
            }
        });
        let _ = document().add_event_listener_with_callback(
            "visibilitychange",
            on_visibility.as_ref().unchecked_ref(),
        );
        // The page lives as long as the listener.
        on_visibility.forget();
    }

    /// While the tab is visible, tells the server the newest message shown:
    /// at most once per [`REPORT_EVERY`] (a busy room must not cost one
    /// request per message and reader), in one request at a time.
    fn report_read(conversation: Conversation) {
        let reported = StoredValue::new(0i64);
        let waiting = StoredValue::new(false);
        let visible = RwSignal::new(!document().hidden());
        let on_visibility = Closure::<dyn FnMut()>::new(move || visible.set(!document().hidden()));
        let _ = document().add_event_listener_with_callback(
            "visibilitychange",
            on_visibility.as_ref().unchecked_ref(),
        );
        on_visibility.forget();
        let report = move || {
            // Hidden meanwhile: what arrived since was not seen. Stopped
            // (logged off, banned): the session is over.
            if document().hidden() || crate::client::live::stopped() {
                waiting.set_value(false);
                return;
            }
            let newest = conversation
                .messages
                .with_untracked(|m| m.last().map_or(0, |m| m.id));
            leptos::task::spawn_local(async move {
                if crate::server_fns::mark_read(newest).await.is_ok() {
                    reported.set_value(newest);
                }
                waiting.set_value(false);
            });
        };
        Effect::new(move |_| {
            let newest = conversation.messages.with(|m| m.last().map_or(0, |m| m.id));
            if !visible.get() || newest <= reported.get_value() || waiting.get_value() {
                return;
            }
            waiting.set_value(true);
            set_timeout(report, super::REPORT_EVERY);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(id: i64, author: i64) -> ChatMessage {
        ChatMessage::sample(id, author, "hi")
    }

    #[test]
    fn the_count_leads_the_title() {
        assert_eq!(titled("Chat Room", 0, false), "Chat Room");
        assert_eq!(titled("Chat Room", 3, false), "(3) Chat Room");
        assert_eq!(titled("Chat Room", 3, true), "(@) Chat Room");
        assert_eq!(titled("Chat Room", 0, true), "Chat Room");
    }

    #[test]
    fn the_divider_skips_your_own_messages() {
        let messages = [from(1, 2), from(2, 1), from(3, 1), from(4, 2)];
        assert_eq!(first_from_others_after(&messages, 1, 1), Some(4));
        assert_eq!(first_from_others_after(&messages, 1, 0), Some(1));
        assert_eq!(first_from_others_after(&messages, 1, 4), None);
    }
}
