//! The HTTP server: routes, middleware, graceful shutdown.

use std::net::SocketAddr;
use std::time::Duration;

use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::Redirect;
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions::{Expiry, SessionManagerLayer};
use tracing::{info, Level};

use super::auth::session_store::DbSessionStore;
use super::fanout::Fanout;
use super::http::asset_caching::asset_caching;
use super::http::cross_site::refuse_cross_site;
use super::http::json_forms::accept_json_bodies;
use super::http::request_metrics::record_requests;
use super::http::request_timeout::request_timeout;
use super::http::security_headers::{provide_request_nonce, security_headers};
use super::http::server_fn_status::server_fn_status;
use super::retention::Sweeper;
use super::settings::Settings;
use super::{db, live, ops, rest, AppState};
use crate::app::{shell, App};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "chat98_session";

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Open(#[from] db::OpenError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
    #[error("invalid Redis URL: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("cannot read the newest message: {0}")]
    Storage(#[from] sea_orm::DbErr),
}

/// The whole application as an axum router.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let settings = &state.settings;
    let idle = time::Duration::try_from(settings.session_idle).unwrap_or(time::Duration::days(30));
    // Without Redis this is the only process: its sessions are its own.
    let store = DbSessionStore::new(state.db.clone(), settings.session_idle)
        .exclusive(state.fanout.is_none());
    let sessions = SessionManagerLayer::new(store)
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_secure(settings.secure_cookies)
        .with_expiry(Expiry::OnInactivity(idle))
        // Every request extends the idle expiry (cookie and record); the store
        // writes an unchanged record back only now and then.
        .with_always_save(true);
    let allowed = state.allowed_origins.clone();
    let timeout = settings.request_timeout;

    Router::new()
        .route("/", get(|| async { Redirect::temporary("/chat") }))
        .merge(rest::routes(&state))
        .merge(live::routes())
        .merge(ops::routes())
        .leptos_routes_with_context(&state, routes, provide_request_nonce, move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide_request_nonce, shell))
        // Outermost last: logging, security headers, cross-site refusal, sessions.
        .layer(from_fn(server_fn_status))
        .layer(from_fn(accept_json_bodies))
        .layer(sessions)
        .layer(from_fn_with_state(allowed, refuse_cross_site))
        .layer(from_fn(security_headers))
        .layer(from_fn_with_state(timeout, request_timeout))
        .layer(from_fn(asset_caching))
        // Brotli's default (quality 11) costs far too much per request; the
        // built bundle is precompressed at its best by cargo-leptos instead.
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
        .layer(from_fn_with_state(state.clone(), record_requests))
        .layer(
            // One line per request at info: method, path, status, latency.
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// Opens the database, binds the listener and serves until SIGINT or SIGTERM.
pub async fn serve(settings: Settings) -> Result<(), ServeError> {
    let db = db::open(&settings, db::Checkpoints::Background).await?;
    let addr = settings.leptos.site_addr;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let bound = listener.local_addr()?;
    let mut leptos_options = settings.leptos.clone();
    leptos_options.site_addr = bound;
    if settings.hash_file_missing {
        tracing::warn!(
            "hash-files is on but hash.txt is not beside the binary: linking the bundle by its plain names"
        );
    }
    let mut state = AppState::new(leptos_options, db, settings);
    if let Some(url) = &state.settings.redis_url {
        state.fanout = Some(Fanout::new(
            url,
            &state.settings.redis_prefix,
            state.settings.presence_ttl,
        )?);
    }
    // Live delivery starts after what is stored already.
    let cutoff = state.settings.retention_cutoff(chrono::Utc::now());
    // Alone (no Redis), this process sees every message stored: reads can come from memory.
    state
        .hub
        .start(&state.db, cutoff, state.fanout.is_none())
        .await?;
    if let Some(fanout) = &state.fanout {
        fanout.start(&state);
    }
    tokio::spawn(delete_expired_sessions(DbSessionStore::new(
        state.db.clone(),
        state.settings.session_idle,
    )));
    tokio::spawn(Sweeper::for_state(&state).run());
    info!(
        retention = %state.settings.retention_text(),
        fanout = state.fanout.as_ref().map(|f| f.origin()).unwrap_or("off"),
        "listening on http://{bound}"
    );
    let hub = state.hub.clone();
    let fanout = state.fanout.clone();
    // Answers go out as soon as they are written: with Nagle's algorithm a
    // response written in parts waits for the client's delayed ACK (40 ms).
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
    });
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        // Open websockets close with 1001 so their clients reconnect elsewhere.
        hub.close_all(Duration::from_secs(5)).await;
        if let Some(fanout) = fanout {
            // The others stop listing our users now rather than at expiry.
            fanout.leave(Duration::from_secs(2)).await;
        }
    })
    .await?;
    info!("stopped");
    Ok(())
}

/// Sessions past their idle expiry are never loaded; this removes their rows.
async fn delete_expired_sessions(store: DbSessionStore) {
    let mut tick = tokio::time::interval(Duration::from_secs(60 * 60));
    loop {
        tick.tick().await;
        if let Err(e) = store.delete_expired().await {
            tracing::warn!(error = %e, "could not delete expired sessions");
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM; in-flight requests then finish before exit.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    info!("shutdown requested; finishing open requests");
}
