//! "Online (N)": who has the chat room open, from the live connection.

use leptos::prelude::*;

use crate::client::live::Live;

#[component]
pub fn OnlinePane(live: Live) -> impl IntoView {
    let count = move || live.online.with(Vec::len);
    view! {
        <section class="online-pane" aria-label="Online users">
            <h2 class="online-title">"Online (" {count} ")"</h2>
            <ul class="online-list sunken-panel">
                <For each=move || live.online.get() key=|u| u.id let:user>
                    <li class="online-user">
                        <span class="online-dot" aria-hidden="true"></span>
                        {user.username}
                    </li>
                </For>
            </ul>
        </section>
    }
}
