//! Posts at a fixed rate over REST and records each post's latency from the
//! moment it was due (so a slow answer also counts against the posts queued
//! behind it: no coordinated omission).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::http::Connection;
use crate::stats::{describe, histogram};

pub async fn run(target: SocketAddr, cookie: String, rate: u32, seconds: u32) -> bool {
    let Ok(mut connection) = Connection::open(target).await else {
        return false;
    };
    let period = Duration::from_secs(1) / rate;
    let total = rate * seconds;
    let mut latencies = histogram();
    let mut failures = 0;
    let started = Instant::now();
    for n in 0..total {
        let due = started + period * n;
        tokio::time::sleep_until(due.into()).await;
        let answer = connection
            .post_message(&cookie, &format!("paced {n}"))
            .await;
        match answer {
            Ok(a) if a.status == 201 => {
                let _ = latencies.record(due.elapsed().as_micros().max(1) as u64);
            }
            _ => failures += 1,
        }
    }
    println!(
        "paced posts rate={rate}/s seconds={seconds} stored={} failed={failures} latency {}",
        latencies.len(),
        describe(&latencies)
    );
    failures == 0
}
