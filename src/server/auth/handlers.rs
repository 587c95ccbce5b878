//! What the auth server functions do, on the server.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use sea_orm::SqlErr;

use super::{password, rules, session};
use crate::auth::safe_next;
use crate::error::{ChatError, ErrorCode};
use crate::server::http::client_address::client_address;
use crate::server::http::respond::{see_other, set_api_status};
use crate::server::{users, AppState};
use crate::types::UserRef;

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
        &state.settings.trusted_proxies,
    ))
}

fn username_taken() -> ChatError {
    let mut e = ChatError::new(ErrorCode::UsernameTaken, "That username is taken.");
    e.fields.insert(
        "username".into(),
        vec!["A user with that username already exists.".into()],
    );
    e
}

pub async fn register(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<UserRef, ChatError> {
    let state = AppState::from_context()?;
    let addr_key = client_ip(&state).await.map(|ip| format!("register:{ip}"));
    let now = Instant::now();
    if let Some(key) = &addr_key {
        state
            .throttles
            .register_by_addr
            .check(key, now)
            .map_err(ChatError::throttled)?;
    }
    let username = username.trim().to_owned();
    rules::check_credentials(&username, &password)?;
    let hash = password::hash(password).await.map_err(|e| {
        tracing::error!(error = %e, "hashing failed");
        ChatError::unavailable()
    })?;
    let user = match users::create(&state.db, &username, &hash).await {
        Ok(user) => user,
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(username_taken())
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(key) = &addr_key {
        state.throttles.register_by_addr.record(key, now);
    }
    let session = session::current_session().await?;
    session::sign_in(&session, &user).await?;
    tracing::info!(user = %user.username, "registered");
    see_other(&safe_next(next.as_deref()));
    Ok((&user).into())
}

pub async fn login(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<UserRef, ChatError> {
    let state = AppState::from_context()?;
    let username = username.trim().to_owned();
    rules::check_filled(&username, &password)?;

    let now = Instant::now();
    let name_key = format!("login-name:{}", username.to_ascii_lowercase());
    let addr_key = client_ip(&state).await.map(|ip| format!("login-addr:{ip}"));
    let throttles = &state.throttles;
    throttles
        .login_failures
        .check(&name_key, now)
        .map_err(ChatError::throttled)?;
    if let Some(key) = &addr_key {
        throttles
            .login_failures
            .check(key, now)
            .map_err(ChatError::throttled)?;
    }

    let user = users::find_by_name(&state.db, &username).await?;
    // An unknown name is checked against a dummy hash: the same time, the same error.
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let verified = password::verify(password, stored).await;
    let Some(user) = user.filter(|_| verified) else {
        return Err(bad_credentials(&state, &name_key, addr_key.as_deref(), now));
    };
    throttles.login_failures.clear(&name_key);
    let session = session::current_session().await?;
    session::sign_in(&session, &user).await?;
    tracing::info!(user = %user.username, "signed in");
    see_other(&safe_next(next.as_deref()));
    Ok((&user).into())
}

fn bad_credentials(
    state: &AppState,
    name_key: &str,
    addr_key: Option<&str>,
    now: Instant,
) -> ChatError {
    state.throttles.login_failures.record(name_key, now);
    if let Some(key) = addr_key {
        state.throttles.login_failures.record(key, now);
    }
    ChatError::new(ErrorCode::BadCredentials, "Invalid username or password.")
}

pub async fn logout() -> Result<(), ChatError> {
    let session = session::current_session().await?;
    session::sign_out(&session).await?;
    see_other("/login");
    set_api_status(axum::http::StatusCode::NO_CONTENT);
    Ok(())
}

pub async fn me() -> Result<UserRef, ChatError> {
    let state = AppState::from_context()?;
    let session = session::current_session().await?;
    session::signed_in_user(&session, &state)
        .await?
        .map(|u| (&u).into())
        .ok_or_else(ChatError::not_signed_in)
}
