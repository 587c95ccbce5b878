//! The text box that takes a bubble's place while its author edits it:
//! Enter saves, Shift+Enter starts a new line, Escape cancels. The server's
//! refusal (the edit window has passed, the text is invalid) shows below it.

use leptos::ev::KeyboardEvent;
use leptos::html::Textarea;
use leptos::prelude::*;

use super::focus::focus_bubble;
use crate::client::message_changes::{sentence_for, MessageActions};
use crate::types::ChatMessage;

#[component]
pub fn MessageEditor(message: ChatMessage, actions: MessageActions) -> impl IntoView {
    let id = message.id;
    let draft = RwSignal::new(message.content.clone());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let input = NodeRef::<Textarea>::new();
    // In the box with the cursor after the text, ready to type.
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
            let end = el.value().encode_utf16().count() as u32;
            let _ = el.set_selection_range(end, end);
        }
    });
    let cancel = move || {
        actions.editing.set(None);
        request_animation_frame(move || focus_bubble(id));
    };
    let save = move || {
        if saving.get_untracked() {
            return;
        }
        saving.set(true);
        error.set(None);
        let content = draft.get_untracked();
        leptos::task::spawn_local(async move {
            match actions.save(id, content).await {
                // The bubble is drawn anew with the saved text.
                Ok(()) => request_animation_frame(move || focus_bubble(id)),
                Err(e) => {
                    error.set(Some(sentence_for(&e, "content")));
                    saving.set(false);
                }
            }
        });
    };
    let on_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Enter" if !ev.shift_key() && !ev.is_composing() => {
            ev.prevent_default();
            save();
        }
        "Escape" => {
            ev.prevent_default();
            ev.stop_propagation();
            cancel();
        }
        _ => {}
    };
    let error_id = format!("edit-error-{id}");
    view! {
        <div class="message-editor">
            <textarea
                class="message-edit-input"
                aria-label="Edit message"
                rows="3"
                aria-invalid=move || error.with(Option::is_some).to_string()
                aria-describedby=error_id.clone()
                node_ref=input
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))
                on:keydown=on_keydown
            ></textarea>
            <div class="message-editor-buttons">
                <button type="button" disabled=saving on:click=move |_| save()>"Save"</button>
                <button type="button" on:click=move |_| cancel()>"Cancel"</button>
            </div>
            <p class="message-edit-error" id=error_id role="alert">
                {move || error.get().map(|text| view! {
                    <span class="dialog-icon-small" aria-hidden="true"></span>
                    <span>{text}</span>
                })}
            </p>
        </div>
    }
}
