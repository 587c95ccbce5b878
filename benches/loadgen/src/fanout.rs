//! Fan-out: many websocket clients in the room while one sender posts at a
//! fixed rate; every client must get every message once, and the time from
//! sending to receiving is recorded.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;

use crate::stats::{describe, histogram, now_micros};
use crate::ws::{connect, source_address, Socket};

pub struct Plan {
    pub targets: Vec<SocketAddr>,
    /// Session cookies to spread the clients over (none: no sign-in, as the
    /// baseline server needs).
    pub cookies: Vec<String>,
    pub clients: usize,
    pub rate: u32,
    pub seconds: u32,
    pub spread: usize,
}

struct ClientResult {
    latencies: Histogram<u64>,
    unique: usize,
    duplicates: usize,
}

pub async fn run(plan: Plan) -> bool {
    let total = (plan.rate * plan.seconds) as usize;
    let Some(connected) = connect_all(&plan).await else {
        return false;
    };
    let receivers: Vec<_> = connected
        .into_iter()
        .map(|socket| tokio::spawn(receive(socket, total, plan.seconds)))
        .collect();
    let Some(sent_in) = send_at_rate(&plan, total).await else {
        return false;
    };

    let mut latencies = histogram();
    let (mut unique, mut duplicates) = (0usize, 0usize);
    for receiver in receivers {
        if let Ok(result) = receiver.await {
            let _ = latencies.add(&result.latencies);
            unique += result.unique;
            duplicates += result.duplicates;
        }
    }
    let expected = total * plan.clients;
    let lost = expected - unique;
    println!(
        "fanout clients={} rate={}/s messages={} deliveries={} ({:.0}/s) lost={} duplicated={} send-to-receive {}",
        plan.clients,
        plan.rate,
        total,
        unique,
        unique as f64 / sent_in.as_secs_f64(),
        lost,
        duplicates,
        describe(&latencies)
    );
    lost == 0 && duplicates == 0
}

/// Opens every client's socket (at most 256 handshakes at once); `None`
/// unless all of them connected.
async fn connect_all(plan: &Plan) -> Option<Vec<Socket>> {
    let connecting = Arc::new(Semaphore::new(256));
    let started = Instant::now();
    let mut sockets = Vec::with_capacity(plan.clients);
    for i in 0..plan.clients {
        let target = plan.targets[i % plan.targets.len()];
        let cookie =
            (!plan.cookies.is_empty()).then(|| plan.cookies[i % plan.cookies.len()].clone());
        let permit = connecting.clone();
        let source = source_address(i, plan.spread);
        sockets.push(tokio::spawn(async move {
            let _permit = permit.acquire().await.ok()?;
            connect(target, source, "/ws/chat/", cookie.as_deref(), None)
                .await
                .ok()
        }));
    }
    let mut connected = Vec::with_capacity(plan.clients);
    for socket in sockets {
        if let Ok(Some(socket)) = socket.await {
            connected.push(socket);
        }
    }
    eprintln!(
        "fanout: {} of {} clients connected in {:.1}s",
        connected.len(),
        plan.clients,
        started.elapsed().as_secs_f64()
    );
    (connected.len() == plan.clients).then_some(connected)
}

/// One client: counts each of the `total` messages once (and any repeat),
/// with its send-to-receive time, until all came or the run's time is up.
async fn receive(mut socket: Socket, total: usize, seconds: u32) -> ClientResult {
    let mut result = ClientResult {
        latencies: histogram(),
        unique: 0,
        duplicates: 0,
    };
    let mut seen = vec![false; total];
    let deadline = tokio::time::sleep(Duration::from_secs(u64::from(seconds) + 15));
    tokio::pin!(deadline);
    while result.unique < total {
        let frame = tokio::select! {
            _ = &mut deadline => break,
            frame = socket.next() => frame,
        };
        match frame {
            Some(Ok(Message::Text(text))) => {
                let received = now_micros();
                let Some((seq, sent)) = parse(text.as_str()).filter(|(seq, _)| *seq < total) else {
                    continue;
                };
                if seen[seq] {
                    result.duplicates += 1;
                } else {
                    seen[seq] = true;
                    result.unique += 1;
                    let _ = result
                        .latencies
                        .record(received.saturating_sub(sent).max(1));
                }
            }
            Some(Ok(_)) => {}
            _ => break,
        }
    }
    // Anything more (a duplicate) would arrive right away.
    while let Ok(Some(Ok(Message::Text(text)))) =
        tokio::time::timeout(Duration::from_millis(300), socket.next()).await
    {
        if parse(text.as_str()).is_some() {
            result.duplicates += 1;
        }
    }
    result
}

/// The sender: its own connection, seed protocol, `plan.rate` messages a
/// second; how long sending took, or `None` if it could not connect.
async fn send_at_rate(plan: &Plan, total: usize) -> Option<Duration> {
    let cookie = plan.cookies.first().cloned();
    let sender = connect(
        plan.targets[0],
        source_address(0, 1),
        "/ws/chat/",
        cookie.as_deref(),
        None,
    )
    .await
    .map_err(|e| eprintln!("fanout: sender: {e}"))
    .ok()?;
    let rate = plan.rate;
    let sending = Instant::now();
    let drain = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1) / rate);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let (mut write, mut read) = sender.split();
        let reader = tokio::spawn(async move { while read.next().await.is_some() {} });
        for seq in 0..total {
            tick.tick().await;
            let frame = format!(r#"{{"message":"lg {seq} {}"}}"#, now_micros());
            if write.send(Message::text(frame)).await.is_err() {
                break;
            }
        }
        reader.abort();
    });
    let _ = drain.await;
    Some(sending.elapsed())
}

/// `lg <seq> <sent micros>` inside a seed frame `{"message": {... "content"}}`.
/// Found by a scan, not a JSON parse: parsing 100k frames a second into trees
/// would cost the readers more than the server spends sending them, and the
/// harness would measure itself.
fn parse(text: &str) -> Option<(usize, u64)> {
    const KEY: &str = r#""content":"lg "#;
    let rest = &text[text.find(KEY)? + KEY.len()..];
    let mut parts = rest[..rest.find('"')?].split(' ');
    let seq = parts.next()?.parse().ok()?;
    let sent = parts.next()?.parse().ok()?;
    Some((seq, sent))
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_sequence_and_send_time_from_a_frame() {
        let frame = r#"{"message":{"id":7,"user":{"id":1,"username":"lg0u0"},"content":"lg 12 1700000000123","timestamp":"x"}}"#;
        assert_eq!(super::parse(frame), Some((12, 1_700_000_000_123)));
        assert_eq!(super::parse(r#"{"message":{"content":"hello"}}"#), None);
    }
}
