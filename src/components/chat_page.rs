//! `/chat`: the chat room window with its history, composer and status bar.

use leptos::prelude::*;
use leptos_meta::Title;

use super::composer::Composer;
use super::message_pane::MessagePane;
use super::status_bar::{StatusBar, StatusField};
use super::window::Window;
use crate::server_fns::load_chat_page;
use crate::types::ChatPageData;

#[component]
pub fn ChatPage() -> impl IntoView {
    let page = Resource::new(|| (), |_| load_chat_page());

    view! {
        <Title text="Chat Room"/>
        <Suspense fallback=|| view! { <p class="loading">"Connecting to the chat room..."</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(data) => view! { <ChatRoom data/> }.into_any(),
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
    let me = data.me.clone();
    let messages = RwSignal::new(data.messages);
    let count = move || {
        let n = messages.with(Vec::len);
        if n == 1 {
            "1 message".to_string()
        } else {
            format!("{n} messages")
        }
    };
    let who = me
        .as_ref()
        .map(|u| format!("Signed in as {}", u.username))
        .unwrap_or_else(|| "Not signed in".to_string());
    let note = format!(
        "Messages in this chat room are stored for up to {} before being automatically deleted.",
        data.retention_text
    );

    view! {
        <div class="chat-layout">
            <Window title="Chat Room" class="chat-window">
                <MessagePane messages me=me.map(|u| u.id)/>
                <Composer/>
                <StatusBar>
                    <StatusField class="status-count">{count}</StatusField>
                    <StatusField class="status-user">{who}</StatusField>
                </StatusBar>
            </Window>
            <aside class="retention-note">
                <strong>"Note: "</strong>
                <span>{note}</span>
            </aside>
        </div>
    }
}
