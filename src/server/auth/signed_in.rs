//! The signed-in user of a REST request, or a 401.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tower_sessions::Session;

use crate::error::ChatError;
use crate::server::auth::session;
use crate::server::entities::user;
use crate::server::http::api_error::ApiError;
use crate::server::AppState;

/// Extracting this answers 401 `{"detail": "Authentication credentials were
/// not provided."}` when nobody is signed in.
pub struct SignedIn(pub user::Model);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| ChatError::unavailable())?;
        session::signed_in_user(&session, &state.users, &state.db)
            .await?
            .map(SignedIn)
            .ok_or_else(|| ChatError::not_signed_in().into())
    }
}
