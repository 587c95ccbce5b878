//! The Win98 context menu of a message: a raised grey box at the pointer
//! (or under the bubble, from the keyboard) with Edit / Delete / Ban user...
//! Arrow keys move, Enter runs an item, Escape and Tab close it and give the
//! focus back to the bubble; a click anywhere else closes it.

use leptos::ev::{KeyboardEvent, MouseEvent};
use leptos::html::Ul;
use leptos::prelude::*;

use super::focus::focus_bubble;
use super::menu::{focus_first, move_focus};
use crate::client::message_changes::{MessageActions, OpenMenu};

/// The menu's size, roughly: enough to keep it inside the window's edges.
const MENU_WIDTH: i32 = 140;
const MENU_HEIGHT: i32 = 80;

#[component]
pub fn ContextMenu(actions: MessageActions) -> impl IntoView {
    move || {
        actions
            .menu
            .get()
            .map(|menu| view! { <Menu actions menu/> })
    }
}

#[component]
fn Menu(actions: MessageActions, menu: OpenMenu) -> impl IntoView {
    let list = NodeRef::<Ul>::new();
    let id = menu.message.id;
    let close = move |refocus: bool| {
        actions.menu.set(None);
        if refocus {
            focus_bubble(id);
        }
    };
    // The first item takes the focus when the menu opens.
    Effect::new(move |_| {
        if let Some(el) = list.get() {
            focus_first(&el);
        }
    });
    let on_keydown = move |ev: KeyboardEvent| {
        let Some(el) = list.get_untracked() else {
            return;
        };
        if move_focus(&el, &ev) {
            ev.prevent_default();
        } else if matches!(ev.key().as_str(), "Escape" | "Tab") {
            ev.prevent_default();
            close(true);
        }
    };
    let (left, top) = inside_viewport(menu.x, menu.y);
    let message = menu.message.clone();
    let entries = menu
        .items
        .iter()
        .map(|&item| {
            let message = message.clone();
            view! {
                <li
                    role="menuitem"
                    tabindex="-1"
                    class="menu-item"
                    on:click=move |_| actions.choose(item, message.clone())
                >
                    {item.label()}
                </li>
            }
        })
        .collect_view();
    view! {
        // Catches the click (or right-click) outside the menu that closes it.
        <div
            class="menu-backdrop"
            on:mousedown=move |ev: MouseEvent| {
                ev.prevent_default();
                close(false);
            }
            on:contextmenu=move |ev: MouseEvent| {
                ev.prevent_default();
                close(false);
            }
        ></div>
        <ul
            class="menu-popup context-menu"
            role="menu"
            aria-label="Message actions"
            // Set through the CSSOM (`style:`), which the page's CSP allows;
            // a `style` attribute would be blocked by `style-src 'self'`.
            style:left=format!("{left}px")
            style:top=format!("{top}px")
            node_ref=list
            on:keydown=on_keydown
            on:contextmenu=|ev: MouseEvent| ev.prevent_default()
        >
            {entries}
        </ul>
    }
}

/// Keeps the menu on screen near where it was asked for.
fn inside_viewport(x: i32, y: i32) -> (i32, i32) {
    let size = |v: Result<leptos::wasm_bindgen::JsValue, _>| {
        v.ok()
            .and_then(|v| v.as_f64())
            .map_or(i32::MAX, |v| v as i32)
    };
    let (width, height) = (size(window().inner_width()), size(window().inner_height()));
    (
        x.min(width.saturating_sub(MENU_WIDTH)).max(0),
        y.min(height.saturating_sub(MENU_HEIGHT)).max(0),
    )
}
