//! Idle connections: how much memory the server needs per open websocket.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::server::rss_bytes;
use crate::ws::{connect, source_address};

pub async fn run(
    target: SocketAddr,
    pid: u32,
    cookies: Vec<String>,
    clients: usize,
    spread: usize,
) -> bool {
    let before = rss_bytes(pid);
    let started = Instant::now();
    let connecting = Arc::new(Semaphore::new(256));
    let mut tasks = Vec::with_capacity(clients);
    for i in 0..clients {
        let cookie = cookies[i % cookies.len()].clone();
        let permit = connecting.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = permit.acquire().await.ok()?;
            connect(
                target,
                source_address(i, spread),
                "/ws/chat/",
                Some(&cookie),
                None,
            )
            .await
            .ok()
        }));
    }
    let mut held = Vec::with_capacity(clients);
    for task in tasks {
        if let Ok(Some(socket)) = task.await {
            held.push(socket);
        }
    }
    let connected_in = started.elapsed();
    // Let the server settle (allocator, lazily grown buffers).
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = rss_bytes(pid);
    let per = after.saturating_sub(before) as f64 / held.len().max(1) as f64;
    println!(
        "idle sockets={} of {clients} connected in {:.1}s server RSS before={:.1}MB after={:.1}MB per-socket={:.1}KB",
        held.len(),
        connected_in.as_secs_f64(),
        before as f64 / 1e6,
        after as f64 / 1e6,
        per / 1024.0
    );
    held.len() == clients
}
