//! Accepting connections, with bounds an anonymous client cannot lift:
//! - at most `max_connections` open at once (HTTP and websockets alike); past
//!   that a new connection is closed as soon as it is accepted, so the
//!   listener keeps answering and the process never runs out of files for
//!   its own database and log;
//! - a connection must send a whole request head within
//!   `header_read_timeout` of opening or of its previous answer (hyper's
//!   header timer, which runs while a keep-alive connection idles too);
//! - request heads of at most [`MAX_HEAD_BYTES`].
//!
//! `axum::serve` offers none of these, hence this loop (the same hyper
//! connection builder underneath).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt;

use crate::server::metrics::Metrics;

/// The largest request head (request line and headers) accepted; a larger
/// one is answered 431 by hyper.
pub const MAX_HEAD_BYTES: usize = 32 * 1024;

/// How long open connections get to finish when the server stops.
const DRAIN: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    pub max_connections: usize,
    pub header_read_timeout: Duration,
}

/// A connection's socket, holding its place among the open connections until
/// it is dropped (a websocket keeps the socket, and so the place, after the
/// upgrade).
struct Counted {
    socket: TcpStream,
    _place: OwnedSemaphorePermit,
    metrics: Arc<Metrics>,
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.metrics.connection_closed();
    }
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.socket).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.socket).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.socket).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.socket.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.socket).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.socket).poll_shutdown(cx)
    }
}

/// Serves `router` on `listener` until `stop` resolves, then lets open
/// connections finish (at most [`DRAIN`]).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    bounds: Bounds,
    metrics: Arc<Metrics>,
    stop: impl std::future::Future<Output = ()>,
) {
    let places = Arc::new(Semaphore::new(bounds.max_connections.max(1)));
    let (stopping, stop_signal) = watch::channel(false);
    let mut stop = std::pin::pin!(stop);
    let mut accept_errors = 0u64;
    loop {
        let (socket, peer) = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(&e, &mut accept_errors).await;
                    continue;
                }
            },
        };
        let Ok(place) = Arc::clone(&places).try_acquire_owned() else {
            // Full: closed at once, never queued behind the others.
            metrics.connection_refused();
            drop(socket);
            continue;
        };
        // Answers go out as soon as they are written: with Nagle's algorithm a
        // response written in parts waits for the client's delayed ACK (40 ms).
        let _ = socket.set_nodelay(true);
        metrics.connection_opened();
        let socket = Counted {
            socket,
            _place: place,
            metrics: Arc::clone(&metrics),
        };
        tokio::spawn(serve_connection(
            socket,
            peer,
            router.clone(),
            bounds.header_read_timeout,
            stop_signal.clone(),
        ));
    }
    stopping.send_replace(true);
    let all = u32::try_from(bounds.max_connections.max(1)).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(DRAIN, places.acquire_many(all)).await;
}

/// Running out of files (or memory) for new sockets must not spin the loop
/// nor fill the log: wait a moment, and log the first and then every 1000th.
async fn accept_failed(e: &io::Error, count: &mut u64) {
    if count.is_multiple_of(1000) {
        tracing::warn!(error = %e, failures = *count + 1, "cannot accept connections");
    }
    *count += 1;
    tokio::time::sleep(Duration::from_millis(50)).await;
}

/// Resolves once the server is stopping.
async fn stopping(stop: &mut watch::Receiver<bool>) {
    // An error means the sender is gone: the server is stopping too.
    let _ = stop.wait_for(|stopping| *stopping).await;
}

async fn serve_connection(
    socket: Counted,
    peer: SocketAddr,
    router: Router,
    header_read_timeout: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let service = service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        router.clone().oneshot(request)
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout)
        .max_header_size(MAX_HEAD_BYTES);
    let connection = builder
        .serve_connection(TokioIo::new(socket), service)
        .with_upgrades();
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        served = connection.as_mut() => {
            if let Err(e) = served {
                tracing::debug!(error = %e, %peer, "connection ended");
            }
        }
        _ = stopping(&mut stop) => {
            // Finish the request under way (if any), then close.
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}
