//! A Windows 98 window: navy title bar, a grey body, and the title-bar
//! buttons. An application window (one given `on_close`) has Minimize
//! (down to its title bar, with a taskbar button at the bottom of the
//! screen to bring it back), Maximize / Restore and Close; they work once
//! the page is hydrated and are disabled until then, so a browser without
//! JavaScript never shows a button that does nothing. A dialog has only
//! Close, greyed out: it closes by its own buttons.

use leptos::html::Button;
use leptos::prelude::*;

use super::hydrated::use_hydrated;

#[component]
pub fn Window(
    /// Text of the title bar; also the window's accessible name.
    #[prop(into)]
    title: String,
    /// Extra classes on the window, e.g. for its size.
    #[prop(optional, into)]
    class: String,
    /// What Close does; without it the window is a dialog.
    #[prop(optional, into)]
    on_close: Option<Callback<()>>,
    /// The menu bar, under the title bar.
    #[prop(optional)]
    menu_bar: Option<Children>,
    children: Children,
) -> impl IntoView {
    let minimized = RwSignal::new(false);
    let maximized = RwSignal::new(false);
    let minimize = NodeRef::<Button>::new();
    let title_id = format!("window-title-{}", slug(&title));
    let heading_id = title_id.clone();
    let task_title = title.clone();
    let controls = match on_close {
        Some(on_close) => view! { <AppControls minimized maximized minimize on_close/> }.into_any(),
        None => view! {
            <div class="title-bar-controls">
                <button type="button" aria-label="Close" disabled></button>
            </div>
        }
        .into_any(),
    };
    let resizable = on_close.is_some();

    view! {
        <section
            class=format!("window {class}")
            class:minimized=minimized
            class:maximized=maximized
            aria-labelledby=title_id
        >
            <div
                class="title-bar"
                on:dblclick=move |_| {
                    if resizable {
                        minimized.set(false);
                        maximized.update(|m| *m = !*m);
                    }
                }
            >
                <h1 class="title-bar-text" id=heading_id>{title}</h1>
                {controls}
            </div>
            {menu_bar.map(|bar| bar())}
            <div class="window-body">{children()}</div>
        </section>
        <Show when=move || minimized.get()>
            <Taskbar title=task_title.clone() minimized minimize/>
        </Show>
    }
}

/// Minimize, Maximize / Restore and Close of an application window.
#[component]
fn AppControls(
    minimized: RwSignal<bool>,
    maximized: RwSignal<bool>,
    minimize: NodeRef<Button>,
    on_close: Callback<()>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let off = move || !hydrated.get();
    view! {
        <div class="title-bar-controls">
            <button
                type="button"
                class="minimize"
                aria-label="Minimize"
                node_ref=minimize
                aria-pressed=move || minimized.get().to_string()
                disabled=off
                on:click=move |_| minimized.update(|m| *m = !*m)
            ></button>
            <button
                type="button"
                class="maximize"
                aria-label=move || if maximized.get() { "Restore" } else { "Maximize" }
                class:restore=maximized
                disabled=off
                on:click=move |_| {
                    minimized.set(false);
                    maximized.update(|m| *m = !*m);
                }
            ></button>
            <button type="button" class="close" aria-label="Close" disabled=off on:click=move |_| on_close.run(())></button>
        </div>
    }
}

/// The Win98 taskbar along the bottom of the screen while the window is
/// minimized: its button brings the window back.
#[component]
fn Taskbar(title: String, minimized: RwSignal<bool>, minimize: NodeRef<Button>) -> impl IntoView {
    let button = NodeRef::<Button>::new();
    // The focus goes with the window, down to its button and back.
    Effect::new(move |_| {
        if let Some(el) = button.get() {
            let _ = el.focus();
        }
    });
    let restore = move |_| {
        minimized.set(false);
        if let Some(el) = minimize.get_untracked() {
            let _ = el.focus();
        }
    };
    view! {
        <div class="taskbar" role="group" aria-label="Taskbar">
            <button type="button" class="taskbar-button" node_ref=button on:click=restore>
                <span class="taskbar-icon" aria-hidden="true"></span>
                {title}
            </button>
        </div>
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
