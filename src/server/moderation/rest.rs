//! `/api/moderation/bans/`: list, create and lift bans (moderators only).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;

use super::BanOrder;
use crate::server::auth::signed_in::SignedIn;
use crate::server::http::api_error::{read_body, read_json_or_form, ApiError, BadRequest, Detail};
use crate::server::AppState;
use crate::types::Ban;

/// What `POST /api/moderation/bans/` takes.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewBan {
    /// Who to ban (any letter case).
    #[schema(example = "spammer")]
    pub username: String,
    /// How long, e.g. `30m`, `1h`, `7d`; absent or empty: until unbanned.
    #[serde(default)]
    #[schema(example = "1d")]
    pub duration: Option<String>,
    /// Why; shown to the banned user.
    #[serde(default)]
    #[schema(example = "Spam")]
    pub reason: Option<String>,
    /// Also delete every message of theirs (shown live as deletions).
    #[serde(default)]
    pub purge: Option<bool>,
}

/// The bans in force.
#[utoipa::path(
    get,
    path = "/api/moderation/bans/",
    tag = "moderation",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "Bans in force", body = [Ban]),
        (status = 401, description = "Not signed in", body = Detail),
        (status = 403, description = "Not a moderator", body = Detail),
        (status = 503, description = "Storage is unavailable", body = Detail),
    )
)]
pub async fn list_bans(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
) -> Result<Json<Vec<Ban>>, ApiError> {
    Ok(Json(super::bans(&state, &me).await?))
}

/// Bans a user: every session of theirs ends, their sockets close (4003).
#[utoipa::path(
    post,
    path = "/api/moderation/bans/",
    tag = "moderation",
    request_body(content(
        (NewBan = "application/json"),
        (NewBan = "application/x-www-form-urlencoded"),
    )),
    security(("session_cookie" = [])),
    responses(
        (status = 201, description = "Banned", body = Ban),
        (status = 400, description = "Invalid duration, or a body that cannot be read", body = BadRequest),
        (status = 401, description = "Not signed in", body = Detail),
        (status = 403, description = "Not a moderator, yourself, another moderator, or a cross-site request", body = Detail),
        (status = 404, description = "No such user", body = Detail),
        (status = 413, description = "Body too large", body = Detail),
        (status = 503, description = "Storage is unavailable", body = Detail),
    )
)]
pub async fn create_ban(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Ban>), ApiError> {
    let bytes = read_body(body, 16 * 1024).await?;
    let new: NewBan = read_json_or_form(
        &headers,
        &bytes,
        "The ban could not be read. Send {\"username\": ..., \"duration\": \"1h\", \"reason\": ...}.",
    )?;
    let order = BanOrder {
        username: new.username,
        duration: new.duration,
        reason: new.reason,
        purge: new.purge.unwrap_or(false),
    };
    let ban = super::ban(&state, &me, order).await?;
    Ok((StatusCode::CREATED, Json(ban)))
}

/// Lifts a user's ban (204 also when there was none).
#[utoipa::path(
    delete,
    path = "/api/moderation/bans/{username}/",
    tag = "moderation",
    params(("username" = String, Path, description = "Who to unban")),
    security(("session_cookie" = [])),
    responses(
        (status = 204, description = "Not banned (any more)"),
        (status = 401, description = "Not signed in", body = Detail),
        (status = 403, description = "Not a moderator, or a cross-site request", body = Detail),
        (status = 404, description = "No such user", body = Detail),
        (status = 503, description = "Storage is unavailable", body = Detail),
    )
)]
pub async fn lift_ban(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(username): Path<String>,
) -> Result<StatusCode, ApiError> {
    super::unban(&state, &me, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Any other method on the bans paths.
pub async fn other_method() -> ApiError {
    ApiError::method_not_allowed("GET, HEAD, POST")
}

/// Any other method on one ban's path.
pub async fn other_method_on_one() -> ApiError {
    ApiError::method_not_allowed("DELETE")
}
