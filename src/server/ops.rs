//! Operations endpoints for load balancers and monitoring: `/healthz` (the
//! process is up), `/readyz` (it can serve: storage and, if configured, Redis
//! answer) and `/metrics` (Prometheus text format).

use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use super::metrics::{counter, gauge};
use super::AppState;

/// How long a readiness check waits for each dependency.
const CHECK_PATIENCE: Duration = Duration::from_secs(2);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
}

async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[derive(Serialize)]
struct Readiness {
    status: &'static str,
    database: &'static str,
    redis: &'static str,
}

async fn readyz(State(state): State<AppState>) -> Response {
    let database = match tokio::time::timeout(CHECK_PATIENCE, state.db.ping()).await {
        Ok(Ok(())) => "ok",
        _ => "unavailable",
    };
    let redis = match &state.fanout {
        None => "not configured",
        Some(fanout) => match tokio::time::timeout(CHECK_PATIENCE, fanout.is_ready()).await {
            Ok(true) => "ok",
            _ => "unavailable",
        },
    };
    let ready = database == "ok" && redis != "unavailable";
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = Readiness {
        status: if ready { "ready" } else { "unavailable" },
        database,
        redis,
    };
    (status, Json(body)).into_response()
}

/// The chat page's prepared history rows: how many, how large, how often used.
fn prepared_rows(out: &mut String, state: &AppState) {
    let (rows, bytes) = state.prepared_rows.size();
    let (hits, misses) = state.prepared_rows.hits_and_misses();
    gauge(
        out,
        "chat98_prepared_rows",
        "History rows kept as HTML for the chat page on this process.",
        rows as u64,
    );
    gauge(
        out,
        "chat98_prepared_rows_bytes",
        "Their weight in bytes (keys and HTML), at most --prepared-rows-mib.",
        bytes,
    );
    counter(
        out,
        "chat98_prepared_rows_hits_total",
        "History rows copied into a chat page from the prepared rows.",
        hits,
    );
    counter(
        out,
        "chat98_prepared_rows_misses_total",
        "History rows rendered by their component (then kept).",
        misses,
    );
}

async fn metrics(State(state): State<AppState>) -> Response {
    let mut out = String::with_capacity(8 * 1024);
    gauge(
        &mut out,
        "chat98_websocket_connections",
        "Open websockets on this process.",
        state.hub.connection_count() as u64,
    );
    gauge(
        &mut out,
        "chat98_online_users",
        "Users online in the room (all processes, as far as this one knows).",
        state.hub.online().len() as u64,
    );
    state.metrics.render(&mut out);
    counter(
        &mut out,
        "chat98_expired_messages_deleted_total",
        "Expired messages deleted by this process's sweeps.",
        state.retention.swept_messages(),
    );
    counter(
        &mut out,
        "chat98_sweeps_total",
        "Retention sweeps this process completed.",
        state.retention.sweeps(),
    );
    prepared_rows(&mut out, &state);
    if let Some(fanout) = &state.fanout {
        gauge(
            &mut out,
            "chat98_redis_subscribed",
            "1 while this process hears the others through Redis.",
            u64::from(fanout.is_subscribed()),
        );
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}
