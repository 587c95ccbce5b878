//! `/chat`: the chat room window with its history, composer and status bar.

use leptos::prelude::*;
use leptos_meta::Title;

use super::announcer::Announcer;
use super::composer::Composer;
use super::context_menu::ContextMenu;
use super::hydrated::{flag_for_tests, use_hydrated};
use super::log_off::{LogOffBox, LogOffButton};
use super::menu_bar::MenuBar;
use super::message_box::{BoxIcon, MessageBox};
use super::message_dialogs::{BannedNotice, MessageDialogs};
use super::message_pane::MessagePane;
use super::online_pane::OnlinePane;
use super::status_bar::{StatusBar, StatusField};
use super::window::Window;
use crate::client::conversation::{now_ms, Conversation, Me};
use crate::client::live::{self, ConnectionState, Live};
use crate::client::mention_completion::known_names;
use crate::client::message_changes::MessageActions;
use crate::client::page_history::{self, PageHistory};
use crate::client::preferences::PreferencesState;
use crate::client::time_zone::ReaderTime;
use crate::client::unread::Unread;
use crate::error::ErrorCode;
use crate::server_fns::load_chat_page;
use crate::types::ChatPageData;

/// Where a visitor without a session is sent.
const SIGN_IN: &str = "/login?next=/chat";

#[component]
pub fn ChatPage() -> impl IntoView {
    let page = Resource::<_, JsonCodec>::new_with_options(|| (), |_| load_chat_page(), false);

    view! {
        <Title text="Chat Room"/>
        <Suspense fallback=|| view! { <p class="loading">"Connecting to the chat room..."</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(mut data) => {
                        let history = PageHistory::new(std::mem::take(&mut data.messages));
                        view! {
                            <script
                                type="application/json"
                                id=page_history::SCRIPT_ID
                                inner_html=history.script_text()
                            ></script>
                            <ChatRoom data history/>
                        }
                            .into_any()
                    }
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

/// `JsonSerdeCodec` (what `Resource::new` uses) with one difference: it reads
/// the server's JSON with `serde_json::from_slice`, as the server functions'
/// codec does, so the browser bundle holds one copy of each type's JSON
/// reader rather than one for `&str` and one for bytes.
pub(crate) struct JsonCodec;

impl<T: serde::Serialize> leptos::server::codee::Encoder<T> for JsonCodec {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(val)
    }
}

impl<T: serde::de::DeserializeOwned> leptos::server::codee::Decoder<T> for JsonCodec {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(val.as_bytes())
    }
}

/// The page's one island: everything in the window that moves. Its props
/// (the page data) are serialized into the HTML for the browser to hydrate
/// with, except the history, which the page's data script carries
/// (`client::page_history`); the rest of the page is server HTML.
#[island]
fn ChatRoom(data: ChatPageData, history: PageHistory) -> impl IntoView {
    flag_for_tests();
    let send_frame = Callback::new(|frame: String| live::send_frame(&frame));
    let me = Me {
        id: data.me.id,
        username: data.me.username.clone(),
        role: data.role,
        edit_window_secs: data.edit_window_secs,
    };
    let conversation = Conversation::new(
        me,
        history.into_messages(),
        data.history_complete,
        send_frame,
    );
    let live = Live::start(conversation);
    // The server's clock at rendering, read back (not re-read) in the browser.
    let rendered_at = leptos::server::SharedValue::new_str(now_ms).into_inner();
    let actions = MessageActions::new(conversation, rendered_at);
    let prefs = PreferencesState::provide(data.preferences.clone());
    Unread::provide(conversation, data.last_read_id);
    let now_ms = clock(conversation, data.retention_secs);
    ReaderTime::provide(data.time_zone.clone(), now_ms, rendered_at).adopt_browser_zone();
    let note = format!(
        "Messages in this chat room are stored for up to {} before being automatically deleted.",
        data.retention_text
    );
    let names = Signal::derive(move || {
        live.online
            .with(|online| conversation.messages.with(|m| known_names(online, m)))
    });
    let asking_to_log_off = RwSignal::new(false);
    let ask_to_log_off = move || asking_to_log_off.set(true);

    view! {
        <div class="chat-layout">
            <Window
                title="Chat Room"
                class="chat-window"
                on_close=ask_to_log_off
                menu_bar=Box::new(move || view! { <MenuBar on_log_off=ask_to_log_off/> }.into_any())
            >
                <div class="chat-main">
                    <MessagePane conversation actions retention_text=data.retention_text/>
                    <OnlinePane live/>
                </div>
                <Announcer conversation/>
                <Composer
                    conversation
                    max_chars=data.max_message_chars
                    form_client_id=data.form_client_id
                    names=names
                />
                <ChatStatusBar conversation live now_ms prefs username=data.me.username/>
            </Window>
            <PreferencesError prefs/>
            <ContextMenu actions/>
            <MessageDialogs actions/>
            <LogOffBox open=asking_to_log_off/>
            {move || live.banned.get().map(|sentence| view! { <BannedNotice sentence/> })}
            // A note, not an aside: a complementary landmark would sit inside
            // the page's main one.
            <p class="retention-note" role="note">
                <strong>"Note: "</strong>
                <span>{note}</span>
            </p>
        </div>
    }
}

/// The connection, who is typing, how many messages, who you are, Log Off.
#[component]
fn ChatStatusBar(
    conversation: Conversation,
    live: Live,
    now_ms: Signal<u64>,
    prefs: PreferencesState,
    username: String,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let link = status_link(hydrated, live, now_ms);
    let typing = move || {
        let shown = prefs.current.with(|p| p.show_typing);
        shown.then(|| typing_line(&live.typing_names(now_ms.get())))
    };
    let count = move || count_line(conversation.messages.with(Vec::len));
    view! {
        <StatusBar>
            <StatusField class="status-link">{link}</StatusField>
            <StatusField class="status-typing">{typing}</StatusField>
            <StatusField class="status-count">{count}</StatusField>
            <StatusField class="status-user">{format!("Signed in as {username}")}</StatusField>
            <LogOffButton/>
        </StatusBar>
    }
}

/// The connection's state in the status bar. Without JavaScript nothing is
/// live: it offers a reload instead.
fn status_link(hydrated: Signal<bool>, live: Live, now_ms: Signal<u64>) -> impl IntoView {
    move || {
        if !hydrated.get() {
            return view! { <a href="/chat" class="refresh">"Refresh"</a> }.into_any();
        }
        let text = match live.state.get() {
            ConnectionState::Connecting => "Connecting...".to_string(),
            ConnectionState::Connected => "Connected".to_string(),
            ConnectionState::Reconnecting { at_ms } => {
                let secs = at_ms.saturating_sub(now_ms.get()).div_ceil(1000);
                format!("Reconnecting in {secs} s")
            }
            ConnectionState::Offline => "Offline: sending via the server".to_string(),
            ConnectionState::Closed => "Disconnected".to_string(),
        };
        view! { <span>{text}</span> }.into_any()
    }
}

/// "1 message", "5 messages".
fn count_line(n: usize) -> String {
    if n == 1 {
        "1 message".to_string()
    } else {
        format!("{n} messages")
    }
}

/// Why saving a preference failed (or notifications stayed off), as a
/// Win98 message box.
#[component]
fn PreferencesError(prefs: PreferencesState) -> impl IntoView {
    move || {
        prefs.error.get().map(|text| {
            view! {
                <MessageBox
                    title="Options"
                    icon=BoxIcon::Warning
                    text
                    on_cancel=move |_| prefs.error.set(None)
                >
                    <button type="button" on:click=move |_| prefs.error.set(None)>"OK"</button>
                </MessageBox>
            }
        })
    }
}

/// "alice is typing...", "alice and bob are typing...", or nothing.
fn typing_line(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("{one} is typing..."),
        [a, b] => format!("{a} and {b} are typing..."),
        _ => "Several people are typing...".to_string(),
    }
}

