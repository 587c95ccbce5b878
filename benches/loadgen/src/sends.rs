//! Persisted sends: concurrent senders, each waiting for its message to be
//! stored (a v2 `ack` over the websocket, or the REST API's 201).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use tokio_tungstenite::tungstenite::Message;

use crate::http::Connection;
use crate::stats::{describe, histogram};
use crate::ws::{connect, source_address, Socket};

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Via {
    Ws,
    Rest,
}

pub async fn run(
    target: SocketAddr,
    cookies: Vec<String>,
    senders: usize,
    per_sender: usize,
    via: Via,
) -> bool {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..senders {
        let cookie = cookies[i % cookies.len()].clone();
        tasks.push(tokio::spawn(async move {
            match via {
                Via::Ws => send_over_ws(target, cookie, i, per_sender).await,
                Via::Rest => send_over_rest(target, cookie, i, per_sender).await,
            }
        }));
    }
    let mut all = histogram();
    let mut failures = 0;
    for task in tasks {
        if let Ok((latencies, failed)) = task.await {
            let _ = all.add(&latencies);
            failures += failed;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "sends via={via:?} senders={senders} stored={} ({:.0}/s) failed={failures} ack {}",
        all.len(),
        all.len() as f64 / elapsed,
        describe(&all)
    );
    failures == 0
}

/// Sender `i` over a chat98.v2 socket: each message waits for its `ack`.
/// The send-to-ack times, and how many failed.
async fn send_over_ws(
    target: SocketAddr,
    cookie: String,
    i: usize,
    per_sender: usize,
) -> (Histogram<u64>, usize) {
    let mut latencies = histogram();
    let mut failures = 0usize;
    let source = source_address(i, 8);
    let Ok(mut socket) = connect(
        target,
        source,
        "/ws/chat/",
        Some(&cookie),
        Some("chat98.v2"),
    )
    .await
    else {
        return (latencies, per_sender);
    };
    for n in 0..per_sender {
        let sent = Instant::now();
        let frame = format!(r#"{{"type":"message","content":"s {i} {n}","client_id":"s{i}-{n}"}}"#);
        if socket.send(Message::text(frame)).await.is_err() {
            failures += per_sender - n;
            break;
        }
        if acked(&mut socket).await {
            let _ = latencies.record(sent.elapsed().as_micros().max(1) as u64);
        } else {
            failures += 1;
        }
    }
    (latencies, failures)
}

/// Reads until this sender's `ack` (true) or an error frame, a closed socket
/// or 10 s of silence (false), skipping broadcasts and presence.
async fn acked(socket: &mut Socket) -> bool {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                if text.as_str().starts_with(r#"{"type":"ack""#) {
                    return true;
                }
                if text.as_str().starts_with(r#"{"type":"error""#) {
                    return false;
                }
            }
            Ok(Some(Ok(_))) => {}
            _ => return false,
        }
    }
}

/// Sender `i` over the REST API on one keep-alive connection: each post
/// waits for its 201.
async fn send_over_rest(
    target: SocketAddr,
    cookie: String,
    i: usize,
    per_sender: usize,
) -> (Histogram<u64>, usize) {
    let mut latencies = histogram();
    let mut failures = 0usize;
    let Ok(mut connection) = Connection::open(target).await else {
        return (latencies, per_sender);
    };
    for n in 0..per_sender {
        let sent = Instant::now();
        match connection
            .post_message(&cookie, &format!("r {i} {n}"))
            .await
        {
            Ok(a) if a.status == 201 => {
                let _ = latencies.record(sent.elapsed().as_micros().max(1) as u64);
            }
            _ => failures += 1,
        }
    }
    (latencies, failures)
}
