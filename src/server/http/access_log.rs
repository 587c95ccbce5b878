//! The access log: one line per request at `info`. Clients choose methods and
//! paths, so the log shows only so much of each (and never the query).

use axum::body::Body;
use axum::http::Request;
use tracing::Span;

/// Characters of a method shown in the log.
const METHOD_SHOWN: usize = 16;
/// Characters of a path shown in the log.
const PATH_SHOWN: usize = 200;

/// `text`, cut to `max` characters with an ellipsis.
fn shortened(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

/// The request's span: its method and path, shortened.
pub fn request_span(request: &Request<Body>) -> Span {
    tracing::info_span!(
        "request",
        method = %shortened(request.method().as_str(), METHOD_SHOWN),
        path = %shortened(request.uri().path(), PATH_SHOWN),
    )
}

#[cfg(test)]
mod tests {
    use super::shortened;

    #[test]
    fn long_methods_and_paths_are_cut() {
        assert_eq!(shortened("GET", 16), "GET");
        assert_eq!(
            shortened(&"X".repeat(300_000), 16),
            format!("{}...", "X".repeat(16))
        );
        assert_eq!(shortened("/é/é/é", 3), "/é/...");
    }
}
