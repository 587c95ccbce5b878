//! Reading and changing who is signed in, from inside server functions and pages.

use tower_sessions::Session;

use crate::error::ChatError;
use crate::server::entities::user;
use crate::server::users::KnownUsers;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "chat98_session";

/// The session key holding the signed-in user's id.
pub const USER_ID: &str = "user_id";

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

/// The signed-in user, if the session names one that still exists and is
/// not banned (a ban ends every session; this also covers one made by a
/// command while this process kept the session in memory).
pub async fn signed_in_user(
    session: &Session,
    users: &KnownUsers,
    db: &sea_orm::DatabaseConnection,
) -> Result<Option<user::Model>, ChatError> {
    let Some(id) = session.get::<i64>(USER_ID).await.map_err(storage)? else {
        return Ok(None);
    };
    let user = users.find(db, id).await?.filter(|u| !u.is_banned());
    if user.is_some() {
        keep_alive(session);
    }
    Ok(user)
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

/// A session that just ended, so that what was opened with it closes too.
#[derive(Clone, Copy, Debug)]
pub struct Ended {
    pub id: tower_sessions::session::Id,
    /// Who was signed in with it, if anyone.
    pub user: Option<i64>,
}

async fn ending(session: &Session) -> Result<Option<Ended>, ChatError> {
    let Some(id) = session.id() else {
        return Ok(None);
    };
    let user = session.get::<i64>(USER_ID).await.map_err(storage)?;
    Ok(Some(Ended { id, user }))
}

/// Starts a signed-in session for `user` under a fresh id (no session
/// fixation) and stores it now, so that a failure is this request's error.
/// Returns the session it replaced.
pub async fn sign_in(session: &Session, user: &user::Model) -> Result<Option<Ended>, ChatError> {
    let replaced = ending(session).await?;
    session.cycle_id().await.map_err(storage)?;
    session.insert(USER_ID, user.id).await.map_err(storage)?;
    session.save().await.map_err(storage)?;
    Ok(replaced)
}

/// Ends the session on the server: a copy of the old cookie no longer works.
pub async fn sign_out(session: &Session) -> Result<Option<Ended>, ChatError> {
    let ended = ending(session).await?;
    session.flush().await.map_err(storage)?;
    Ok(ended)
}
