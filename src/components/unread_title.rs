//! While the tab is hidden, the document title counts the messages from
//! others that arrived: "(3) Chat Room". Showing the tab clears it.

use crate::client::conversation::Conversation;

/// "(3) Chat Room" for 3 unread messages, the plain title for none.
pub fn titled(base: &str, unread: usize) -> String {
    if unread == 0 {
        base.to_owned()
    } else {
        format!("({unread}) {base}")
    }
}

/// Keeps the title's unread count (browser only).
pub fn track_unread(conversation: Conversation) {
    #[cfg(feature = "hydrate")]
    browser::track(conversation);
    #[cfg(not(feature = "hydrate"))]
    let _ = conversation;
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    use super::titled;
    use crate::client::conversation::Conversation;

    pub fn track(conversation: Conversation) {
        let unread = RwSignal::new(0usize);
        let base = StoredValue::new(String::new());
        // Count what others add while hidden.
        Effect::new(move |seen: Option<Option<i64>>| {
            let last = conversation.messages.with(|m| m.last().map(|m| m.id));
            if let Some(seen) = seen {
                if document().hidden() {
                    let new = conversation.from_others_after(seen.unwrap_or(0)).len();
                    unread.update(|n| *n += new);
                }
            }
            last
        });
        Effect::new(move |_| {
            let n = unread.get();
            if base.with_value(String::is_empty) {
                base.set_value(document().title());
            }
            document().set_title(&base.with_value(|b| titled(b, n)));
        });
        let on_visibility = Closure::<dyn FnMut()>::new(move || {
            if !document().hidden() {
                unread.set(0);
            }
        });
        let _ = document().add_event_listener_with_callback(
            "visibilitychange",
            on_visibility.as_ref().unchecked_ref(),
        );
        // The page lives as long as the listener.
        on_visibility.forget();
    }
}

#[cfg(test)]
mod tests {
    use super::titled;

    #[test]
    fn the_count_leads_the_title() {
        assert_eq!(titled("Chat Room", 0), "Chat Room");
        assert_eq!(titled("Chat Room", 3), "(3) Chat Room");
    }
}
