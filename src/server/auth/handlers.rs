//! What the auth server functions do, on the server.
//!
//! Every attempt is charged to its allowances (see `throttle.rs`) before any
//! password is hashed or checked, in one step, so that attempts racing each
//! other cannot all slip under a limit; a sign-in that succeeds, or an
//! attempt the server could not serve (503), gets its charge back.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use sea_orm::SqlErr;

use super::password::HashError;
use super::{rules, session};
use crate::error::{ChatError, ErrorCode};
use crate::paths::safe_next;
use crate::server::entities::user;
use crate::server::http::client_address::client_address;
use crate::server::http::respond::{see_other, set_api_status};
use crate::server::limits::Reservation;
use crate::server::{users, AppState};
use crate::types::{Account, Registration, UserRef};

/// The client's address, as far as the configured trusted proxies tell.
async fn client_ip(state: &AppState) -> Option<IpAddr> {
    let ConnectInfo(peer) = leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .ok()?;
    let headers: HeaderMap = leptos_axum::extract().await.ok()?;
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>();
    Some(client_address(
        peer.ip(),
        forwarded.into_iter(),
        &state.settings.operations.trusted_proxies,
    ))
}

fn username_taken(look_alike: bool) -> ChatError {
    let sentence = if look_alike {
        "That username looks too much like an existing one. Please choose another."
    } else {
        "A user with that username already exists."
    };
    let mut e = ChatError::new(ErrorCode::UsernameTaken, "That username is taken.");
    e.fields
        .insert("username".into(), vec![sentence.to_owned()]);
    e
}

fn hashing_failed(e: HashError) -> ChatError {
    match e {
        HashError::Busy => ChatError::busy(),
        HashError::Failed => {
            tracing::error!("password hashing failed");
            ChatError::unavailable()
        }
    }
}

/// Gives `reservation` back when the attempt was not served (a 5xx): it
/// did not happen, as far as the client can tell.
async fn settle<T>(
    state: &AppState,
    reservation: Reservation,
    outcome: Result<T, ChatError>,
) -> Result<T, ChatError> {
    if outcome.as_ref().is_err_and(|e| e.code.status() >= 500) {
        state.limits.give_back(reservation).await;
    }
    outcome
}

pub async fn register(
    username: String,
    password: String,
    next: Option<String>,
    invite_code: Option<String>,
) -> Result<UserRef, ChatError> {
    let state = AppState::from_context()?;
    may_sign_up(&state, invite_code.as_deref())?;
    // Every attempt counts, whatever its outcome (a taken name too).
    let charges = state.auth_rules.register(client_ip(&state).await);
    let reservation = state
        .limits
        .take(charges)
        .await
        .map_err(|d| ChatError::throttled(d.wait))?;
    let outcome = create_account(&state, username.trim(), password).await;
    let user = settle(&state, reservation, outcome).await?;
    tracing::info!(user = %user.username, "registered");
    see_other(&safe_next(next.as_deref()));
    Ok((&user).into())
}

/// Whether the registration mode lets this sign-up through (before it is
/// charged or hashed: the mode is public).
fn may_sign_up(state: &AppState, invite_code: Option<&str>) -> Result<(), ChatError> {
    let accounts = &state.settings.accounts;
    match accounts.registration {
        Registration::Open => Ok(()),
        Registration::Closed => Err(ChatError::forbidden(
            "Sign-up is closed in this chat room. Ask its operator for an account.",
        )),
        Registration::Invite => {
            let given = invite_code.map(str::trim).unwrap_or_default();
            let expected = accounts.invite_code().unwrap_or_default();
            if !expected.is_empty() && constant_time_eq(given.as_bytes(), expected.as_bytes()) {
                return Ok(());
            }
            let sentence = if given.is_empty() {
                "This chat room is invitation only: enter your invite code."
            } else {
                "That invite code is not right. Check it and try again."
            };
            let mut e = ChatError::forbidden(sentence);
            e.fields
                .insert("invite_code".into(), vec![sentence.to_owned()]);
            Err(e)
        }
    }
}

