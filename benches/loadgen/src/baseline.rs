//! The baseline: a bare axum broadcast server (no auth, no storage) that
//! speaks the seed's frames, so the fan-out figures can be compared with the
//! cost of the websocket plumbing alone on the same machine.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::broadcast;

#[derive(Clone)]
struct Room {
    frames: broadcast::Sender<Arc<str>>,
    next_id: Arc<AtomicI64>,
}

pub async fn serve(addr: &str) {
    let room = Room {
        frames: broadcast::channel(1024).0,
        next_id: Arc::new(AtomicI64::new(1)),
    };
    let app = Router::new()
        .route("/ws/chat/", get(upgrade))
        .with_state(room);
    let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
    println!(
        "listening on http://{}",
        listener.local_addr().expect("address")
    );
    axum::serve(listener, app).await.expect("serve");
}

async fn upgrade(ws: WebSocketUpgrade, State(room): State<Room>) -> Response {
    ws.on_upgrade(move |socket| connection(socket, room))
}

async fn connection(socket: WebSocket, room: Room) {
    let (mut sink, mut stream) = socket.split();
    let mut frames = room.frames.subscribe();
    let writer = tokio::spawn(async move {
        while let Ok(frame) = frames.recv().await {
            if sink.send(Message::text(frame.as_ref())).await.is_err() {
                break;
            }
        }
    });
    while let Some(Ok(message)) = stream.next().await {
        if let Message::Text(text) = message {
            let Ok(value) = serde_json::from_str::<serde_json::Value>(text.as_str()) else {
                continue;
            };
            let Some(content) = value.get("message").and_then(|m| m.as_str()) else {
                continue;
            };
            let id = room.next_id.fetch_add(1, Ordering::Relaxed);
            let frame = serde_json::json!({"message": {"id": id, "content": content}}).to_string();
            let _ = room.frames.send(frame.into());
        }
    }
    writer.abort();
}
