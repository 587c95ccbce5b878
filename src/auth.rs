//! Sign-up, sign-in and sign-out as server functions with fixed endpoints:
//! `ActionForm`s post to them (with or without JavaScript) and so can API clients.

use leptos::prelude::*;

use crate::error::ChatError;
use crate::types::{Account, Registration, UserRef};

/// Creates an account and signs it in.
#[server(endpoint = "auth/register")]
pub async fn register(
    username: String,
    password: String,
    next: Option<String>,
    invite_code: Option<String>,
) -> Result<UserRef, ChatError> {
    crate::server::auth::handlers::register(username, password, next, invite_code)
        .await
        .map_err(crate::server::http::respond::reject)
}

/// Signs in with a username (any letter case) and password.
#[server(endpoint = "auth/login")]
pub async fn login(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<UserRef, ChatError> {
    crate::server::auth::handlers::login(username, password, next)
        .await
        .map_err(crate::server::http::respond::reject)
}

/// Ends the session on the server.
#[server(endpoint = "auth/logout")]
pub async fn logout() -> Result<(), ChatError> {
    crate::server::auth::handlers::logout()
        .await
        .map_err(crate::server::http::respond::reject)
}

/// Who is signed in (401 if nobody).
#[server(endpoint = "auth/me", input = leptos::server_fn::codec::GetUrl)]
pub async fn me() -> Result<Account, ChatError> {
    crate::server::auth::handlers::me()
        .await
        .map_err(crate::server::http::respond::reject)
}

/// Who may sign up: `open`, `invite` (an invite code is needed) or `closed`.
#[server(endpoint = "auth/registration", input = leptos::server_fn::codec::GetUrl)]
pub async fn registration_mode() -> Result<Registration, ChatError> {
    crate::server::auth::handlers::registration_mode()
        .await
        .map_err(crate::server::http::respond::reject)
}
