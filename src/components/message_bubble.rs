//! One message: author, time (in the reader's zone) and text. Content is
//! always text (with its web addresses as links), never HTML.
//! Once the page is hydrated a bubble takes the focus and opens its context
//! menu (right-click, the Menu key or Shift+F10); before that, and without
//! JavaScript, small Edit / Delete links lead to pages that do the same.

use leptos::ev::{KeyboardEvent, MouseEvent};
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

use super::focus::menu_anchor;
use super::message_editor::MessageEditor;
use super::message_text::MessageText;
use crate::client::conversation::Pending;
use crate::client::message_changes::{MessageAction, MessageActions};
use crate::client::time_zone::{use_reader_time, ReaderTime};
use crate::client::unread::Unread;
use crate::times::stamp_ms;
use crate::types::ChatMessage;

#[component]
pub fn MessageBubble(
    message: ChatMessage,
    own: bool,
    /// Someone else's message that mentions the reader: highlighted.
    mentions_me: bool,
    actions: MessageActions,
    /// True once the page is hydrated: the menu replaces the links.
    hydrated: Signal<bool>,
) -> impl IntoView {
    let side = bubble_class(own, mentions_me);
    let time = use_reader_time();
    let sent = stamp_ms(&message.timestamp);
    let (short, tooltip) = (
        sent_text(time, sent, &message, ReaderTime::clock),
        sent_text(time, sent, &message, ReaderTime::full),
    );
    let id = message.id;
    let editing = move || actions.editing.get() == Some(id);
    let edited = message
        .edited_at
        .as_deref()
        .map(|at| edited_title(time, at));
    let stored = StoredValue::new(message.clone());
    let on_contextmenu = move |ev: MouseEvent| {
        if actions.open_menu(stored.get_value(), ev.client_x(), ev.client_y()) {
            ev.prevent_default();
        }
    };
    let on_keydown = menu_keys(actions, stored);
    let text = message.content.clone();
    let mentions = message.mentions.clone();
    view! {
        <li class=side data-id=id>
            <UnreadDivider id/>
            <article
                class="message-bubble"
                tabindex=move || hydrated.get().then_some("0")
                aria-keyshortcuts=move || hydrated.get().then_some("Shift+F10 ContextMenu")
                on:contextmenu=on_contextmenu
                on:keydown=on_keydown
            >
                <header class="message-header">
                    <span class="message-author">{message.user.username}</span>
                    <time class="message-time" datetime=message.timestamp title=tooltip>
                        {short}
                    </time>
                    {edited.map(|title| view! { <span class="message-edited" title=title>"(edited)"</span> })}
                </header>
                {move || if editing() {
                    view! { <MessageEditor message=stored.get_value() actions/> }.into_any()
                } else {
                    // `dir="auto"` isolates the text (bidi controls in it cannot
                    // reorder anything outside) and sets its own direction.
                    view! {
                        <p class="message-content" dir="auto"><MessageText text=text.clone() mentions=mentions.clone()/></p>
                    }
                    .into_any()
                }}
                <Show when=move || !hydrated.get()>
                    <FallbackLinks actions message=stored.get_value()/>
                </Show>
            </article>
        </li>
    }
}

/// The Menu key and Shift+F10 open the bubble's context menu.
fn menu_keys(
    actions: MessageActions,
    stored: StoredValue<ChatMessage>,
) -> impl Fn(KeyboardEvent) + 'static {
    move |ev: KeyboardEvent| {
        let menu_key = ev.key() == "ContextMenu" || (ev.shift_key() && ev.key() == "F10");
        // Keys typed in the editor inside the bubble are the editor's.
        let id = stored.with_value(|m| m.id);
        if !menu_key || editing_now(actions, id) {
            return;
        }
        let Some(el) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
        else {
            return;
        };
        let (x, y) = menu_anchor(&el);
        if actions.open_menu(stored.get_value(), x, y) {
            ev.prevent_default();
        }
    }
}

fn bubble_class(own: bool, mentions_me: bool) -> &'static str {
    match (own, mentions_me) {
        (true, _) => "message own",
        (false, false) => "message other",
        (false, true) => "message other mentions-me",
    }
}

/// "New messages" above message `id` when it is the first one unread.
#[component]
fn UnreadDivider(id: i64) -> impl IntoView {
    let unread = use_context::<Unread>();
    let first_unread = move || unread.is_some_and(|u| u.first_unread.get() == Some(id));
    view! {
        <Show when=first_unread>
            <div class="unread-divider" role="separator" aria-label="New messages">
                <span>"New messages"</span>
            </div>
        </Show>
    }
}

fn editing_now(actions: MessageActions, id: i64) -> bool {
    actions.editing.get_untracked() == Some(id)
}

/// "Edited Monday, 23 November 2026 21:16:03 (Europe/Berlin)", in the
/// reader's zone, from an RFC 3339 UTC time.
pub fn edited_title(
    time: ReaderTime,
    edited_at: &str,
) -> impl Fn() -> String + Send + Sync + 'static {
    let at = stamp_ms(edited_at);
    move || {
        at.map_or_else(
            || "Edited".to_string(),
            |at| format!("Edited {}", time.full(at)),
        )
    }
}

/// A reactive text of the time `sent` (in the reader's zone, as `format`
/// writes it); the stored UTC text if the timestamp cannot be read.
fn sent_text(
    time: ReaderTime,
    sent: Option<u64>,
    message: &ChatMessage,
    format: fn(ReaderTime, u64) -> String,
) -> impl Fn() -> String + Send + Sync + 'static {
    let stored = format!("{} UTC", message.formatted_timestamp);
    move || sent.map_or_else(|| stored.clone(), |at| format(time, at))
}

/// Without JavaScript: links to the edit and delete pages, for what the user
/// may do. Decided with the page's render time, the same on both sides.
#[component]
fn FallbackLinks(actions: MessageActions, message: ChatMessage) -> impl IntoView {
    let offered = actions.offered(&message, actions.rendered_at_ms);
    let id = message.id;
    let edit = offered.contains(&MessageAction::Edit).then(|| {
        view! { <a href=format!("/chat/messages/{id}/edit")>"Edit"</a> }
    });
    let delete = offered.contains(&MessageAction::Delete).then(|| {
        view! { <a href=format!("/chat/messages/{id}/delete")>"Delete"</a> }
    });
    (edit.is_some() || delete.is_some()).then(|| {
        view! { <p class="message-links">{edit} {delete}</p> }
    })
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
                <p class="message-content" dir="auto"><MessageText text=content mentions=Vec::new()/></p>
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
