//! `/chat`: the chat room window with its history, composer and status bar.

use leptos::prelude::*;
use leptos_meta::Title;

use super::composer::Composer;
use super::conversation::Conversation;
use super::message_pane::MessagePane;
use super::status_bar::{StatusBar, StatusField};
use super::window::Window;
use crate::error::ErrorCode;
use crate::server_fns::load_chat_page;
use crate::types::ChatPageData;

/// Where a visitor without a session is sent.
const SIGN_IN: &str = "/login?next=/chat";

#[component]
pub fn ChatPage() -> impl IntoView {
    let page = Resource::new(|| (), |_| load_chat_page());

    view! {
        <Title text="Chat Room"/>
        <Suspense fallback=|| view! { <p class="loading">"Connecting to the chat room..."</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(data) => view! { <ChatRoom data/> }.into_any(),
                    Err(e) if e.code == ErrorCode::NotSignedIn => {
                        #[cfg(feature = "ssr")]
                        crate::server::http::respond::redirect_page(SIGN_IN);
                        view! {
                            <Window title="Chat Room" class="dialog">
                                <p>
                                    "Please " <a href=SIGN_IN>"log on"</a>
                                    " to join the chat room."
                                </p>
                            </Window>
                        }
                            .into_any()
                    }
                    Err(e) => {
                        view! {
                            <Window title="Chat Room" class="dialog">
                                <p class="error-text" role="alert">{e.to_string()}</p>
                            </Window>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn ChatRoom(data: ChatPageData) -> impl IntoView {
    let conversation = Conversation::new(data.me.id, data.messages, data.history_complete);
    let count = move || {
        let n = conversation.messages.with(Vec::len);
        if n == 1 {
            "1 message".to_string()
        } else {
            format!("{n} messages")
        }
    };
    let who = format!("Signed in as {}", data.me.username);
    let note = format!(
        "Messages in this chat room are stored for up to {} before being automatically deleted.",
        data.retention_text
    );

    view! {
        <div class="chat-layout">
            <Window title="Chat Room" class="chat-window">
                <MessagePane conversation retention_text=data.retention_text/>
                <Composer
                    conversation
                    max_chars=data.max_message_chars
                    form_client_id=data.form_client_id
                />
                <StatusBar>
                    <StatusField class="status-count">{count}</StatusField>
                    <StatusField class="status-user">{who}</StatusField>
                    // A plain form: logging off reloads into /login, with or without JS.
                    <form class="status-bar-action" method="post" action="/api/auth/logout">
                        <button type="submit" class="log-off">"Log Off"</button>
                    </form>
                </StatusBar>
            </Window>
            <aside class="retention-note">
                <strong>"Note: "</strong>
                <span>{note}</span>
            </aside>
        </div>
    }
}
