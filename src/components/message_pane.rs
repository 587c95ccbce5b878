//! The inset white pane with the conversation, newest at the bottom.

use leptos::prelude::*;

use super::message_bubble::MessageBubble;
use crate::types::ChatMessage;

#[component]
pub fn MessagePane(
    messages: RwSignal<Vec<ChatMessage>>,
    /// The signed-in user's id: their messages sit on the right.
    me: i64,
) -> impl IntoView {
    view! {
        // column-reverse keeps the pane scrolled to the newest message, even
        // without JavaScript.
        <div class="message-pane sunken-panel" tabindex="0" aria-label="Messages">
            <Show
                when=move || messages.with(|m| !m.is_empty())
                fallback=|| {
                    view! {
                        <p class="empty-note">"No messages yet. Start the conversation!"</p>
                    }
                }
            >
                <ol class="message-list" role="log" aria-live="polite">
                    <For each=move || messages.get() key=|m| m.id let:message>
                        <MessageBubble own=me == message.user.id message/>
                    </For>
                </ol>
            </Show>
        </div>
    }
}
