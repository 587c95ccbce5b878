//! Moving the keyboard focus for the menu and the dialogs. Called from event
//! handlers and effects only, which never run on the server; the server
//! build gets stand-ins (its web-sys lacks the `NodeList` and `DomRect`
//! types these need).

use leptos::web_sys::Element;

/// The elements matching `selector` inside `root` that can take the focus,
/// in document order.
pub fn focusable_in(root: &Element, selector: &str) -> Vec<leptos::web_sys::HtmlElement> {
    #[cfg(feature = "hydrate")]
    return browser::focusable_in(root, selector);
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (root, selector);
        Vec::new()
    }
}

/// The element that has the focus now (not the page's body), to give the
/// focus back to it later.
pub fn focused() -> Option<leptos::web_sys::HtmlElement> {
    #[cfg(feature = "hydrate")]
    return browser::focused();
    #[cfg(not(feature = "hydrate"))]
    None
}

/// Focuses the bubble of message `id`; if it is gone (deleted), the message
/// pane, so the focus is never lost to the page's body.
pub fn focus_bubble(id: i64) {
    #[cfg(feature = "hydrate")]
    browser::focus_bubble(id);
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// Focuses the element marked `data-initial-focus` inside `root`, or else
/// the first focusable one.
pub fn focus_initial(root: &Element) {
    #[cfg(feature = "hydrate")]
    browser::focus_initial(root);
    #[cfg(not(feature = "hydrate"))]
    let _ = root;
}

/// Keeps Tab and Shift+Tab inside `root` (a modal dialog): from the last
/// stop Tab goes to the first, and the other way round. True if it moved
/// the focus (the caller then stops the browser's own move).
pub fn trap_tab(root: &Element, backwards: bool) -> bool {
    #[cfg(feature = "hydrate")]
    return browser::trap_tab(root, backwards);
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (root, backwards);
        false
    }
}

/// Where a menu opened from the keyboard goes: below the element's top-left
/// corner, in viewport pixels.
pub fn menu_anchor(el: &Element) -> (i32, i32) {
    #[cfg(feature = "hydrate")]
    let anchor = {
        let rect = el.get_bounding_client_rect();
        (rect.left() as i32 + 12, rect.top() as i32 + 20)
    };
    #[cfg(not(feature = "hydrate"))]
    let anchor = {
        let _ = el;
        (0, 0)
    };
    anchor
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use leptos::wasm_bindgen::JsCast;
    use leptos::web_sys::{Element, HtmlElement};

    /// What Tab can reach inside a dialog.
    const FOCUSABLE: &str =
        "button:not([disabled]), input:not([disabled]), select:not([disabled]), \
         textarea:not([disabled]), a[href], [tabindex]:not([tabindex=\"-1\"])";

    /// The focusable elements inside `root`, in document order.
    pub fn focusable_in(root: &Element, selector: &str) -> Vec<HtmlElement> {
        let Ok(list) = root.query_selector_all(selector) else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|node| node.dyn_into::<HtmlElement>().ok())
            .collect()
    }

    pub fn focused() -> Option<HtmlElement> {
        document()
            .active_element()
            .filter(|el| el.tag_name() != "BODY")
            .and_then(|el| el.dyn_into::<HtmlElement>().ok())
    }

    /// Focuses the bubble of message `id`; if it is gone (deleted), the message
    /// pane, so the focus is never lost to the page's body.
    pub fn focus_bubble(id: i64) {
        let bubble = document()
            .query_selector(&format!(".message[data-id=\"{id}\"] .message-bubble"))
            .ok()
            .flatten()
            .or_else(|| document().query_selector(".message-pane").ok().flatten());
        if let Some(el) = bubble.and_then(|el| el.dyn_into::<HtmlElement>().ok()) {
            let _ = el.focus();
        }
    }

    /// Focuses the element marked `data-initial-focus` inside `root`, or else
    /// the first focusable one.
    pub fn focus_initial(root: &Element) {
        let marked = root
            .query_selector("[data-initial-focus]")
            .ok()
            .flatten()
            .and_then(|el| el.dyn_into::<HtmlElement>().ok());
        if let Some(el) = marked.or_else(|| focusable_in(root, FOCUSABLE).into_iter().next()) {
            let _ = el.focus();
        }
    }

    /// Keeps Tab and Shift+Tab inside `root` (a modal dialog): from the last
    /// stop Tab goes to the first, and the other way round. True if it moved
    /// the focus (the caller then stops the browser's own move).
    pub fn trap_tab(root: &Element, backwards: bool) -> bool {
        let stops = focusable_in(root, FOCUSABLE);
        let (Some(first), Some(last)) = (stops.first(), stops.last()) else {
            return false;
        };
        let active = document().active_element();
        let at = |el: &HtmlElement| {
            active
                .as_ref()
                .is_some_and(|a| a == el.unchecked_ref::<Element>())
        };
        let inside = active.as_ref().is_some_and(|a| root.contains(Some(a)));
        let target = if backwards && (at(first) || !inside) {
            last
        } else if !backwards && (at(last) || !inside) {
            first
        } else {
            return false;
        };
        let _ = target.focus();
        true
    }
}
