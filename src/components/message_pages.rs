//! `/chat/messages/:id/edit` and `/chat/messages/:id/delete`: the edit and
//! delete forms for browsers without JavaScript (the chat window's Edit and
//! Delete links lead here). Each is an `ActionForm` on the server function
//! the context menu calls: a plain post comes back to `/chat` (the server
//! redirects it), or to this page with the error; with JavaScript the page
//! goes to `/chat` itself once the server has said yes.

use leptos::prelude::*;
use leptos::server::ServerAction;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::chat_page::JsonCodec;
use super::form_fields::FormAlert;
use super::message_bubble::edited_title;
use super::window::Window;
use crate::client::time_zone::use_reader_time;
use crate::error::{ChatError, ErrorCode};
use crate::server_fns::{load_message, DeleteMessage, EditMessage};
use crate::types::ChatMessage;

/// Where the chat window is.
const CHAT: &str = "/chat";

/// The message named by the path's `:id`, loaded before the page renders.
fn use_message() -> Resource<Result<ChatMessage, ChatError>, JsonCodec> {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    Resource::new_with_options(
        id,
        |id| async move {
            match id {
                Some(id) => load_message(id).await,
                None => Err(ChatError::not_found("There is no such message.")),
            }
        },
        false,
    )
}

/// With JavaScript: back to the chat window once the server said yes.
pub(crate) fn return_to_chat_on_success<T: Send + Sync + 'static>(
    value: Signal<Option<Result<T, ChatError>>>,
) {
    let navigate = use_navigate();
    Effect::new(move |_| {
        if value.with(|v| matches!(v, Some(Ok(_)))) {
            navigate(CHAT, Default::default());
        }
    });
}

/// Why the message cannot be shown, in a window; without a session, off to
/// the sign-in page first.
pub(crate) fn refusal(error: ChatError, title: &'static str) -> AnyView {
    let sign_in = "/login?next=/chat";
    if error.code == ErrorCode::NotSignedIn {
        #[cfg(feature = "ssr")]
        crate::server::http::respond::redirect_page(sign_in);
    }
    view! {
        <Window title=title class="dialog">
            <div class="dialog-content">
                <span class="dialog-icon dialog-icon-error" aria-hidden="true"></span>
                <div class="dialog-fields">
                    <p class="error-text" role="alert">{error.error}</p>
                    {(error.code == ErrorCode::NotSignedIn)
                        .then(|| view! { <p><a href=sign_in>"Log on"</a></p> })}
                </div>
            </div>
            <div class="dialog-buttons">
                <a class="button" href=CHAT>"Back to the chat room"</a>
            </div>
        </Window>
    }
    .into_any()
}

/// The message as the pages quote it: author, time (in full, labelled with
/// its zone), text.
#[component]
fn Quoted(message: ChatMessage) -> impl IntoView {
    let time = use_reader_time();
    let edited = message
        .edited_at
        .as_deref()
        .map(|at| edited_title(time, at));
    let sent = crate::times::stamp_ms(&message.timestamp)
        .map(|at| time.full(at))
        .unwrap_or_else(|| format!("{} UTC", message.formatted_timestamp));
    view! {
        <blockquote class="message-quote sunken-panel">
            <p class="message-header">
                <span class="message-author">{message.user.username}</span>
                <time class="message-time" datetime=message.timestamp>
                    {sent}
                </time>
                {edited.map(|title| view! { <span class="message-edited" title=title>"(edited)"</span> })}
            </p>
            <p class="message-content" dir="auto">{message.content}</p>
        </blockquote>
    }
}

#[component]
pub fn EditMessagePage() -> impl IntoView {
    let message = use_message();
    let action = ServerAction::<EditMessage>::new();
    return_to_chat_on_success(action.value().into());
    view! {
        <Title text="Edit Message"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading the message..."</p> }>
            {move || Suspend::new(async move {
                match message.await {
                    Ok(message) => view! { <EditForm message action/> }.into_any(),
                    Err(e) => refusal(e, "Edit Message"),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditForm(message: ChatMessage, action: ServerAction<EditMessage>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let content_errors = move || error.get().map(|e| e.field("content")).unwrap_or_default();
    let pending = action.pending();
    let id = message.id;
    let text = message.content.clone();
    view! {
        <Window title="Edit Message" class="dialog message-dialog">
            <ActionForm action=action>
                <div class="dialog-content">
                    <div class="dialog-fields">
                        <input type="hidden" name="id" value=id/>
                        <label for="content">"Message:"</label>
                        <textarea
                            id="content"
                            name="content"
                            class="message-edit-input"
                            rows="5"
                            required
                            autofocus
                            aria-invalid=move || (!content_errors().is_empty()).to_string()
                            aria-describedby="content-errors"
                        >
                            {text}
                        </textarea>
                        <ul class="field-errors field-errors-below" id="content-errors">
                            {move || content_errors().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                        </ul>
                        <FormAlert error/>
                    </div>
                </div>
                <div class="dialog-buttons">
                    <button type="submit" disabled=pending>"Save"</button>
                    <a class="button" href=CHAT>"Cancel"</a>
                </div>
            </ActionForm>
        </Window>
    }
}

#[component]
pub fn DeleteMessagePage() -> impl IntoView {
    let message = use_message();
    let action = ServerAction::<DeleteMessage>::new();
    return_to_chat_on_success(action.value().into());
    view! {
        <Title text="Delete Message"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading the message..."</p> }>
            {move || Suspend::new(async move {
                match message.await {
                    Ok(message) => view! { <DeleteForm message action/> }.into_any(),
                    Err(e) => refusal(e, "Delete Message"),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DeleteForm(message: ChatMessage, action: ServerAction<DeleteMessage>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let pending = action.pending();
    let id = message.id;
    view! {
        <Window title="Delete Message" class="dialog message-dialog">
            <ActionForm action=action>
                <div class="dialog-content">
                    <span class="dialog-icon dialog-icon-warning" aria-hidden="true"></span>
                    <div class="dialog-fields">
                        <p class="message-box-text">"Are you sure you want to delete this message?"</p>
                        <Quoted message/>
                        <input type="hidden" name="id" value=id/>
                        <FormAlert error/>
                    </div>
                </div>
                <div class="dialog-buttons">
                    <button type="submit" disabled=pending>"Yes, delete"</button>
                    <a class="button" href=CHAT autofocus>"No"</a>
                </div>
            </ActionForm>
        </Window>
    }
}
