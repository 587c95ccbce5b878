//! The chat window's dialogs: "Are you sure you want to delete this
//! message?", the moderator's Ban User dialog, and the notice a banned user
//! reads before the page goes to the sign-in page.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::focus::focus_bubble;
use super::message_box::{BoxIcon, DialogAlert, MessageBox, ModalWindow};
use crate::client::message_changes::{sentence_for, MessageActions, MessageDialog};
use crate::types::ChatMessage;

/// Where a banned user goes after reading why.
const SIGN_IN: &str = "/login";

/// The open dialog, if any.
#[component]
pub fn MessageDialogs(actions: MessageActions) -> impl IntoView {
    move || {
        actions.dialog.get().map(|dialog| match dialog {
            MessageDialog::ConfirmDelete(message) => {
                view! { <ConfirmDelete actions message/> }.into_any()
            }
            MessageDialog::Ban(message) => view! { <BanDialog actions message/> }.into_any(),
        })
    }
}

/// Closes the dialog and gives the focus back to the message's bubble (or
/// the pane, if the message is gone).
fn close(actions: MessageActions, id: i64) {
    actions.dialog.set(None);
    request_animation_frame(move || focus_bubble(id));
}

#[component]
fn ConfirmDelete(actions: MessageActions, message: ChatMessage) -> impl IntoView {
    let id = message.id;
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let yes = move |_| {
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match actions.delete(id).await {
                Ok(()) => close(actions, id),
                Err(e) => {
                    error.set(Some(e.error));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <MessageBox
            title="Delete Message"
            icon=BoxIcon::Warning
            text="Are you sure you want to delete this message?"
            on_cancel=move || close(actions, id)
            error
        >
            <button type="button" disabled=busy on:click=yes>"Yes"</button>
            <button type="button" data-initial-focus on:click=move |_| close(actions, id)>
                "No"
            </button>
        </MessageBox>
    }
}

/// The choices of the ban's length, as the server reads them ("" = until
/// unbanned).
const DURATIONS: [(&str, &str); 4] = [
    ("1h", "1 hour"),
    ("1d", "1 day"),
    ("7d", "7 days"),
    ("", "Until unbanned"),
];

#[component]
fn BanDialog(actions: MessageActions, message: ChatMessage) -> impl IntoView {
    let id = message.id;
    let username = message.user.username.clone();
    let duration = RwSignal::new(DURATIONS[1].0.to_string());
    let reason = RwSignal::new(String::new());
    let purge = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let name = StoredValue::new(username.clone());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let (who, how_long) = (name.get_value(), duration.get_untracked());
        let (why, all) = (reason.get_untracked(), purge.get_untracked());
        leptos::task::spawn_local(async move {
            match actions.ban(who, how_long, why, all).await {
                Ok(_) => close(actions, id),
                Err(e) => {
                    error.set(Some(sentence_for(&e, "duration")));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <ModalWindow title="Ban User" role="dialog" on_cancel=move || close(actions, id)>
            <form class="ban-form" on:submit=submit>
                <div class="dialog-content">
                    <span class="dialog-icon dialog-icon-warning" aria-hidden="true"></span>
                    <div class="dialog-fields">
                        <p>"Ban " <strong class="ban-username">{username}</strong> " from the chat room?"</p>
                        <BanFields duration reason purge/>
                        <DialogAlert error/>
                    </div>
                </div>
                <div class="dialog-buttons">
                    <button type="submit" disabled=busy>"OK"</button>
                    <button type="button" on:click=move |_| close(actions, id)>"Cancel"</button>
                </div>
            </form>
        </ModalWindow>
    }
}

/// The ban's length, reason and whether to delete all the user's messages.
#[component]
fn BanFields(
    duration: RwSignal<String>,
    reason: RwSignal<String>,
    purge: RwSignal<bool>,
) -> impl IntoView {
    let options = DURATIONS
        .iter()
        .map(|(value, label)| view! { <option value=*value>{*label}</option> })
        .collect_view();
    view! {
                        <div class="field-row">
                            <label for="ban-duration">"Duration:"</label>
                            <select
                                id="ban-duration"
                                name="duration"
                                data-initial-focus
                                prop:value=move || duration.get()
                                on:change=move |ev| duration.set(event_target_value(&ev))
                            >
                                {options}
                            </select>
                        </div>
                        <div class="field-row">
                            <label for="ban-reason">"Reason:"</label>
                            <input
                                id="ban-reason"
                                name="reason"
                                type="text"
                                maxlength="200"
                                placeholder="(optional)"
                                on:input=move |ev| reason.set(event_target_value(&ev))
                            />
                        </div>
                        <div class="field-row checkbox-row">
                            <input
                                id="ban-purge"
                                name="purge"
                                type="checkbox"
                                on:change=move |ev| purge.set(event_target_checked(&ev))
                            />
                            <label for="ban-purge">"Delete all their messages"</label>
                        </div>
    }
}

/// The server closed the socket with the ban's sentence: say it, then go to
/// the sign-in page (the chat room will not take the user back).
#[component]
pub fn BannedNotice(sentence: String) -> impl IntoView {
    let leave = move || {
        let _ = window().location().set_href(SIGN_IN);
    };
    view! {
        <MessageBox title="chat98" icon=BoxIcon::Stop text=sentence on_cancel=leave>
            <button type="button" data-initial-focus on:click=move |_| leave()>"OK"</button>
        </MessageBox>
    }
}