/// A clock for the page, ticking each second once hydrated; each tick also
/// drops the messages that have just expired.
fn clock(conversation: Conversation, retention_secs: u64) -> Signal<u64> {
    let now_ms = RwSignal::new(0u64);
    #[cfg(feature = "hydrate")]
    Effect::new(move |started: Option<()>| {
        use leptos::web_sys::js_sys::Date;
        if started.is_some() {
            return;
        }
        let tick = move || {
            let now = Date::now();
            now_ms.set(now as u64);
            let cutoff = now - (retention_secs as f64) * 1000.0;
            conversation.drop_expired(cutoff, |m| Date::parse(&m.timestamp));
        };
        tick();
        set_interval(tick, std::time::Duration::from_secs(1));
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (conversation, retention_secs);
    now_ms.into()
}

#[cfg(test)]
mod tests {
    use super::typing_line;

    #[test]
    fn typing_reads_naturally() {
        assert_eq!(typing_line(&[]), "");
        assert_eq!(typing_line(&["ann".into()]), "ann is typing...");
        assert_eq!(
            typing_line(&["ann".into(), "bo".into()]),
            "ann and bo are typing..."
        );
        assert_eq!(
            typing_line(&["a".into(), "b".into(), "c".into()]),
            "Several people are typing..."
        );
    }
}
