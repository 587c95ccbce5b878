//! leptos answers a server function's error with 500 unless the function set
//! a status itself. Errors raised before the function runs (fields missing or
//! unreadable) are the sender's mistake: this gives them the status their
//! error code names (400), so clients and logs see a 4xx, not a server fault.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

use crate::error::{ChatError, ErrorCode};

const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn server_fn_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, MAX_ERROR_BODY).await.unwrap_or_default();
    if let Ok(error) = serde_json::from_slice::<ChatError>(&bytes) {
        if error.code == ErrorCode::Invalid {
            parts.status = StatusCode::BAD_REQUEST;
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
