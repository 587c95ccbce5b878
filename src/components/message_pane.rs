//! The inset white pane with the conversation, newest at the bottom.
//!
//! The pane is `flex-direction: column-reverse`, so it opens scrolled to the
//! newest message even without JavaScript, and `scrollTop` counts from the
//! bottom: 0 is "at the newest message", negative values are further up.

use leptos::html::Div;
use leptos::prelude::*;

use super::conversation::{Conversation, History};
use super::hydrated::use_hydrated;
use super::message_bubble::{MessageBubble, PendingBubble};

/// How close to an edge (in pixels) counts as being at it.
const EDGE: i32 = 48;
/// How close to the top loading older messages starts.
const LOAD_MARGIN: i32 = 200;

#[component]
pub fn MessagePane(conversation: Conversation, retention_text: String) -> impl IntoView {
    let messages = conversation.messages;
    let outbox = conversation.outbox;
    let pane = NodeRef::<Div>::new();
    // Whether the reader is at the newest message (then new ones stay in view).
    let at_bottom = RwSignal::new(true);
    // Distances from the top and from the bottom at the last scroll: new
    // messages below keep the first, older ones loaded above keep the second.
    let from_top = StoredValue::new(0);
    let from_bottom = StoredValue::new(0);
    let unseen = RwSignal::new(false);

    let on_scroll = move |_| {
        let Some(el) = pane.get_untracked() else {
            return;
        };
        let top = el.scroll_top();
        let bottom = top > -EDGE;
        at_bottom.set(bottom);
        if bottom {
            unseen.set(false);
        }
        let distance_from_top = el.scroll_height() - el.client_height() + top;
        from_top.set_value(distance_from_top);
        from_bottom.set_value(-top);
        if distance_from_top < LOAD_MARGIN {
            conversation.load_older();
        }
    };

    // A new newest message: follow it if the reader was at the bottom (or it
    // is their own), else keep their place and offer a jump.
    let newest = Memo::new(move |_| {
        (
            messages.with(|m| m.last().map(|m| m.id)),
            outbox.with(Vec::len),
        )
    });
    Effect::new(move |previous: Option<(Option<i64>, usize)>| {
        let current = newest.get();
        let Some(previous) = previous else {
            return current;
        };
        let Some(el) = pane.get_untracked() else {
            return current;
        };
        let mine = current.1 > previous.1;
        if current.0 != previous.0 || mine {
            if at_bottom.get_untracked() || mine {
                el.set_scroll_top(0);
                unseen.set(false);
            } else {
                let keep = from_top.get_value();
                el.set_scroll_top(keep - (el.scroll_height() - el.client_height()));
                unseen.set(current.0 != previous.0);
            }
        }
        current
    });

    // Older messages loaded above: the browser may stay pinned to the top
    // edge; put the reader back where they were, counted from the bottom.
    // Once more on the next frame: the note above the history (Loading... /
    // the Load older button) is swapped in the same turn, after this effect,
    // and a browser still pinned to the top edge would move with it.
    let oldest = Memo::new(move |_| messages.with(|m| m.first().map(|m| m.id)));
    Effect::new(move |previous: Option<Option<i64>>| {
        let current = oldest.get();
        if let (Some(Some(before)), Some(now)) = (previous, current) {
            if now < before {
                if let Some(el) = pane.get_untracked() {
                    let keep = from_bottom.get_value();
                    el.set_scroll_top(-keep);
                    request_animation_frame(move || {
                        if let Some(el) = pane.get_untracked() {
                            el.set_scroll_top(-keep);
                        }
                    });
                }
            }
        }
        current
    });

    let jump_down = move |_| {
        if let Some(el) = pane.get_untracked() {
            el.set_scroll_top(0);
        }
        unseen.set(false);
    };

    view! {
        <div class="message-pane-frame">
            <div
                class="message-pane sunken-panel"
                // Focusable so the keyboard can scroll it; a named region so
                // screen readers can find it.
                role="region"
                tabindex="0"
                aria-label="Messages"
                node_ref=pane
                on:scroll=on_scroll
            >
                <div class="message-pane-content">
                    <HistoryTop conversation retention_text/>
                    <Show
                        when=move || messages.with(|m| !m.is_empty()) || outbox.with(|o| !o.is_empty())
                        fallback=|| {
                            view! {
                                <p class="empty-note">"No messages yet. Start the conversation!"</p>
                            }
                        }
                    >
                        <ol class="message-list" aria-label="Conversation">
                            <For each=move || messages.get() key=|m| m.id let:message>
                                <MessageBubble own=conversation.me == message.user.id message/>
                            </For>
                            <For each=move || outbox.get() key=|o| (o.client_id.clone(), o.failure.clone()) let:outgoing>
                                <PendingBubble outgoing on_retry=move |id| conversation.retry(id)/>
                            </For>
                        </ol>
                    </Show>
                </div>
            </div>
            <Show when=move || unseen.get()>
                <button type="button" class="new-messages" on:click=jump_down>
                    "New messages ↓"
                </button>
            </Show>
        </div>
    }
}

/// Above the oldest message shown: a way to load older ones, or the note that
/// this is where the retained history begins.
#[component]
fn HistoryTop(conversation: Conversation, retention_text: String) -> impl IntoView {
    let history = conversation.history;
    let shown = move || conversation.messages.with(|m| !m.is_empty());
    // Loading older messages needs JavaScript; without it the page shows the
    // latest messages only.
    let hydrated = use_hydrated();
    let beginning = StoredValue::new(format!(
        "This is the beginning of the conversation. Messages older than {retention_text} are deleted."
    ));
    view! {
        <Show when=shown>
            <div class="history-top">
                {move || match history.get() {
                    History::Complete => {
                        view! { <p class="history-note">{beginning.get_value()}</p> }.into_any()
                    }
                    History::Loading => {
                        view! {
                            <p class="history-note" role="status">"Loading older messages..."</p>
                        }
                            .into_any()
                    }
                    History::More if !hydrated.get() => ().into_any(),
                    History::More => {
                        view! {
                            <button type="button" class="load-older" on:click=move |_| conversation.load_older()>
                                "Load older messages"
                            </button>
                            {move || {
                                conversation
                                    .history_error
                                    .get()
                                    .map(|e| view! { <p class="error-text" role="alert">{e}</p> })
                            }}
                        }
                            .into_any()
                    }
                }}
            </div>
        </Show>
    }
}
