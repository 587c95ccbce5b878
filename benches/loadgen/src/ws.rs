//! Websocket clients, spread over several loopback source addresses (one
//! address gives about 28,000 ports).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{client_async, MaybeTlsStream, WebSocketStream};

pub type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// The `n`th client's source address: 127.0.0.2, 127.0.0.3, ... in turn.
pub fn source_address(n: usize, spread: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + (n % spread.max(1)) as u8))
}

/// Opens `ws://server/path` from `source`, with the session cookie (if any),
/// the site's own origin and, if given, a subprotocol (`chat98.v2`).
pub async fn connect(
    server: SocketAddr,
    source: IpAddr,
    path: &str,
    cookie: Option<&str>,
    protocol: Option<&str>,
) -> Result<Socket, String> {
    let socket = TcpSocket::new_v4().map_err(|e| e.to_string())?;
    socket
        .bind(SocketAddr::new(source, 0))
        .map_err(|e| format!("bind {source}: {e}"))?;
    let stream = socket
        .connect(server)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut request = format!("ws://{server}{path}")
        .into_client_request()
        .map_err(|e| e.to_string())?;
    let headers = request.headers_mut();
    if let Some(cookie) = cookie {
        headers.insert(
            "cookie",
            HeaderValue::from_str(cookie).map_err(|e| e.to_string())?,
        );
    }
    if let Some(protocol) = protocol {
        headers.insert(
            "sec-websocket-protocol",
            HeaderValue::from_str(protocol).map_err(|e| e.to_string())?,
        );
    }
    headers.insert(
        "origin",
        HeaderValue::from_str(&format!("http://{server}")).map_err(|e| e.to_string())?,
    );
    let (socket, _) = client_async(request, MaybeTlsStream::Plain(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    Ok(socket)
}
