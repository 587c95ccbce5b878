//! The text box and Send button under the message pane.
//!
//! It is a plain form posted to the `send_message` server function, so
//! without JavaScript the page returns with the message (errors show inline,
//! read back from the redirect by the server action). With JavaScript the
//! conversation sends instead: the message shows at once as pending, the page
//! never reloads, and several messages can be on their way at the same time.
//! So the form never posts once hydrated, and it is not an `ActionForm`:
//! that would put a form-data decoder for the server function's arguments
//! (`serde_qs`) into the bundle for a path the page never takes
//! (BENCHMARKS.md, session 15).

use leptos::ev::KeyboardEvent;
use leptos::html::Textarea;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::hydrated::use_hydrated;
use super::mention_list::{MentionList, NameCompleter};
use crate::client::conversation::Conversation;
use crate::client::live;
use crate::client::preferences::use_preferences;
use crate::server_fns::SendMessage;

/// `autofocus` only works when a document loads: after signing in without a
/// reload the focus would be left on nothing. Puts the cursor in the box
/// unless the user is already somewhere else, checked a frame later when the
/// page they came from (and its focused field) is gone.
fn focus_when_idle(input: NodeRef<Textarea>) {
    Effect::new(move |_| {
        let Some(el) = input.get() else {
            return;
        };
        request_animation_frame(move || {
            let idle = document()
                .active_element()
                .is_none_or(|active| active.tag_name().eq_ignore_ascii_case("body"));
            if idle {
                let _ = el.focus();
            }
        });
    });
}

/// The server's refusal of a plain form post, as a sentence.
fn form_error(action: ServerAction<SendMessage>) -> Option<String> {
    action.value().get().and_then(Result::err).map(|e| {
        let fields = e.field("content");
        if fields.is_empty() {
            e.error
        } else {
            fields.join(" ")
        }
    })
}

/// Sends the draft (with JavaScript), empties the box and keeps the focus.
fn sender(
    action: ServerAction<SendMessage>,
    draft: RwSignal<String>,
    input: NodeRef<Textarea>,
    conversation: Conversation,
) -> impl Fn() + Copy + 'static {
    move || {
        action.value().set(None);
        let text = draft.get_untracked();
        if !text.trim().is_empty() {
            conversation.send(text);
            draft.set(String::new());
        }
        if let Some(el) = input.get_untracked() {
            let _ = el.focus();
        }
    }
}

#[component]
pub fn Composer(
    conversation: Conversation,
    max_chars: usize,
    /// A client id for the form post without JavaScript: posting the same
    /// page twice stores the message once.
    form_client_id: String,
    /// Names to complete after `@`: people online, then others.
    #[prop(into)]
    names: Signal<(Vec<String>, Vec<String>)>,
) -> impl IntoView {
    let action = ServerAction::<SendMessage>::new();
    let draft = RwSignal::new(String::new());
    let input = NodeRef::<Textarea>::new();
    let hydrated = use_hydrated();
    let prefs = use_preferences();
    // Without JavaScript the button must stay usable: the server checks.
    let blank = move || hydrated.get() && draft.with(|d| d.trim().is_empty());

    let send = sender(action, draft, input, conversation);
    focus_when_idle(input);
    let completer = NameCompleter::new(draft, input, names, conversation.my_name);
    let on_input = move |text: String| {
        completer.refresh(&text);
        draft.set(text);
        // Others see "... is typing" only from those who see it too.
        if prefs.is_none_or(|p| p.current.with_untracked(|p| p.show_typing)) {
            live::typing();
        }
    };
    let on_keydown = move |ev: KeyboardEvent| {
        // Enter sends; Shift+Enter (and Enter while composing with an IME)
        // inserts a newline as usual.
        let enter = ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing();
        if !completer.key(&ev) && enter {
            ev.prevent_default();
            send();
        }
    };

    view! {
        <form
            action=SendMessage::url()
            method="post"
            class="composer"
            on:submit=move |ev| {
                ev.prevent_default();
                send();
            }
        >
            <input type="hidden" name="client_id" value=form_client_id/>
            <label for="composer-input" class="visually-hidden">"Message"</label>
            <textarea
                id="composer-input"
                class="composer-input"
                name="content"
                rows="2"
                autocomplete="off"
                autofocus
                maxlength=max_chars
                placeholder="Type your message..."
                aria-describedby="composer-error"
                node_ref=input
                prop:value=move || draft.get()
                aria-autocomplete="list"
                aria-controls=move || completer.list_id()
                aria-activedescendant=move || completer.active_id()
                on:input=move |ev| on_input(event_target_value(&ev))
                on:keydown=on_keydown
                on:blur=move |_| completer.close()
            ></textarea>
            <MentionList completer/>
            <button
                type="submit"
                class="composer-send"
                disabled=blank
                on:click=move |ev| {
                    ev.prevent_default();
                    send();
                }
            >
                "Send"
            </button>
            <ComposerError action/>
        </form>
    }
}

/// The server's refusal of a plain form post, under the text box.
#[component]
fn ComposerError(action: ServerAction<SendMessage>) -> impl IntoView {
    view! {
        <p class="composer-error" id="composer-error" role="alert">
            {move || form_error(action).map(|text| view! {
                <span class="dialog-icon-small" aria-hidden="true"></span>
                <span>{text}</span>
            })}
        </p>
    }
}
