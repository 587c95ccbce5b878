//! What every Win98 menu shares, the message's context menu and the menu
//! bar's drop-downs alike: which elements are its items, and the keys that
//! move between them (arrows, Home, End) and choose one (Enter, Space).
//! The look is one CSS class, `menu-popup`.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Element, HtmlElement};

use super::focus::focusable_in;

/// The items of a menu: plain commands, radio items and check items.
const ITEMS: &str = "[role=\"menuitem\"], [role=\"menuitemradio\"], [role=\"menuitemcheckbox\"]";

/// The menu's items, in document order.
pub fn items(menu: &Element) -> Vec<HtmlElement> {
    focusable_in(menu, ITEMS)
}

/// Focuses the menu's first item.
pub fn focus_first(menu: &Element) {
    if let Some(first) = items(menu).into_iter().next() {
        let _ = first.focus();
    }
}

/// Up and Down (wrapping), Home and End move between the items; Enter and
/// Space choose the one with the focus (as a click). True if the key was
/// one of these, so the caller stops the browser's own use of it.
pub fn move_focus(menu: &Element, ev: &KeyboardEvent) -> bool {
    let items = items(menu);
    let active = document().active_element();
    let current = items
        .iter()
        .position(|el| active.as_ref() == Some(el.unchecked_ref()));
    let last = items.len().saturating_sub(1);
    let next = match ev.key().as_str() {
        "ArrowDown" => current.map_or(0, |i| if i >= last { 0 } else { i + 1 }),
        "ArrowUp" => current.map_or(last, |i| if i == 0 { last } else { i - 1 }),
        "Home" => 0,
        "End" => last,
        "Enter" | " " => {
            if let Some(el) = current.and_then(|i| items.get(i)) {
                el.click();
            }
            return true;
        }
        _ => return false,
    };
    if let Some(el) = items.get(next) {
        let _ = el.focus();
    }
    true
}
