//! The sunken fields along the bottom of a window.

use leptos::prelude::*;

#[component]
pub fn StatusBar(children: Children) -> impl IntoView {
    view! { <div class="status-bar" role="status">{children()}</div> }
}

#[component]
pub fn StatusField(children: Children, #[prop(optional, into)] class: String) -> impl IntoView {
    view! { <p class=format!("status-bar-field {class}")>{children()}</p> }
}
