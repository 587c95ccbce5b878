//! `GET` and `PUT /api/me/preferences`: the signed-in user's preferences.

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;

use crate::server::auth::signed_in::SignedIn;
use crate::server::http::api_error::{read_body, read_json_or_form, ApiError, BadRequest, Detail};
use crate::server::AppState;
use crate::types::Preferences;

/// What a refused body is told to send.
const EXPECTED: &str = "The preferences could not be read. Send {\"sound\": \"off\" | \"mentions\" | \"all\", \"notifications\": \"off\" | \"mentions\" | \"all\", \"show_typing\": true | false}.";

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
    let wanted: Preferences = read_json_or_form(&headers, &bytes, EXPECTED)?;
    Ok(Json(super::save(&state, &me, &wanted).await?))
}

/// Any other method on the preferences path.
pub async fn other_method() -> ApiError {
    ApiError::method_not_allowed("GET, HEAD, PUT")
}
