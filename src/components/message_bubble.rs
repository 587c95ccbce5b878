//! One message: author, time and text. Content is always text, never HTML.

use leptos::prelude::*;

use crate::client::conversation::Pending;
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
                // `dir="auto"` isolates the text (bidi controls in it cannot
                // reorder anything outside) and sets its own direction.
                <p class="message-content" dir="auto">{message.content}</p>
            </article>
        </li>
    }
}

/// One of the user's messages on its way: greyed while sending, marked with
/// the reason and a Retry button if it failed.
#[component]
pub fn PendingBubble(
    pending: Pending,
    on_retry: impl Fn(String) + Send + Sync + 'static,
) -> impl IntoView {
    let Pending {
        client_id,
        content,
        failure,
    } = pending;
    let failed = failure.is_some();
    let key = client_id.clone();
    let class = if failed {
        "message own failed"
    } else {
        "message own pending"
    };
    view! {
        <li class=class data-client-id=key aria-busy=(!failed).to_string()>
            <article class="message-bubble">
                <header class="message-header">
                    <span class="message-author">"You"</span>
                    <span class="message-time">{if failed { "Not sent" } else { "Sending..." }}</span>
                </header>
                <p class="message-content" dir="auto">{content}</p>
                {failure.map(|reason| {
                    view! {
                        <p class="message-failure" role="alert">
                            <span>{reason}</span>
                            <button type="button" class="retry" on:click=move |_| on_retry(client_id.clone())>
                                "Retry"
                            </button>
                        </p>
                    }
                })}
            </article>
        </li>
    }
}
