//! Refuses state-changing requests that a browser sent from another site
//! (login CSRF, forged posts, later cross-site websocket hijacking).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::error::{ChatError, ErrorCode};

/// Origins allowed besides the site itself, e.g. `https://chat.example.com`.
#[derive(Clone, Debug, Default)]
pub struct AllowedOrigins(pub Arc<Vec<String>>);

/// Whether a request with these headers may change state.
pub fn is_same_site(headers: &HeaderMap, allowed: &AllowedOrigins) -> bool {
    match headers.get(ORIGIN).map(|o| o.to_str()) {
        Some(Ok(origin)) => {
            let origin = origin.trim_end_matches('/');
            let host = headers
                .get(HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("");
            let own = ["http://", "https://"]
                .iter()
                .any(|scheme| !host.is_empty() && origin == format!("{scheme}{host}"));
            own || allowed.0.iter().any(|a| a.trim_end_matches('/') == origin)
        }
        // An Origin that is not text (or "null" above) is not ours.
        Some(Err(_)) => false,
        // Without Origin, trust the browser's own statement if it made one;
        // non-browser clients send neither and are not a CSRF vector.
        None => headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_none_or(|v| v != "cross-site"),
    }
}

/// Middleware: 403 with a JSON error for cross-site unsafe requests.
pub async fn refuse_cross_site(
    State(allowed): State<AllowedOrigins>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || is_same_site(request.headers(), &allowed) {
        return next.run(request).await;
    }
    tracing::warn!(
        origin = ?request.headers().get(ORIGIN),
        path = %request.uri().path(),
        "refused cross-site request"
    );
    (
        StatusCode::FORBIDDEN,
        Json(ChatError::new(
            ErrorCode::CrossSite,
            "This request came from another site and was refused.",
        )),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn same_site_and_listed_origins_pass_others_do_not() {
        let allowed = AllowedOrigins(Arc::new(vec!["https://chat.example.com".into()]));
        let host = ("host", "127.0.0.1:3000");
        assert!(is_same_site(
            &headers(&[host, ("origin", "http://127.0.0.1:3000")]),
            &allowed
        ));
        assert!(is_same_site(
            &headers(&[host, ("origin", "https://chat.example.com")]),
            &allowed
        ));
        assert!(!is_same_site(
            &headers(&[host, ("origin", "http://evil.example")]),
            &allowed
        ));
        assert!(!is_same_site(
            &headers(&[host, ("origin", "null")]),
            &allowed
        ));
        assert!(!is_same_site(
            &headers(&[host, ("sec-fetch-site", "cross-site")]),
            &allowed
        ));
        assert!(is_same_site(
            &headers(&[host, ("sec-fetch-site", "same-origin")]),
            &allowed
        ));
        assert!(is_same_site(&headers(&[host]), &allowed));
    }
}
