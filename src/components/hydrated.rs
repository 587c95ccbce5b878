//! Whether the WASM app has taken over the page. Controls that only work
//! with JavaScript render after that; the server's HTML leaves them out, so
//! a browser without JavaScript never shows a button that does nothing.

use leptos::prelude::*;

/// False during server rendering and hydration; true right after.
pub fn use_hydrated() -> Signal<bool> {
    let hydrated = RwSignal::new(false);
    // Effects never run on the server.
    Effect::new(move |_| hydrated.set(true));
    hydrated.into()
}

/// Sets `window.__chat98_hydrated` for the browser tests once the island
/// calling it has hydrated (not merely once the bundle ran: a bundle that
/// does not match the server's HTML hydrates no island).
pub fn flag_for_tests() {
    Effect::new(|_| {
        #[cfg(feature = "hydrate")]
        let _ = leptos::web_sys::js_sys::Reflect::set(
            &window(),
            &"__chat98_hydrated".into(),
            &true.into(),
        );
    });
}
