//! Logging off: the status bar's Log Off button, and the "Do you want to
//! log off?" message box that the window's Close button and File > Log
//! Off... open. Both are the same plain form: the server ends the session
//! and sends the browser to the sign-in page, with or without JavaScript.

use leptos::prelude::*;

use super::focus::focused;
use super::message_box::{BoxIcon, MessageBox};
use crate::client::live;

/// Where the form posts.
const LOG_OFF: &str = "/api/auth/logout";

/// The status bar's Log Off button.
#[component]
pub fn LogOffButton() -> impl IntoView {
    view! {
        <form class="status-bar-action" method="post" action=LOG_OFF on:submit=|_| live::stop()>
            <button type="submit" class="log-off">"Log Off"</button>
        </form>
    }
}

/// "Do you want to log off?" while `open`: Yes logs off, No (or Escape, or
/// the close X) puts everything back as it was, the focus too.
#[component]
pub fn LogOffBox(open: RwSignal<bool>) -> impl IntoView {
    move || open.get().then(|| view! { <LogOffQuestion open/> })
}

#[component]
fn LogOffQuestion(open: RwSignal<bool>) -> impl IntoView {
    // Whatever had the focus (the Close button, or the place the menu bar
    // was called from) gets it back on No.
    let before = StoredValue::new_local(focused());
    let keep = move || {
        open.set(false);
        if let Some(el) = before.get_value() {
            let _ = el.focus();
        }
    };
    view! {
        <MessageBox title="Log Off" icon=BoxIcon::Question text="Do you want to log off?" on_cancel=keep>
            <form class="log-off-form" method="post" action=LOG_OFF on:submit=|_| live::stop()>
                <button type="submit" data-initial-focus>"Yes"</button>
                <button type="button" on:click=move |_| keep()>"No"</button>
            </form>
        </MessageBox>
    }
}
