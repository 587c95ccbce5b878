//! No request body larger than the largest message could need: a client
//! cannot make the server hold megabytes per request (the auth endpoints'
//! usernames, a composer post). A body announced larger is answered 413 at
//! once; one that grows larger while streaming fails where it is read.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_LENGTH;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http_body_util::Limited;

use super::api_error::ApiError;
use crate::error::{ChatError, ErrorCode};

const TOO_LARGE: &str = "The request body is too large.";

/// The 413 in the shape of the endpoint's other errors: the REST API's
/// `{"detail"}`, the server functions' `{"error", "code"}`.
fn too_large(path: &str) -> Response {
    if path.starts_with("/api/chat/messages") || path.starts_with("/api/moderation/") {
        ApiError::detail(StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE).into_response()
    } else {
        let error = ChatError::new(ErrorCode::TooLarge, TOO_LARGE);
        (StatusCode::PAYLOAD_TOO_LARGE, Json(error)).into_response()
    }
}

/// The most bytes a body may have: room for the longest message even if every
/// character is percent-encoded (12 bytes for 4 UTF-8 bytes), and the rest
/// of a form.
pub fn largest_body(max_message_chars: usize) -> usize {
    max_message_chars
        .saturating_mul(12)
        .saturating_add(16 * 1024)
}

pub async fn limit_bodies(State(limit): State<usize>, request: Request, next: Next) -> Response {
    let announced = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit as u64) {
        return too_large(request.uri().path());
    }
    let request = request.map(|body| Body::new(Limited::new(body, limit)));
    next.run(request).await
}
