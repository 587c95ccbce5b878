//! `GET` and `POST /api/chat/messages/`: the seed's message endpoints.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Extension;
use axum::Json;

use super::submission::{read_submission, EditedMessage, NewMessage};
use super::{editing, mentions, posting, store};
use crate::error::ChatError;
use crate::server::auth::signed_in::SignedIn;
use crate::server::http::api_error::{read_body, ApiError, BadRequest, Detail};
use crate::server::http::request_timeout::Commitment;
use crate::server::messages::history_query::{read_list, HistoryQuery};
use crate::server::AppState;
use crate::types::ChatMessage;

/// The retained messages, oldest first; with `mentions=me`, those that
/// mention the signed-in user, newest first.
#[utoipa::path(
    get,
    path = "/api/chat/messages/",
    tag = "messages",
    params(HistoryQuery),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "Messages, oldest first (with mentions=me: newest first)", body = [ChatMessage]),
        (status = 400, description = "A query value is invalid", body = BadRequest),
        (status = 401, description = "Not signed in", body = Detail),
        (status = 503, description = "Storage is unavailable", body = Detail),
    )
)]
pub async fn list_messages(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<ChatMessage>>, ApiError> {
    let list = read_list(query.as_deref())?;
    let cutoff = state.settings.cutoff_now();
    let page = if list.mentions_me {
        let only = Some(mentions::mentioning(&user.username));
        let mut page = store::page_where(&state.db, list.window, cutoff, only).await;
        if let Ok(page) = &mut page {
            page.reverse();
        }
        page
    } else {
        state.history.page(&state.db, list.window, cutoff).await
    };
    Ok(Json(page.map_err(ChatError::from)?))
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
    let bytes = read_message_body(&state, body).await?;
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

/// Reads a request body of at most the size a message can take.
async fn read_message_body(state: &AppState, body: Body) -> Result<axum::body::Bytes, ApiError> {
    // Room for the longest message even if every character is escaped.
    read_body(body, state.settings.messages.max_message_chars * 12 + 4096).await
}

/// A message id from the path; anything else names no message (404).
fn message_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .map_err(|_| ApiError::detail(StatusCode::NOT_FOUND, "No message has that id."))
}

/// Edits one of your messages, within the edit window.
#[utoipa::path(
    patch,
    path = "/api/chat/messages/{id}/",
    tag = "messages",
    params(("id" = i64, Path, description = "The message's id")),
    request_body(content(
        (EditedMessage = "application/json"),
        (EditedMessage = "application/x-www-form-urlencoded"),
    )),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "Edited; the message as stored now", body = ChatMessage),
        (status = 400, description = "Invalid content, or a body that is not JSON / UTF-8", body = BadRequest),
        (status = 401, description = "Not signed in", body = Detail),
        (status = 403, description = "Someone else's message, the edit window has passed, or a cross-site request", body = Detail),
        (status = 404, description = "No such message, or it expired", body = Detail),
        (status = 413, description = "Body too large", body = Detail),
        (status = 415, description = "Neither JSON nor a form", body = Detail),
        (status = 429, description = "Sending too fast; see Retry-After", body = Detail,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "Storage is unavailable; nothing was changed", body = Detail),
    )
)]
pub async fn edit_message(
    State(state): State<AppState>,
    SignedIn(author): SignedIn,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ChatMessage>, ApiError> {
    let id = message_id(&id)?;
    let bytes = read_message_body(&state, body).await?;
    let submission = read_submission(&headers, &bytes)?;
    let edited = editing::edit(&state, &author, id, submission.content).await?;
    Ok(Json(edited))
}

/// Deletes one of your messages; a moderator, anyone's.
#[utoipa::path(
    delete,
    path = "/api/chat/messages/{id}/",
    tag = "messages",
    params(("id" = i64, Path, description = "The message's id")),
    security(("session_cookie" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Detail),
        (status = 403, description = "Someone else's message (members), or a cross-site request", body = Detail),
        (status = 404, description = "No such message, it expired or was deleted already", body = Detail),
        (status = 429, description = "Sending too fast; see Retry-After", body = Detail,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "Storage is unavailable; nothing was deleted", body = Detail),
    )
)]
pub async fn delete_message(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = message_id(&id)?;
    editing::delete(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Any other method on one message's path.
pub async fn other_method_on_one() -> ApiError {
    ApiError::method_not_allowed("PATCH, DELETE")
}

/// Any other method on the messages path.
pub async fn other_method() -> ApiError {
    ApiError::method_not_allowed("GET, HEAD, POST")
}
