//! Answering from server functions and pages: an error gets its HTTP status
//! (API clients) or travels back to the form (plain browser posts); a redirect
//! is a 303 for plain browsers and a client-side navigation for the WASM app.

use axum::http::header::{ACCEPT, LOCATION, RETRY_AFTER};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use crate::error::ChatError;

/// Whether the request is a plain browser navigation or form post.
fn wants_html() -> bool {
    use_context::<Parts>()
        .and_then(|p| {
            p.headers
                .get(ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.contains("text/html"))
        })
        .unwrap_or(false)
}

/// Gives `err` its status code and headers, and hands it back.
///
/// A plain form post keeps leptos's redirect back to the form (which then shows
/// the error inline); only API and WASM clients see the status itself.
pub fn reject(err: ChatError) -> ChatError {
    set_api_status(StatusCode::from_u16(err.code.status()).unwrap_or(StatusCode::BAD_REQUEST));
    if let Some(response) = use_context::<ResponseOptions>() {
        if let Some(secs) = err.retry_after {
            response.insert_header(RETRY_AFTER, HeaderValue::from(secs));
        }
    }
    err
}

/// Sets the status for API and WASM clients; plain form posts keep leptos's
/// redirect back to the form.
pub fn set_api_status(status: StatusCode) {
    if let Some(response) = use_context::<ResponseOptions>() {
        if !wants_html() {
            response.set_status(status);
        }
    }
}

/// Answers a page request with a 303 to `path` (the page was rendered in
/// `SsrMode::Async`, so no byte has been sent yet).
pub fn redirect_page(path: &str) {
    if let (Some(response), Ok(location)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(path),
    ) {
        response.insert_header(LOCATION, location);
        response.set_status(StatusCode::SEE_OTHER);
    }
}

/// After a plain form post (no JavaScript), sends the browser to `path`
/// instead of back to the page it came from; API and WASM clients just get
/// the answer.
pub fn return_browser_to(path: &str) {
    if wants_html() {
        redirect_page(path);
    }
}

/// Sends the browser to `path` (a same-site path) once the request is done.
pub fn see_other(path: &str) {
    if wants_html() {
        return redirect_page(path);
    }
    // The WASM client navigates itself and still reads the JSON answer.
    if let (Some(response), Ok(location)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(path),
    ) {
        response.insert_header(LOCATION, location);
        response.insert_header(
            HeaderName::from_static(leptos::server_fn::redirect::REDIRECT_HEADER),
            HeaderValue::from_static(""),
        );
    }
}
