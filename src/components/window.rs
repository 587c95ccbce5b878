//! A Windows 98 window: navy title bar with minimize / maximize / close, and a
//! grey body. The controls work once the page is hydrated; without JavaScript
//! the window simply stays open.

use leptos::prelude::*;

#[component]
pub fn Window(
    /// Text of the title bar; also the window's accessible name.
    #[prop(into)]
    title: String,
    /// Extra classes on the window, e.g. for its size.
    #[prop(optional, into)]
    class: String,
    /// Shown in the title bar before the title (e.g. the signed-in user).
    #[prop(optional)]
    status: Option<Children>,
    children: Children,
) -> impl IntoView {
    let minimized = RwSignal::new(false);
    let maximized = RwSignal::new(false);
    let closed = RwSignal::new(false);
    let title_id = format!("window-title-{}", slug(&title));
    let heading_id = title_id.clone();
    let restore_title = title.clone();

    view! {
        <section
            class=format!("window {class}")
            class:minimized=minimized
            class:maximized=maximized
            class:closed=closed
            aria-labelledby=title_id
        >
            <div class="title-bar" on:dblclick=move |_| maximized.update(|m| *m = !*m)>
                <h1 class="title-bar-text" id=heading_id>{title}</h1>
                {status.map(|s| view! { <div class="title-bar-status">{s()}</div> })}
                <div class="title-bar-controls">
                    <button
                        type="button"
                        aria-label="Minimize"
                        aria-pressed=move || minimized.get().to_string()
                        on:click=move |_| minimized.update(|m| *m = !*m)
                    ></button>
                    <button
                        type="button"
                        aria-label=move || if maximized.get() { "Restore" } else { "Maximize" }
                        class:restore=maximized
                        on:click=move |_| maximized.update(|m| *m = !*m)
                    ></button>
                    <button type="button" aria-label="Close" on:click=move |_| closed.set(true)></button>
                </div>
            </div>
            <div class="window-body">{children()}</div>
        </section>
        <Show when=move || closed.get()>
            <button type="button" class="desktop-icon" on:click=move |_| closed.set(false)>
                <span class="desktop-icon-image" aria-hidden="true"></span>
                <span class="desktop-icon-label">{restore_title.clone()}</span>
            </button>
        </Show>
    }
}

fn slug(title: &str) -> String {
    title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}
