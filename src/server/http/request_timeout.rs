//! Answers 503 with a JSON sentence when a request takes longer than the
//! configured limit (a stuck database, say), instead of leaving the client
//! hanging. Websockets are unaffected: their upgrade answers at once.
//!
//! A 503 must mean that nothing was stored. A request that has handed a
//! message to the writer therefore carries a [`Commitment`]: whichever comes
//! first, the writer starting to store the message or the time running out,
//! wins. Once storing has begun the request waits for its outcome (the
//! database's own timeouts bound that wait); once the time has run out the
//! writer leaves the message out.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

const OPEN: u8 = 0;
const COMMITTING: u8 = 1;
const TIMED_OUT: u8 = 2;

/// Who decides a request's fate: the writer (by storing) or the clock.
#[derive(Clone, Debug, Default)]
pub struct Commitment(Arc<AtomicU8>);

impl Commitment {
    /// The writer is about to store: true unless the request already timed out.
    pub fn begin(&self) -> bool {
        match self
            .0
            .compare_exchange(OPEN, COMMITTING, Ordering::SeqCst, Ordering::SeqCst)
        {
            Ok(_) => true,
            Err(now) => now == COMMITTING,
        }
    }

    /// The time ran out: true unless storing has already begun.
    fn time_out(&self) -> bool {
        self.0
            .compare_exchange(OPEN, TIMED_OUT, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }
}

pub async fn request_timeout(
    State(limit): State<Duration>,
    mut request: Request,
    next: Next,
) -> Response {
    let commitment = Commitment::default();
    request.extensions_mut().insert(commitment.clone());
    let mut answer = std::pin::pin!(next.run(request));
    match tokio::time::timeout(limit, &mut answer).await {
        Ok(response) => response,
        Err(_) if commitment.time_out() => {
            tracing::warn!(?limit, "request timed out");
            let body = serde_json::json!({
                "detail": "The server took too long to answer. Please try again in a moment."
            });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
        // A message is being stored: its outcome is the answer.
        Err(_) => answer.await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storing_and_timing_out_exclude_each_other() {
        let stored_first = Commitment::default();
        assert!(stored_first.begin());
        assert!(stored_first.begin(), "asking again changes nothing");
        assert!(!stored_first.time_out());

        let timed_out_first = Commitment::default();
        assert!(timed_out_first.time_out());
        assert!(!timed_out_first.begin());
    }
}
