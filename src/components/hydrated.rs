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
