//! Security headers on every response, with a fresh CSP nonce per request that
//! leptos puts on its hydration script (no 'unsafe-inline' anywhere).

use axum::extract::Request;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use leptos::nonce::Nonce;

fn fresh_nonce() -> String {
    let mut bytes = [0u8; 16];
    // The OS generator does not fail on supported systems; a zero nonce would
    // still only allow our own script, so there is nothing to unwind here.
    let _ = getrandom::getrandom(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Middleware: makes a nonce for the page renderer and sets the headers.
pub async fn security_headers(mut request: Request, next: Next) -> Response {
    let nonce = fresh_nonce();
    request
        .extensions_mut()
        .insert(Nonce::from_value(nonce.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(&nonce)) {
        headers.insert(CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // same-origin keeps the Referer that plain form posts are redirected back to.
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// Puts the request's nonce into the render context, where `HydrationScripts`
/// and leptos's resource scripts pick it up.
pub fn provide_request_nonce() {
    use leptos::prelude::{provide_context, use_context};
    if let Some(nonce) = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Nonce>().cloned())
    {
        provide_context(nonce);
    }
}
