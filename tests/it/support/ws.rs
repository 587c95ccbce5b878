//! A websocket client for the tests (tokio-tungstenite, the same library
//! axum uses on the server side).

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::server::TestServer;

/// How long a test waits for a frame that must come (generous: CI machines
/// may be busy compiling; a lost frame fails all the same).
pub const PATIENCE: Duration = Duration::from_secs(30);

pub struct Socket {
    pub inner: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// How to open a socket.
#[derive(Default, Clone)]
pub struct Open<'a> {
    pub cookie: Option<&'a str>,
    pub origin: Option<String>,
    pub v2: bool,
    pub query: &'a str,
}

/// Opens `/ws/chat/`; on a refused handshake, the HTTP status.
pub async fn open(server: &TestServer, how: Open<'_>) -> Result<Socket, u16> {
    let url = format!("ws://{}/ws/chat/{}", server.addr, how.query);
    let mut request = url.into_client_request().expect("a websocket URL");
    let headers = request.headers_mut();
    if let Some(cookie) = how.cookie {
        headers.insert("cookie", HeaderValue::from_str(cookie).unwrap());
    }
    if let Some(origin) = &how.origin {
        headers.insert("origin", HeaderValue::from_str(origin).unwrap());
    }
    if how.v2 {
        headers.insert(
            "sec-websocket-protocol",
            HeaderValue::from_static("chat98.v2"),
        );
    }
    match tokio::time::timeout(PATIENCE, tokio_tungstenite::connect_async(request)).await {
        Ok(Ok((inner, response))) => {
            let chosen = response.headers().get("sec-websocket-protocol");
            assert_eq!(chosen.is_some(), how.v2, "subprotocol negotiation");
            Ok(Socket { inner })
        }
        Ok(Err(Error::Http(response))) => Err(response.status().as_u16()),
        Ok(Err(e)) => panic!("websocket handshake failed: {e}"),
        Err(_) => panic!("websocket handshake timed out"),
    }
}

/// Opens a signed-in socket from the site's own origin.
pub async fn connect(server: &TestServer, cookie: &str, v2: bool, query: &str) -> Socket {
    open(
        server,
        Open {
            cookie: Some(cookie),
            origin: Some(server.origin()),
            v2,
            query,
        },
    )
    .await
    .expect("handshake accepted")
}

impl Socket {
    pub async fn send_json(&mut self, value: Value) {
        self.inner
            .send(Message::text(value.to_string()))
            .await
            .expect("send a frame");
    }

    pub async fn send_raw(&mut self, message: Message) {
        self.inner.send(message).await.expect("send a frame");
    }

    /// The next text frame as JSON (pings and heartbeats are skipped, but
    /// do not extend the patience).
    pub async fn next_json(&mut self) -> Value {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let message = tokio::time::timeout_at(deadline, self.inner.next())
                .await
                .expect("a frame within the patience")
                .expect("the socket is open")
                .expect("a readable frame");
            match message {
                Message::Text(text) => {
                    let value: Value = serde_json::from_str(text.as_str()).expect("JSON frame");
                    if value["type"] == "heartbeat" {
                        continue;
                    }
                    return value;
                }
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("expected a text frame, got {other:?}"),
            }
        }
    }

    /// The next frame of type `kind` (chat98.v2), skipping others.
    pub async fn next_of(&mut self, kind: &str) -> Value {
        loop {
            let value = self.next_json().await;
            if value["type"] == kind {
                return value;
            }
        }
    }

    /// The frames of type `kind` that arrive within `wait` (others are skipped).
    pub async fn frames_within(&mut self, kind: &str, wait: Duration) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut frames = Vec::new();
        while let Ok(frame) = tokio::time::timeout_at(deadline, self.next_json()).await {
            if frame["type"] == kind {
                frames.push(frame);
            }
        }
        frames
    }

    /// Whether a frame arrives within `wait`.
    pub async fn quiet_for(&mut self, wait: Duration) -> Option<Value> {
        tokio::time::timeout(wait, self.next_json()).await.ok()
    }

    /// Reads until the server closes; the close code and reason it sent
    /// (`None` if the connection dropped without a close frame).
    pub async fn close_frame(&mut self) -> Option<(u16, String)> {
        let deadline = tokio::time::Instant::now() + PATIENCE * 3;
        loop {
            match tokio::time::timeout_at(deadline, self.inner.next()).await {
                Err(_) => panic!("the server did not close the socket"),
                Ok(None) | Ok(Some(Err(_))) => return None,
                Ok(Some(Ok(Message::Close(frame)))) => {
                    return Some(
                        frame.map_or((u16::from(CloseCode::Status), String::new()), |f| {
                            (u16::from(f.code), f.reason.as_str().to_owned())
                        }),
                    )
                }
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// Reads until the server closes; the close code it sent.
    pub async fn close_code(&mut self) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + PATIENCE * 3;
        loop {
            match tokio::time::timeout_at(deadline, self.inner.next()).await {
                Err(_) => panic!("the server did not close the socket"),
                Ok(None) => return None,
                Ok(Some(Err(_))) => return None,
                Ok(Some(Ok(Message::Close(frame)))) => {
                    return frame
                        .map(|f| u16::from(f.code))
                        .or(Some(u16::from(CloseCode::Status)))
                }
                Ok(Some(Ok(_))) => continue,
            }
        }
    }
}
