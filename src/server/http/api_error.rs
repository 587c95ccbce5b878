//! Errors of the REST API, in the seed's (Django REST framework) shapes:
//! `{"content": ["This field may not be blank."]}` for invalid fields and
//! `{"detail": "..."}` for everything else.

use axum::http::header::{ALLOW, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

use crate::error::{ChatError, ErrorCode};

/// A JSON error answer with its status.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Value,
    retry_after: Option<u64>,
    allow: Option<&'static str>,
}

/// `{"detail": ...}`: what went wrong, when it is not about one field.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Detail {
    /// A sentence for people.
    pub detail: String,
    /// Seconds to wait before retrying (429 only; also the `Retry-After` header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// Messages per invalid field, e.g. `{"content": ["This field may not be blank."]}`.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({"content": ["This field may not be blank."]}))]
pub struct FieldErrors(pub std::collections::BTreeMap<String, Vec<String>>);

/// A 400: invalid fields, or a request that could not be read at all.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // Describes the answers for the OpenAPI document.
pub enum BadRequest {
    Fields(FieldErrors),
    Unreadable(Detail),
}

impl ApiError {
    /// A `{"detail": ...}` answer.
    pub fn detail(status: StatusCode, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            body: json!({ "detail": detail.into() }),
            retry_after: None,
            allow: None,
        }
    }

    /// 405 for a method the path does not have.
    pub fn method_not_allowed(allow: &'static str) -> Self {
        ApiError {
            allow: Some(allow),
            ..ApiError::detail(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed.")
        }
    }

    /// 429 before a websocket upgrade: the user holds `cap` sockets already.
    pub fn too_many_sockets(cap: u32) -> Self {
        ApiError::detail(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "You have {cap} chat connections open already (the most allowed). \
                 Close a tab or window and try again."
            ),
        )
    }

    /// 404 for a path under `/api/` that does not exist.
    pub fn not_found() -> Self {
        ApiError::detail(StatusCode::NOT_FOUND, "Not found.")
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

/// Reads a REST request's body, at most `limit` bytes (413 beyond).
pub async fn read_body(
    body: axum::body::Body,
    limit: usize,
) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::detail(
            StatusCode::PAYLOAD_TOO_LARGE,
            "The request body is too large.",
        )
    })
}

/// A JSON body (or, by its `Content-Type`, a form-encoded one) as `T`; when
/// it cannot be read, 400 with the reason and `expected` (a sentence that
/// shows what to send).
pub fn read_json_or_form<T: serde::de::DeserializeOwned>(
    headers: &axum::http::HeaderMap,
    bytes: &[u8],
    expected: &str,
) -> Result<T, ApiError> {
    let is_form = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let read = if is_form {
        serde_urlencoded::from_bytes::<T>(bytes).map_err(|e| e.to_string())
    } else {
        serde_json::from_slice::<T>(bytes).map_err(|e| e.to_string())
    };
    read.map_err(|e| ApiError::detail(StatusCode::BAD_REQUEST, format!("{expected} ({e})")))
}

impl From<ChatError> for ApiError {
    fn from(e: ChatError) -> Self {
        let status = StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::BAD_REQUEST);
        let body = if e.code == ErrorCode::Invalid && !e.fields.is_empty() {
            json!(e.fields)
        } else {
            json!(Detail {
                detail: e.error,
                retry_after: e.retry_after,
            })
        };
        ApiError {
            status,
            body,
            retry_after: e.retry_after,
            allow: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        let headers = response.headers_mut();
        if let Some(secs) = self.retry_after {
            headers.insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        if let Some(allow) = self.allow {
            headers.insert(ALLOW, HeaderValue::from_static(allow));
        }
        response
    }
}
