//! Persisted sends: concurrent senders, each waiting for its message to be
//! stored (a v2 `ack` over the websocket, or the REST API's 201).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

use crate::http::Connection;
use crate::stats::{describe, histogram};
use crate::ws::{connect, source_address};

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
            let mut latencies = histogram();
            let mut failures = 0usize;
            match via {
                Via::Ws => {
                    let source = source_address(i, 8);
                    let v2 = Some("chat98.v2");
                    let Ok(mut socket) =
                        connect(target, source, "/ws/chat/", Some(&cookie), v2).await
                    else {
                        return (latencies, per_sender);
                    };
                    for n in 0..per_sender {
                        let sent = Instant::now();
                        let frame = format!(
                            r#"{{"type":"message","content":"s {i} {n}","client_id":"s{i}-{n}"}}"#
                        );
                        if socket.send(Message::text(frame)).await.is_err() {
                            failures += per_sender - n;
                            break;
                        }
                        // Skip broadcasts and presence until our ack.
                        let acked = loop {
                            match tokio::time::timeout(Duration::from_secs(10), socket.next()).await
                            {
                                Ok(Some(Ok(Message::Text(text)))) => {
                                    if text.as_str().starts_with(r#"{"type":"ack""#) {
                                        break true;
                                    }
                                    if text.as_str().starts_with(r#"{"type":"error""#) {
                                        break false;
                                    }
                                }
                                Ok(Some(Ok(_))) => {}
                                _ => break false,
                            }
                        };
                        if acked {
                            let _ = latencies.record(sent.elapsed().as_micros().max(1) as u64);
                        } else {
                            failures += 1;
                        }
                    }
                }
                Via::Rest => {
                    let Ok(mut connection) = Connection::open(target).await else {
                        return (latencies, per_sender);
                    };
                    for n in 0..per_sender {
                        let sent = Instant::now();
                        let answer = connection
                            .post_message(&cookie, &format!("r {i} {n}"))
                            .await;
                        match answer {
                            Ok(a) if a.status == 201 => {
                                let _ = latencies.record(sent.elapsed().as_micros().max(1) as u64);
                            }
                            _ => failures += 1,
                        }
                    }
                }
            }
            (latencies, failures)
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
