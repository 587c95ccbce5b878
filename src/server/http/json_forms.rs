//! The auth endpoints are server functions that read form-encoded bodies (what
//! `<form>` and `ActionForm` send). API clients may send JSON instead: this
//! middleware turns a flat JSON object into the same form encoding.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{Map, Value};

use crate::error::{ChatError, ErrorCode};

const MAX_BODY: usize = 16 * 1024;

fn bad_request(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(ChatError::new(ErrorCode::Invalid, message)),
    )
        .into_response()
}

/// The endpoints whose form bodies may come as JSON.
const FORM_ENDPOINTS: &str = "/api/auth/";

/// Middleware for JSON → form-encoded bodies.
pub async fn accept_json_bodies(request: Request, next: Next) -> Response {
    let is_json = request.uri().path().starts_with(FORM_ENDPOINTS)
        && request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return bad_request("The request body is too large.");
    };
    let object: Map<String, Value> = if bytes.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice(&bytes) {
            Ok(Value::Object(object)) => object,
            _ => return bad_request("The request body must be a JSON object."),
        }
    };
    let mut pairs = Vec::with_capacity(object.len());
    for (key, value) in object {
        match value {
            Value::String(s) => pairs.push((key, s)),
            Value::Null => {}
            Value::Bool(_) | Value::Number(_) => pairs.push((key, value.to_string())),
            _ => return bad_request(&format!("The field \"{key}\" must be a string.")),
        }
    }
    let Ok(form) = serde_urlencoded::to_string(&pairs) else {
        return bad_request("The request body could not be read.");
    };
    parts.headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    parts
        .headers
        .insert(CONTENT_LENGTH, HeaderValue::from(form.len()));
    next.run(Request::from_parts(parts, Body::from(form))).await
}
