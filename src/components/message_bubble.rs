//! One message: author, time and text. Content is always text, never HTML.

use leptos::prelude::*;

use crate::types::ChatMessage;

#[component]
pub fn MessageBubble(message: ChatMessage, own: bool) -> impl IntoView {
    let side = if own { "message own" } else { "message other" };
    let tooltip = format!("{} UTC", message.formatted_timestamp);
    let short = message.short_time().to_owned();
    view! {
        <li class=side data-id=message.id>
            <article class="message-bubble">
                <header class="message-header">
                    <span class="message-author">{message.user.username}</span>
                    <time class="message-time" datetime=message.timestamp title=tooltip>
                        {short}
                    </time>
                </header>
                <p class="message-content">{message.content}</p>
            </article>
        </li>
    }
}
