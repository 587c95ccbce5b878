//! `/login` and `/register`: small Win98 dialogs. They are server HTML only
//! (no island: the page loads no bundle), so `ActionForm` renders a
//! classic form that posts to the auth server functions; an error comes back
//! through the redirect and shows inline. Both read who may sign up before
//! they render: the invite code field and the sign-up link depend on it.

use leptos::prelude::*;
use leptos::server::ServerAction;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::chat_page::JsonCodec;
use super::form_fields::{FormAlert, FormField};
use super::window::Window;
use crate::auth::{registration_mode, Login, Register};
use crate::error::ChatError;
use crate::paths::safe_next;
use crate::types::Registration;

/// Who may sign up, read on the server while the page renders (an error
/// reads as open: the server still decides when the form is sent).
fn use_registration() -> Resource<Registration, JsonCodec> {
    Resource::new_with_options(
        || (),
        |_| async { registration_mode().await.unwrap_or_default() },
        false,
    )
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let pending = action.pending().into();
    let mode = use_registration();
    view! {
        <Title text="Log On"/>
        <Window title="Log On to chat98" class="dialog">
            <ActionForm action=action>
                <Suspense>
                    {move || Suspend::new(async move {
                        let other = mode.await != Registration::Closed;
                        view! { <CredentialsFields text=&LOGIN error pending other/> }
                    })}
                </Suspense>
            </ActionForm>
        </Window>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = ServerAction::<Register>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let pending = action.pending().into();
    let mode = use_registration();
    view! {
        <Title text="Create Account"/>
        <Window title="Create a chat98 Account" class="dialog">
            <Suspense>
                {move || Suspend::new(async move {
                    match mode.await {
                        Registration::Closed => view! { <SignUpClosed/> }.into_any(),
                        open_or_invite => {
                            let invite = open_or_invite == Registration::Invite;
                            view! {
                                <ActionForm action=action>
                                    <CredentialsFields text=&REGISTER error pending invite other=true/>
                                </ActionForm>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </Window>
    }
}

/// The sign-up dialog when the operator makes the accounts.
#[component]
fn SignUpClosed() -> impl IntoView {
    let query = use_query_map();
    let next = Signal::derive(move || safe_next(query.read().get("next").as_deref()));
    view! {
        <div class="dialog-content">
            <span class="dialog-icon dialog-icon-error" aria-hidden="true"></span>
            <div class="dialog-fields">
                <p class="sign-up-closed" role="alert">
                    "Sign-up is closed. Accounts in this chat room are made by its operator."
                </p>
            </div>
        </div>
        <div class="dialog-buttons">
            <a class="button" href=move || format!("/login?next={}", encode(&next.get()))>"Log on"</a>
        </div>
    }
}

/// What differs between the two dialogs.
pub struct DialogText {
    icon: &'static str,
    intro: &'static str,
    password_autocomplete: &'static str,
    other_question: &'static str,
    other_link: &'static str,
    other_path: &'static str,
}

const LOGIN: DialogText = DialogText {
    icon: "dialog-icon dialog-icon-key",
    intro: "Type a user name and password to log on to the chat room.",
    password_autocomplete: "current-password",
    other_question: "New here? ",
    other_link: "Create an account",
    other_path: "/register",
};

const REGISTER: DialogText = DialogText {
    icon: "dialog-icon dialog-icon-user",
    intro:
        "Choose a user name (3-32 letters, digits, _ or -) and a password of at least 8 characters.",
    password_autocomplete: "new-password",
    other_question: "Already have an account? ",
    other_link: "Log on",
    other_path: "/login",
};

/// The inside of either form: fields, inline errors, OK / Cancel, and a link
/// to the other dialog that keeps `?next=`.
#[component]
fn CredentialsFields(
    text: &'static DialogText,
    error: Signal<Option<ChatError>>,
    pending: Signal<bool>,
    /// Whether the chat room asks for an invite code to sign up.
    #[prop(optional)]
    invite: bool,
    /// Whether to link to the other dialog (not to sign-up when it is closed).
    other: bool,
) -> impl IntoView {
    let query = use_query_map();
    let next = Signal::derive(move || safe_next(query.read().get("next").as_deref()));
    view! {
        <div class="dialog-content">
            <span class=text.icon aria-hidden="true"></span>
            <div class="dialog-fields">
                <p>{text.intro}</p>
                <input type="hidden" name="next" value=next/>
                <FormField name="username" label="User name:" autocomplete="username" autofocus=true error/>
                <FormField
                    name="password"
                    label="Password:"
                    kind="password"
                    autocomplete=text.password_autocomplete
                    error
                />
                {invite.then(|| view! {
                    <FormField name="invite_code" label="Invite code:" autocomplete="off" error/>
                })}
                <FormAlert error/>
            </div>
        </div>
        <div class="dialog-buttons">
            <button type="submit" disabled=pending>"OK"</button>
            <button type="reset">"Cancel"</button>
        </div>
        {other.then(|| view! {
            <p class="dialog-footer">
                {text.other_question}
                <a href=move || format!("{}?next={}", text.other_path, encode(&next.get()))>
                    {text.other_link}
                </a>
            </p>
        })}
    }
}

/// Percent-encodes a path for use as a query value.
fn encode(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
