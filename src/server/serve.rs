//! The HTTP server: routes, middleware, graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::Redirect;
use axum::routing::get;
use axum::Router;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tracing::{info, Level};

use super::auth::session::SESSION_COOKIE;
use super::http::access_log::request_span;
use super::http::asset_caching::asset_caching;
use super::http::body_limit::{largest_body, limit_bodies};
use super::http::cross_site::refuse_cross_site;
use super::http::json_forms::accept_json_bodies;
use super::http::listener::{self, Bounds};
use super::http::request_metrics::record_requests;
use super::http::request_timeout::request_timeout;
use super::http::secure_cookies::{secure_session_cookie, SecureCookies, TrustedProxies};
use super::http::security_headers::{provide_request_nonce, security_headers};
use super::http::server_fn_status::server_fn_status;
use super::settings::Settings;
use super::startup::{self, StartError};
use super::{live, ops, rest, AppState};
use crate::app::{shell, App};

/// The whole application as an axum router.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let settings = &state.settings;
    let idle = time::Duration::try_from(settings.accounts.session_idle)
        .unwrap_or(time::Duration::days(30));
    let sessions = SessionManagerLayer::new(state.sessions.clone())
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_secure(settings.accounts.secure_cookies)
        .with_expiry(Expiry::OnInactivity(idle))
        // Every request extends the idle expiry (cookie and record); the store
        // writes an unchanged record back only now and then.
        .with_always_save(true);
    let allowed = state.allowed_origins.clone();
    let secure = SecureCookies {
        cookie: SESSION_COOKIE,
        proxies: TrustedProxies(Arc::new(settings.operations.trusted_proxies.clone())),
    };
    let timeout = settings.operations.request_timeout;

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
        .layer(from_fn_with_state(
            largest_body(settings.messages.max_message_chars),
            limit_bodies,
        ))
        .layer(sessions)
        .layer(from_fn_with_state(secure, secure_session_cookie))
        .layer(from_fn_with_state(allowed, refuse_cross_site))
        .layer(from_fn(security_headers))
        .layer(from_fn_with_state(timeout, request_timeout))
        .layer(from_fn(asset_caching))
        // Brotli's default (quality 11) costs far too much per request; the
        // built bundle is precompressed at its best by cargo-leptos instead.
        // WOFF2 is compressed already: brotli over it only costs time.
        .layer(
            CompressionLayer::new()
                .quality(CompressionLevel::Precise(4))
                .compress_when(
                    DefaultPredicate::new().and(NotForContentType::const_new("font/woff2")),
                ),
        )
        .layer(from_fn_with_state(state.metrics.clone(), record_requests))
        .layer(
            // One line per request at info: method, path, status, latency.
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// Starts the application and serves until SIGINT or SIGTERM.
pub async fn serve(settings: Settings) -> Result<(), StartError> {
    let startup::Application { listener, state } = startup::build(settings).await?;
    let bound = listener.local_addr()?;
    let bounds = Bounds {
        max_connections: state.settings.operations.max_connections(),
        header_read_timeout: state.settings.operations.header_read_timeout,
    };
    if let Some(files) = super::settings::open_file_limit() {
        if bounds.max_connections + 64 > files {
            tracing::warn!(
                max_connections = bounds.max_connections,
                open_file_limit = files,
                "max-connections is close to the open-file limit (ulimit -n): the server may run out of files for its database"
            );
        }
    }
    info!(
        retention = %state.settings.retention_text(),
        fanout = state.fanout.as_ref().map(|f| f.origin()).unwrap_or("off"),
        max_connections = bounds.max_connections,
        "listening on http://{bound}"
    );
    let hub = state.hub.clone();
    let fanout = state.fanout.clone();
    let metrics = state.metrics.clone();
    let stop = async move {
        shutdown_signal().await;
        // Open websockets close with 1001 so their clients reconnect elsewhere.
        hub.close_all(Duration::from_secs(5)).await;
        if let Some(fanout) = fanout {
            // The others stop listing our users now rather than at expiry.
            fanout.leave(Duration::from_secs(2)).await;
        }
    };
    listener::serve(listener, router(state), bounds, metrics, stop).await;
    info!("stopped");
    Ok(())
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
