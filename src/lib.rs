//! chat98: a temporary group chat room with a Windows 98 look.
//!
//! The same crate builds the server (feature `ssr`: axum + sea-orm, renders the
//! pages) and the browser bundle (feature `hydrate`: WASM that hydrates the
//! page's islands, the parts of `/chat` that move).

#![recursion_limit = "256"]

pub mod app;
pub mod auth;
pub mod client;
pub mod components;
pub mod error;
pub mod live_protocol;
pub mod message_text;
pub mod paths;
pub mod server_fns;
pub mod times;
pub mod types;

#[cfg(feature = "ssr")]
pub mod server;

/// Entry point of the WASM bundle: hydrate the page's islands (the
/// `#[island]` components; the rest of the page stays server HTML).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
