//! `GET` and `POST /api/chat/messages/`: the seed's message endpoints.

use axum::body::{to_bytes, Body};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Extension;
use axum::Json;

use super::posting;
use super::submission::{read_submission, NewMessage};
use crate::error::ChatError;
use crate::server::auth::signed_in::SignedIn;
use crate::server::http::api_error::{ApiError, BadRequest, Detail};
use crate::server::http::request_timeout::Commitment;
use crate::server::messages::history_query::{read_window, HistoryQuery};
use crate::server::AppState;
use crate::types::ChatMessage;

/// The retained messages, oldest first.
#[utoipa::path(
    get,
    path = "/api/chat/messages/",
    tag = "messages",
    params(HistoryQuery),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "Messages, oldest first", body = [ChatMessage]),
        (status = 400, description = "A query value is invalid", body = BadRequest),
        (status = 401, description = "Not signed in", body = Detail),
        (status = 503, description = "Storage is unavailable", body = Detail),
    )
)]
pub async fn list_messages(
    State(state): State<AppState>,
    _user: SignedIn,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<ChatMessage>>, ApiError> {
    let window = read_window(query.as_deref())?;
    let cutoff = state.settings.cutoff_now();
    let page = state
        .history
        .page(&state.db, window, cutoff)
        .await
        .map_err(ChatError::from)?;
    Ok(Json(page))
}

/// Sends a message as the signed-in user.
#[utoipa::path(
    post,
    path = "/api/chat/messages/",
    tag = "messages",
    request_body(content(
        (NewMessage = "application/json"),
        (NewMessage = "application/x-www-form-urlencoded"),
    )),
    security(("session_cookie" = [])),
    responses(
        (status = 201, description = "Stored", body = ChatMessage),
        (status = 200, description = "Already stored under this client_id; nothing new stored", body = ChatMessage),
        (status = 400, description = "Invalid fields, or a body that is not JSON / UTF-8", body = BadRequest),
        (status = 401, description = "Not signed in", body = Detail),
        (status = 403, description = "Cross-site request refused", body = ChatError),
        (status = 413, description = "Body too large", body = Detail),
        (status = 415, description = "Neither JSON nor a form", body = Detail),
        (status = 429, description = "Sending too fast; see Retry-After", body = Detail,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "Storage is unavailable or the request took too long; nothing was stored", body = Detail),
    )
)]
pub async fn create_message(
    State(state): State<AppState>,
    SignedIn(author): SignedIn,
    commitment: Option<Extension<Commitment>>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<ChatMessage>), ApiError> {
    // Room for the longest message even if every character is escaped.
    let limit = state.settings.messages.max_message_chars * 12 + 4096;
    let bytes = to_bytes(body, limit).await.map_err(|_| {
        ApiError::detail(
            StatusCode::PAYLOAD_TOO_LARGE,
            "The request body is too large.",
        )
    })?;
    let submission = read_submission(&headers, &bytes)?;
    let commitment = commitment.map(|Extension(c)| c);
    let posted = posting::post(&state.posting, &author, &submission, commitment).await?;
    let status = if posted.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(posted.message)))
}

/// Any other method on the messages path.
pub async fn other_method() -> ApiError {
    ApiError::method_not_allowed("GET, HEAD, POST")
}
