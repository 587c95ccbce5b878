//! The body of `POST /api/chat/messages/`: JSON or a form.

use std::collections::BTreeMap;

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

use super::posting::Submission;
use super::rules::{NOT_A_STRING, NOT_NULL};
use crate::error::ChatError;
use crate::server::http::api_error::ApiError;
use crate::server::http::url_encoding;

/// What `POST /api/chat/messages/` accepts (`user` / `user_id` fields are ignored:
/// the author is always the signed-in user).
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct NewMessage {
    /// The text. Required; trimmed; not blank; no control characters other
    /// than newline and tab; at most `max-message-chars` characters (2000).
    #[schema(example = "Hello, chat98!")]
    pub content: String,
    /// Your own id for this message: posting again with the same id returns
    /// the stored message (200) instead of storing a second one.
    #[schema(max_length = 64, example = "5f0c6a1e-8d1b-4c53-9a57-0d3c2f1b7e44")]
    pub client_id: Option<String>,
}

/// What `PATCH /api/chat/messages/{id}/` accepts.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct EditedMessage {
    /// The new text, with the same rules as a new message's.
    #[schema(example = "Hello, chat98! (fixed a typo)")]
    pub content: String,
}

/// Reads `body` as the request's content type says: JSON (the default) or a form.
pub fn read_submission(headers: &HeaderMap, body: &[u8]) -> Result<Submission, ApiError> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("?").to_ascii_lowercase());
    let essence = content_type
        .as_deref()
        .map(|t| t.split(';').next().unwrap_or_default().trim().to_owned());
    match essence.as_deref() {
        Some("application/x-www-form-urlencoded") => read_form(body),
        None => read_json(body),
        Some(t) if t == "application/json" || t.ends_with("+json") => read_json(body),
        Some(_) => Err(ApiError::detail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "Unsupported media type \"{}\" in request. Send application/json or \
                 application/x-www-form-urlencoded.",
                content_type.unwrap_or_default()
            ),
        )),
    }
}

fn not_utf8() -> ApiError {
    ApiError::detail(
        StatusCode::BAD_REQUEST,
        "The request body is not valid UTF-8.",
    )
}

fn read_form(body: &[u8]) -> Result<Submission, ApiError> {
    let pairs = url_encoding::parse_pairs(body).ok_or_else(not_utf8)?;
    Ok(Submission {
        content: url_encoding::first(&pairs, "content").map(str::to_owned),
        client_id: url_encoding::first(&pairs, "client_id").map(str::to_owned),
    })
}

fn read_json(body: &[u8]) -> Result<Submission, ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| not_utf8())?;
    if text.trim().is_empty() {
        return Ok(Submission::default());
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        ApiError::detail(StatusCode::BAD_REQUEST, format!("JSON parse error - {e}"))
    })?;
    let Value::Object(object) = value else {
        let mut fields = BTreeMap::new();
        fields.insert(
            "non_field_errors".to_owned(),
            vec![format!(
                "Invalid data. Expected a dictionary, but got {}.",
                json_kind(&value)
            )],
        );
        return Err(ChatError::invalid(fields).into());
    };
    let mut fields = BTreeMap::new();
    let mut text_field = |name: &str| match object.get(name) {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        // Like the seed's serializer, numbers are taken as their text.
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Null) => {
            fields.insert(name.to_owned(), vec![NOT_NULL.to_owned()]);
            None
        }
        Some(_) => {
            fields.insert(name.to_owned(), vec![NOT_A_STRING.to_owned()]);
            None
        }
    };
    let content = text_field("content");
    let client_id = match object.get("client_id") {
        // An explicit null client id just means "none".
        Some(Value::Null) => None,
        _ => text_field("client_id"),
    };
    if !fields.is_empty() {
        return Err(ChatError::invalid(fields).into());
    }
    Ok(Submission { content, client_id })
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Array(_) => "list",
        Value::String(_) => "str",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Null => "null",
        Value::Object(_) => "dict",
    }
}
