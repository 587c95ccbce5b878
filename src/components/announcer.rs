//! A visually hidden polite live region that reads out messages from others
//! as they arrive: "New message from ann: hi". The message list itself is not
//! live, so screen readers stay quiet when older history loads above or when
//! the user's own message is stored.

use leptos::prelude::*;

use crate::client::conversation::Conversation;
use crate::types::ChatMessage;

/// More new messages than this at once (a catch-up after a reconnect) are
/// summed up instead of read out one by one.
const READ_OUT_AT_MOST: usize = 3;

#[component]
pub fn Announcer(conversation: Conversation) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let newest = Memo::new(move |_| conversation.messages.with(|m| m.last().map_or(0, |m| m.id)));
    // Effects run in the browser only, after hydration: the history the page
    // opened with is not announced, only what arrives later. Edits keep the
    // ids and deletions only lower the newest: neither is ever read out (the
    // highest id seen is kept, so a deletion cannot make an old message new).
    Effect::new(move |seen: Option<i64>| {
        let last = newest.get();
        if let Some(seen) = seen.filter(|seen| last > *seen) {
            if let Some(words) = announcement(&conversation.from_others_after(seen)) {
                text.set(words);
            }
        }
        seen.map_or(last, |seen| seen.max(last))
    });
    view! {
        <p class="visually-hidden announcer" role="status" aria-live="polite" aria-atomic="true">
            {text}
        </p>
    }
}

/// What to say about `new` messages from others, if anything.
fn announcement(new: &[ChatMessage]) -> Option<String> {
    let said = |m: &ChatMessage| format!("New message from {}: {}", m.user.username, m.content);
    match new {
        [] => None,
        few if few.len() <= READ_OUT_AT_MOST => {
            Some(few.iter().map(said).collect::<Vec<_>>().join("\n"))
        }
        [.., last] => Some(format!("{} new messages. {}", new.len(), said(last))),
    }
}

#[cfg(test)]
mod tests {
    use super::announcement;
    use crate::types::ChatMessage;

    fn from(username: &str, content: &str) -> ChatMessage {
        let mut m = ChatMessage::sample(1, 2, content);
        m.user.username = username.into();
        m
    }

    #[test]
    fn a_few_are_read_out_a_flood_is_summed_up() {
        assert_eq!(announcement(&[]), None);
        assert_eq!(
            announcement(&[from("ann", "hi")]).as_deref(),
            Some("New message from ann: hi")
        );
        assert_eq!(
            announcement(&[from("ann", "hi"), from("bo", "yo")]).as_deref(),
            Some("New message from ann: hi\nNew message from bo: yo")
        );
        let flood: Vec<_> = (0..5).map(|i| from("ann", &format!("m{i}"))).collect();
        assert_eq!(
            announcement(&flood).as_deref(),
            Some("5 new messages. New message from ann: m4")
        );
    }
}
