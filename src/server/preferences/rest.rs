//! `GET` and `PUT /api/me/preferences`: the signed-in user's preferences.

use axum::body::Body;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;

use crate::server::auth::signed_in::SignedIn;
use crate::server::http::api_error::{read_body, ApiError, BadRequest, Detail};
use crate::server::AppState;
use crate::types::Preferences;

/// The signed-in user's preferences.
#[utoipa::path(
    get,
    path = "/api/me/preferences",
    tag = "preferences",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The preferences", body = Preferences),
        (status = 401, description = "Not signed in", body = Detail),
        (status = 503, description = "Storage is unavailable", body = Detail),
    )
)]
pub async fn get_preferences(SignedIn(me): SignedIn) -> Json<Preferences> {
    Json(me.preferences())
}

/// Replaces the signed-in user's preferences (every field is required).
#[utoipa::path(
    put,
    path = "/api/me/preferences",
    tag = "preferences",
    request_body(content(
        (Preferences = "application/json"),
        (Preferences = "application/x-www-form-urlencoded"),
    )),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "Stored", body = Preferences),
        (status = 400, description = "A field is missing or not one of its values", body = BadRequest),
        (status = 401, description = "Not signed in", body = Detail),
        (status = 403, description = "Cross-site request refused", body = Detail),
        (status = 413, description = "Body too large", body = Detail),
        (status = 503, description = "Storage is unavailable", body = Detail),
    )
)]
pub async fn put_preferences(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Preferences>, ApiError> {
    let bytes = read_body(body, 4 * 1024).await?;
    let wanted = read_preferences(&headers, &bytes)?;
    Ok(Json(super::save(&state, &me, &wanted).await?))
}

/// A JSON or form body as [`Preferences`].
fn read_preferences(headers: &HeaderMap, bytes: &[u8]) -> Result<Preferences, ApiError> {
    let is_form = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let read = if is_form {
        serde_urlencoded::from_bytes::<Preferences>(bytes).map_err(|e| e.to_string())
    } else {
        serde_json::from_slice::<Preferences>(bytes).map_err(|e| e.to_string())
    };
    read.map_err(|e| {
        ApiError::detail(
            StatusCode::BAD_REQUEST,
            format!(
                "The preferences could not be read: {e}. Send {{\"sound\": \"off\" | \"mentions\" | \"all\", \
                 \"notifications\": \"off\" | \"mentions\" | \"all\", \"show_typing\": true | false}}."
            ),
        )
    })
}

/// Any other method on the preferences path.
pub async fn other_method() -> ApiError {
    ApiError::method_not_allowed("GET, HEAD, PUT")
}
