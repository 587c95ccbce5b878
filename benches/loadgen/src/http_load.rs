//! Request throughput of one page or API path: keep-alive connections, each
//! sending the next request as soon as the last answer is read.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::http::Connection;
use crate::stats::{describe, histogram};

pub async fn run(
    target: SocketAddr,
    path: String,
    cookie: String,
    connections: usize,
    seconds: u64,
) -> bool {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let path = path.clone();
        let cookie = cookie.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = histogram();
            let mut failures = 0usize;
            let mut bytes = 0usize;
            let Ok(mut connection) = Connection::open(target).await else {
                return (latencies, 1, 0);
            };
            while Instant::now() < deadline {
                let sent = Instant::now();
                match connection
                    .request("GET", &path, &[("cookie", &cookie)], b"")
                    .await
                {
                    Ok(answer) if answer.status == 200 => {
                        bytes = answer.body.len();
                        let _ = latencies.record(sent.elapsed().as_micros().max(1) as u64);
                    }
                    _ => {
                        failures += 1;
                        match Connection::open(target).await {
                            Ok(c) => connection = c,
                            Err(_) => break,
                        }
                    }
                }
            }
            (latencies, failures, bytes)
        }));
    }
    let mut all = histogram();
    let (mut failures, mut bytes) = (0, 0);
    for task in tasks {
        if let Ok((latencies, failed, size)) = task.await {
            let _ = all.add(&latencies);
            failures += failed;
            bytes = bytes.max(size);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "http path={path} connections={connections} requests={} ({:.0}/s) failed={failures} body={bytes}B latency {}",
        all.len(),
        all.len() as f64 / elapsed,
        describe(&all)
    );
    failures == 0
}
