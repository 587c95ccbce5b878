//! The text box and Send button under the message pane.

use leptos::prelude::*;

/// The longest message the composer lets you type.
pub const MAX_MESSAGE_CHARS: usize = 2000;

#[component]
pub fn Composer() -> impl IntoView {
    let draft = RwSignal::new(String::new());
    let empty = move || draft.with(|d| d.trim().is_empty());

    view! {
        <form class="composer" on:submit=|ev| ev.prevent_default()>
            <label for="composer-input" class="visually-hidden">"Message"</label>
            <input
                id="composer-input"
                class="composer-input"
                type="text"
                name="content"
                autocomplete="off"
                maxlength=MAX_MESSAGE_CHARS
                placeholder="Type your message..."
                bind:value=draft
            />
            <button type="submit" class="composer-send" disabled=empty>"Send"</button>
        </form>
    }
}
