//! The session cookie is `Secure` whenever the request came over https:
//! directly, or through a trusted proxy that says so (`X-Forwarded-Proto:
//! https` or `Forwarded: proto=https`). `--secure-cookies` marks it `Secure`
//! always (the session layer's own setting).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::server::settings::AddressBlock;

/// The session cookie's name, and the proxies whose word on the scheme is believed.
#[derive(Clone, Debug, Default)]
pub struct SecureCookies {
    pub cookie: &'static str,
    pub proxies: TrustedProxies,
}

/// The proxies whose word on the scheme is believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub Arc<Vec<AddressBlock>>);

impl TrustedProxies {
    fn trust(&self, peer: SocketAddr) -> bool {
        self.0.iter().any(|block| block.contains(peer.ip()))
    }
}

/// Whether the client reached us over https, as far as we can tell.
fn over_https(request: &Request, proxies: &TrustedProxies) -> bool {
    if request.uri().scheme_str() == Some("https") {
        return true;
    }
    let trusted = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(peer)| proxies.trust(*peer));
    trusted && says_https(request.headers())
}

/// What the (trusted) proxy says: the scheme the client used, the first one
/// listed (the proxy that faced the client wrote it).
fn says_https(headers: &HeaderMap) -> bool {
    let forwarded_proto = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().eq_ignore_ascii_case("https"));
    let forwarded = headers
        .get("forwarded")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|first| {
            first.split(';').any(|pair| {
                pair.trim().split_once('=').is_some_and(|(k, v)| {
                    k.trim().eq_ignore_ascii_case("proto")
                        && v.trim().trim_matches('"').eq_ignore_ascii_case("https")
                })
            })
        });
    forwarded_proto.or(forwarded).unwrap_or(false)
}

pub async fn secure_session_cookie(
    State(secure): State<SecureCookies>,
    request: Request,
    next: Next,
) -> Response {
    let https = over_https(&request, &secure.proxies);
    let mut response = next.run(request).await;
    if https {
        mark_secure(response.headers_mut(), secure.cookie);
    }
    response
}

/// Adds `Secure` to the cookie named `cookie` being set, if it lacks it.
fn mark_secure(headers: &mut HeaderMap, cookie: &str) {
    let prefix = format!("{cookie}=");
    for (name, value) in headers.iter_mut() {
        if name != SET_COOKIE {
            continue;
        }
        let Ok(text) = value.to_str() else { continue };
        let secure = text
            .split(';')
            .skip(1)
            .any(|a| a.trim().eq_ignore_ascii_case("secure"));
        if text.starts_with(&prefix) && !secure {
            if let Ok(marked) = HeaderValue::from_str(&format!("{text}; Secure")) {
                *value = marked;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_proxy_names_the_scheme() {
        assert!(says_https(&headers(&[("x-forwarded-proto", "https")])));
        assert!(says_https(&headers(&[(
            "x-forwarded-proto",
            "HTTPS, http"
        )])));
        assert!(!says_https(&headers(&[("x-forwarded-proto", "http")])));
        assert!(says_https(&headers(&[(
            "forwarded",
            "for=1.2.3.4;proto=https;by=x"
        )])));
        assert!(!says_https(&headers(&[(
            "forwarded",
            "for=1.2.3.4;proto=http"
        )])));
        assert!(!says_https(&headers(&[])));
    }

    #[test]
    fn only_the_session_cookie_gets_secure_once() {
        let mut h = headers(&[
            ("set-cookie", "chat98_session=abc; HttpOnly; Path=/"),
            ("set-cookie", "other=1; Path=/"),
        ]);
        mark_secure(&mut h, "chat98_session");
        mark_secure(&mut h, "chat98_session");
        let cookies: Vec<&str> = h
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(
            cookies,
            [
                "chat98_session=abc; HttpOnly; Path=/; Secure",
                "other=1; Path=/"
            ]
        );
    }
}
