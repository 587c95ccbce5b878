//! `GET /ws/chat/`: the checks before a websocket is opened. A refused
//! handshake gets an HTTP error with a JSON body and is never upgraded.

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use tower_sessions::Session;

use super::connection::{self, Opened};
use super::frames::{Protocol, MAX_FRAME_BYTES};
use crate::live_protocol::SUBPROTOCOL;
use crate::server::auth::signed_in::SignedIn;
use crate::server::http::api_error::ApiError;
use crate::server::http::cross_site::is_same_site;
use crate::server::messages::history_query::read_after;
use crate::server::AppState;

/// Bytes read from a socket at a time (allocated for every open socket).
const READ_BUFFER: usize = 1024;

pub async fn chat_socket(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    user: Result<SignedIn, ApiError>,
    session: Session,
) -> Response {
    // A page of another site must not open a socket with our cookie.
    if !is_same_site(&headers, &state.allowed_origins) {
        tracing::warn!(origin = ?headers.get("origin"), "refused cross-site websocket");
        return ApiError::detail(
            StatusCode::FORBIDDEN,
            "This websocket was opened from another site and was refused.",
        )
        .into_response();
    }
    let SignedIn(author) = match user {
        Ok(user) => user,
        Err(refused) => return refused.into_response(),
    };
    // `after=<id>`: catch up on what is newer than that id first.
    let after = match read_after(query.as_deref()) {
        Ok(after) => after,
        Err(refused) => return refused.into_response(),
    };
    let Ok(upgrade) = upgrade else {
        return ApiError::detail(
            StatusCode::BAD_REQUEST,
            "This endpoint speaks websocket: connect with a websocket client.",
        )
        .into_response();
    };
    let Some(session_id) = session.id() else {
        return ApiError::from(crate::error::ChatError::not_signed_in()).into_response();
    };
    // Counted from here: a refused socket was never opened.
    let cap = state.settings.live.max_sockets_per_user;
    let Ok(presence) = state.hub.join((&author).into(), cap) else {
        tracing::info!(user = %author.username, cap, "refused a websocket over the per-user cap");
        return ApiError::too_many_sockets(cap).into_response();
    };
    let watching = state.session_watch.watch(session_id, author.id);
    let upgrade = upgrade
        .protocols([SUBPROTOCOL])
        // Small buffers: an idle connection should cost kilobytes, not axum's
        // default of over 100 KiB. Chat frames are small; a larger one is
        // read in several steps.
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(4 * 1024)
        .max_write_buffer_size(256 * 1024)
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES);
    let protocol = if upgrade.selected_protocol().is_some() {
        Protocol::V2
    } else {
        Protocol::Seed
    };
    let opened = Opened {
        author,
        protocol,
        after,
        presence,
        session: watching,
        // Subscribed before the answer that opens the socket, not once the
        // connection's task runs: a client that sends (or another that
        // publishes) at once must not fall in between. Also before the
        // presence list and the catch-up are read (what is in both is
        // skipped by id, or is a presence change the list repeats).
        events: state.hub.subscribe(),
    };
    upgrade
        .on_failed_upgrade(|e| tracing::warn!(error = %e, "websocket upgrade failed"))
        .on_upgrade(move |socket| {
            let (sink, stream) = socket.split();
            connection::serve(sink, stream, state, opened)
        })
}
