//! A minimal HTTP/1.1 client for the integration tests: one request per
//! connection, no redirects followed, cookies passed by hand.
//!
//! Why not reqwest: as a dev-dependency it changes the features of hyper,
//! tokio and friends, so `cargo test` and cargo-leptos's server build could not
//! share compiled dependencies and CI would build most of the tree twice.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde::de::DeserializeOwned;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Default)]
pub struct Client;

pub fn client() -> Client {
    Client
}

impl Client {
    pub fn get(&self, url: impl Into<String>) -> Request {
        Request::new("GET", url.into())
    }

    pub fn post(&self, url: impl Into<String>) -> Request {
        Request::new("POST", url.into())
    }

    pub fn request(&self, method: &'static str, url: impl Into<String>) -> Request {
        Request::new(method, url.into())
    }
}

pub struct Request {
    method: &'static str,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn new(method: &'static str, url: String) -> Self {
        Request {
            method,
            url,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn header(mut self, name: &str, value: impl AsRef<str>) -> Self {
        self.headers
            .push((name.to_owned(), value.as_ref().to_owned()));
        self
    }

    pub fn json(self, value: &serde_json::Value) -> Self {
        let body = value.to_string();
        self.header("content-type", "application/json").body(body)
    }

    pub fn form(self, pairs: &[(&str, &str)]) -> Self {
        let body = serde_urlencoded::to_string(pairs).expect("form pairs encode");
        self.header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    pub async fn send(self) -> Result<Response, String> {
        tokio::time::timeout(TIMEOUT, self.exchange())
            .await
            .map_err(|_| format!("no answer within {TIMEOUT:?}"))?
    }

    async fn exchange(self) -> Result<Response, String> {
        let rest = self
            .url
            .strip_prefix("http://")
            .ok_or_else(|| format!("not an http:// URL: {}", self.url))?;
        let (host, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let mut head = format!(
            "{} {path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\ncontent-length: {}\r\n",
            self.method,
            self.body.len()
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut stream = TcpStream::connect(host).await.map_err(|e| e.to_string())?;
        stream
            .write_all(head.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        stream
            .write_all(&self.body)
            .await
            .map_err(|e| e.to_string())?;
        let mut raw = Vec::new();
        stream
            .read_to_end(&mut raw)
            .await
            .map_err(|e| e.to_string())?;
        Response::parse(&raw)
    }
}

pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Response {
    fn parse(raw: &[u8]) -> Result<Response, String> {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or("no end of headers")?;
        let head = std::str::from_utf8(&raw[..split]).map_err(|e| e.to_string())?;
        let mut lines = head.split("\r\n");
        let status_line = lines.next().ok_or("no status line")?;
        let code = status_line
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| format!("bad status line {status_line:?}"))?;
        let mut headers = HeaderMap::new();
        for line in lines {
            let (name, value) = line.split_once(':').ok_or("bad header line")?;
            headers.append(
                HeaderName::from_bytes(name.trim().as_bytes()).map_err(|e| e.to_string())?,
                HeaderValue::from_str(value.trim()).map_err(|e| e.to_string())?,
            );
        }
        let body = &raw[split + 4..];
        let chunked = headers
            .get("transfer-encoding")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"chunked"));
        let body = if chunked {
            dechunk(body)?
        } else {
            body.to_vec()
        };
        Ok(Response {
            status: StatusCode::from_u16(code).map_err(|e| e.to_string())?,
            headers,
            body,
        })
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    pub async fn text(self) -> Result<String, String> {
        String::from_utf8(self.body).map_err(|e| e.to_string())
    }

    pub async fn json<T: DeserializeOwned>(self) -> Result<T, String> {
        serde_json::from_slice(&self.body).map_err(|e| e.to_string())
    }
}

fn dechunk(mut body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("truncated chunk size")?;
        let size_text = std::str::from_utf8(&body[..line_end]).map_err(|e| e.to_string())?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|e| e.to_string())?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if body.len() < size + 2 {
            return Err("truncated chunk".into());
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}