/// Compares without telling, by its timing, how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Who may sign up.
pub async fn registration_mode() -> Result<Registration, ChatError> {
    let state = AppState::from_context()?;
    Ok(state.settings.accounts.registration)
}

/// Checks the fields, refuses taken and look-alike names before hashing,
/// stores the user and signs them in.
async fn create_account(
    state: &AppState,
    username: &str,
    password: String,
) -> Result<user::Model, ChatError> {
    rules::check_credentials(username, &password)?;
    if let Some(existing) = users::find_look_alike(&state.db, username).await? {
        return Err(username_taken(
            !existing.username.eq_ignore_ascii_case(username),
        ));
    }
    let hash = state.hasher.hash(password).await.map_err(hashing_failed)?;
    let user = match users::create(&state.db, username, &hash).await {
        Ok(user) => user,
        // Someone took it (or a look-alike) in the meantime.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(username_taken(false))
        }
        Err(e) => return Err(e.into()),
    };
    if let Err(e) = sign_in(state, &user).await {
        // No session, no account: the 503 must mean nothing was stored.
        if let Err(removed) = users::remove(&state.db, user.id).await {
            tracing::error!(error = %removed, user = %user.username, "could not undo a sign-up");
        }
        return Err(e);
    }
    Ok(user)
}

pub async fn login(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<UserRef, ChatError> {
    let state = AppState::from_context()?;
    let username = username.trim();
    rules::check_filled(username, &password)?;
    // A name no account can have fails at once: it costs no hash and is no
    // throttle key (the rule is public, so this tells nothing).
    if !rules::could_be_username(username) {
        return Err(bad_credentials());
    }
    let charges = state
        .auth_rules
        .login(&username.to_ascii_lowercase(), client_ip(&state).await);
    let reservation = state
        .limits
        .take(charges)
        .await
        .map_err(|d| ChatError::throttled(d.wait))?;
    match check_password(&state, username, password).await {
        // A success is no failure: the attempt is given back.
        Ok(Some(user)) if user.is_banned() => {
            state.limits.give_back(reservation).await;
            Err(ChatError::new(
                ErrorCode::Banned,
                crate::server::moderation::ban_of(&user).sentence(),
            ))
        }
        Ok(Some(user)) => {
            state.limits.give_back(reservation).await;
            sign_in(&state, &user).await?;
            tracing::info!(user = %user.username, "signed in");
            see_other(&safe_next(next.as_deref()));
            Ok((&user).into())
        }
        Ok(None) => Err(bad_credentials()),
        Err(e) => settle(&state, reservation, Err(e)).await,
    }
}

/// The user, if `password` is theirs. An unknown name is checked against a
/// dummy hash: the same time, the same answer.
async fn check_password(
    state: &AppState,
    username: &str,
    password: String,
) -> Result<Option<user::Model>, ChatError> {
    let user = users::find_by_name(&state.db, username).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let verified = state
        .hasher
        .verify(password, stored)
        .await
        .map_err(hashing_failed)?;
    Ok(user.filter(|_| verified))
}

fn bad_credentials() -> ChatError {
    ChatError::new(ErrorCode::BadCredentials, "Invalid username or password.")
}

/// Starts a session for `user`, ending the one the request came with.
async fn sign_in(state: &AppState, user: &user::Model) -> Result<(), ChatError> {
    let session = session::current_session().await?;
    let ended = session::sign_in(&session, user).await?;
    state.session_ended(ended);
    Ok(())
}

pub async fn logout() -> Result<(), ChatError> {
    let state = AppState::from_context()?;
    let session = session::current_session().await?;
    let ended = session::sign_out(&session).await?;
    state.session_ended(ended);
    see_other("/login");
    set_api_status(axum::http::StatusCode::NO_CONTENT);
    Ok(())
}

pub async fn me() -> Result<Account, ChatError> {
    let state = AppState::from_context()?;
    let session = session::current_session().await?;
    session::signed_in_user(&session, &state.users, &state.db)
        .await?
        .map(|u| Account {
            id: u.id,
            username: u.username.clone(),
            role: u.role(),
        })
        .ok_or_else(ChatError::not_signed_in)
}
