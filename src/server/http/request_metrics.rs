//! Counts every HTTP request and its latency by matched route, method and
//! status, for `/metrics`.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use std::sync::Arc;

use crate::server::metrics::{method_label, Metrics};

pub async fn record_requests(
    State(metrics): State<Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    // The route pattern, never the raw path, and only standard methods:
    // clients choose paths and methods, and every distinct label value would
    // be a new series kept for the life of the process.
    let route = match request.extensions().get::<MatchedPath>() {
        Some(matched) => matched.as_str().to_owned(),
        None if request.uri().path().starts_with("/pkg/") => "/pkg/*".to_owned(),
        None => "other".to_owned(),
    };
    let method = method_label(request.method().as_str());
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.http_request(
        &route,
        method,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}
