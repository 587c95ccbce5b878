//! Answers 503 with a JSON sentence when a request takes longer than the
//! configured limit (a stuck database, say), instead of leaving the client
//! hanging. Websockets are unaffected: their upgrade answers at once.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

pub async fn request_timeout(
    State(limit): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(?limit, "request timed out");
            let body = serde_json::json!({
                "detail": "The server took too long to answer. Please try again in a moment."
            });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}
