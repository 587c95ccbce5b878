//! Reading and changing who is signed in, from inside server functions and pages.

use tower_sessions::Session;

use crate::error::ChatError;
use crate::server::entities::user;
use crate::server::AppState;

/// The session key holding the signed-in user's id.
const USER_ID: &str = "user_id";

/// The request's session (the session layer put it there).
pub async fn current_session() -> Result<Session, ChatError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "session layer missing");
        ChatError::unavailable()
    })
}

fn storage(e: tower_sessions::session::Error) -> ChatError {
    tracing::error!(error = %e, "session storage error");
    ChatError::unavailable()
}

/// The signed-in user, if the session names one that still exists.
pub async fn signed_in_user(
    session: &Session,
    state: &AppState,
) -> Result<Option<user::Model>, ChatError> {
    let Some(id) = session.get::<i64>(USER_ID).await.map_err(storage)? else {
        return Ok(None);
    };
    keep_alive(session);
    Ok(state.users.find(&state.db, id).await?)
}

/// Idle expiry counts from the last visit, but saving the session on every
/// request would cost a write each time: push the expiry forward once a
/// twentieth of the idle period has been used up.
fn keep_alive(session: &Session) {
    if let Some(tower_sessions::Expiry::OnInactivity(idle)) = session.expiry() {
        if session.expiry_age() < idle - idle / 20 {
            session.set_expiry(session.expiry());
        }
    }
}

/// Starts a signed-in session for `user` under a fresh id (no session fixation).
pub async fn sign_in(session: &Session, user: &user::Model) -> Result<(), ChatError> {
    session.cycle_id().await.map_err(storage)?;
    session.insert(USER_ID, user.id).await.map_err(storage)
}

/// Ends the session on the server: a copy of the old cookie no longer works.
pub async fn sign_out(session: &Session) -> Result<(), ChatError> {
    session.flush().await.map_err(storage)
}
