//! The inset white pane with the conversation, newest at the bottom.
//!
//! The pane is `flex-direction: column-reverse`, so it opens scrolled to the
//! newest message even without JavaScript, and `scrollTop` counts from the
//! bottom: 0 is "at the newest message", negative values are further up.

use leptos::html::Div;
use leptos::prelude::*;

use super::day_divider::DayDivider;
use super::hydrated::use_hydrated;
use super::message_bubble::{MessageBubble, PendingBubble};
use super::prepared_history::history_rows;
use crate::client::conversation::{Conversation, History};
use crate::client::message_changes::MessageActions;
use crate::client::time_zone::use_reader_time;
use crate::times::{with_day_dividers, Date, Row};
use crate::types::ChatMessage;

/// How close to an edge (in pixels) counts as being at it.
const EDGE: i32 = 48;
/// How close to the top loading older messages starts.
const LOAD_MARGIN: i32 = 200;

/// Where the reader is in the pane, kept across renders.
#[derive(Clone, Copy)]
struct Scroll {
    pane: NodeRef<Div>,
    /// Whether the reader is at the newest message (then new ones stay in view).
    at_bottom: RwSignal<bool>,
    /// Distances from the top and from the bottom at the last scroll: new
    /// messages below keep the first, older ones loaded above keep the second.
    from_top: StoredValue<i32>,
    from_bottom: StoredValue<i32>,
    /// New messages arrived below while the reader was further up.
    unseen: RwSignal<bool>,
}

impl Scroll {
    fn new() -> Self {
        Scroll {
            pane: NodeRef::new(),
            at_bottom: RwSignal::new(true),
            from_top: StoredValue::new(0),
            from_bottom: StoredValue::new(0),
            unseen: RwSignal::new(false),
        }
    }

    /// Remembers where the reader is; near the top, loads older messages.
    fn on_scroll(self, conversation: Conversation) {
        let Some(el) = self.pane.get_untracked() else {
            return;
        };
        let top = el.scroll_top();
        let bottom = top > -EDGE;
        self.at_bottom.set(bottom);
        if bottom {
            self.unseen.set(false);
        }
        let distance_from_top = el.scroll_height() - el.client_height() + top;
        self.from_top.set_value(distance_from_top);
        self.from_bottom.set_value(-top);
        if distance_from_top < LOAD_MARGIN {
            conversation.load_older();
        }
    }

    /// A new newest message: follow it if the reader was at the bottom (or it
    /// is their own), else keep their place and offer a jump.
    fn follow_newest(self, conversation: Conversation) {
        let (messages, pending) = (conversation.messages, conversation.pending);
        let newest = Memo::new(move |_| {
            (
                messages.with(|m| m.last().map(|m| m.id)),
                pending.with(Vec::len),
            )
        });
        Effect::new(move |previous: Option<(Option<i64>, usize)>| {
            let current = newest.get();
            let (Some(previous), Some(el)) = (previous, self.pane.get_untracked()) else {
                return current;
            };
            let mine = current.1 > previous.1;
            if current.0 != previous.0 || mine {
                if self.at_bottom.get_untracked() || mine {
                    el.set_scroll_top(0);
                    self.unseen.set(false);
                } else {
                    let keep = self.from_top.get_value();
                    el.set_scroll_top(keep - (el.scroll_height() - el.client_height()));
                    self.unseen.set(current.0 != previous.0);
                }
            }
            current
        });
    }

    /// Older messages loaded above: the browser may stay pinned to the top
    /// edge; put the reader back where they were, counted from the bottom.
    /// Once more on the next frame: the note above the history (Loading... /
    /// the Load older button) is swapped in the same turn, after this effect,
    /// and a browser still pinned to the top edge would move with it.
    fn keep_place_when_older_load(self, conversation: Conversation) {
        let messages = conversation.messages;
        let oldest = Memo::new(move |_| messages.with(|m| m.first().map(|m| m.id)));
        Effect::new(move |previous: Option<Option<i64>>| {
            let current = oldest.get();
            let older_loaded =
                matches!((previous, current), (Some(Some(before)), Some(now)) if now < before);
            if older_loaded {
                let keep = self.from_bottom.get_value();
                self.set_from_bottom(keep);
                request_animation_frame(move || self.set_from_bottom(keep));
            }
            current
        });
    }

    fn set_from_bottom(self, distance: i32) {
        if let Some(el) = self.pane.get_untracked() {
            el.set_scroll_top(-distance);
        }
    }

    fn jump_down(self) {
        self.set_from_bottom(0);
        self.unseen.set(false);
    }
}

#[component]
pub fn MessagePane(
    conversation: Conversation,
    actions: MessageActions,
    retention_text: String,
) -> impl IntoView {
    let scroll = Scroll::new();
    scroll.follow_newest(conversation);
    scroll.keep_place_when_older_load(conversation);
    view! {
        <div class="message-pane-frame">
            <div
                class="message-pane sunken-panel"
                // Focusable so the keyboard can scroll it; a named region so
                // screen readers can find it.
                role="region"
                tabindex="0"
                aria-label="Messages"
                node_ref=scroll.pane
                on:scroll=move |_| scroll.on_scroll(conversation)
            >
                <div class="message-pane-content">
                    <HistoryTop conversation retention_text/>
                    <MessageList conversation actions/>
                </div>
            </div>
            <Show when=move || scroll.unseen.get()>
                <button type="button" class="new-messages" on:click=move |_| scroll.jump_down()>
                    "New messages ↓"
                </button>
            </Show>
        </div>
    }
}

/// What a row of the list is keyed on: a divider on its day, a message on
/// its id and edit time (so an edited message is drawn anew).
#[derive(Clone, PartialEq, Eq, Hash)]
enum RowKey {
    Day(Date),
    Message(i64, Option<String>),
}

fn row_key(row: &Row<ChatMessage>) -> RowKey {
    match row {
        Row::Day(day) => RowKey::Day(*day),
        Row::Item(m) => RowKey::Message(m.id, m.edited_at.clone()),
    }
}

/// The stored messages with a divider before each day's first (in the
/// reader's zone: they move when it becomes known), then the user's own on
/// their way. The server renders each row once and reuses its HTML
/// (`prepared_history`).
#[component]
fn MessageList(conversation: Conversation, actions: MessageActions) -> impl IntoView {
    let (messages, pending) = (conversation.messages, conversation.pending);
    let hydrated = use_hydrated();
    let time = use_reader_time();
    let rows = Memo::new(move |_| {
        messages.with(|m| with_day_dividers(m.iter().cloned(), |m| time.day_of(m)))
    });
    let row_view = move |row: Row<ChatMessage>| match row {
        Row::Day(day) => view! { <DayDivider day/> }.into_any(),
        Row::Item(message) => {
            let own = conversation.me == message.user.id;
            let mentions_me = conversation.mentions_me(&message);
            view! { <MessageBubble own mentions_me message actions hydrated/> }.into_any()
        }
    };
    let history = move || {
        let keyed = move || view! { <For each=move || rows.get() key=row_key children=row_view/> };
        history_rows(conversation, actions, keyed, row_view)
    };
    view! {
        <Show
            when=move || messages.with(|m| !m.is_empty()) || pending.with(|o| !o.is_empty())
            fallback=|| {
                view! { <p class="empty-note">"No messages yet. Start the conversation!"</p> }
            }
        >
            <ol class="message-list" aria-label="Conversation">
                {history()}
                <For each=move || pending.get() key=|o| (o.client_id.clone(), o.failure.clone()) let:pending>
                    <PendingBubble pending on_retry=move |id| conversation.retry(id)/>
                </For>
            </ol>
        </Show>
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
