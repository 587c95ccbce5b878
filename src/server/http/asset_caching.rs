//! Cache headers for the built assets under `/pkg` and the pixel font under
//! `/fonts`. A file whose name carries a content hash (`chat98.<hash>.wasm`,
//! as cargo-leptos writes with `hash-files`; the fonts are named so by
//! hand) never changes, so browsers may keep it for a year; any other asset
//! there is revalidated (ServeDir answers 304 when unchanged).

use axum::extract::Request;
use axum::http::header::CACHE_CONTROL;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

const FOREVER: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

pub async fn asset_caching(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let asset = path
        .strip_prefix("/pkg/")
        .or_else(|| path.strip_prefix("/fonts/"));
    let policy = asset.map(|file| if is_hashed(file) { FOREVER } else { REVALIDATE });
    let mut response = next.run(request).await;
    if let Some(policy) = policy {
        if response.status().is_success() || response.status().as_u16() == 304 {
            response
                .headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static(policy));
        }
    }
    response
}

/// `name.<hash>.ext`, the hash being at least 16 URL-safe characters.
fn is_hashed(file: &str) -> bool {
    let mut parts = file.rsplitn(3, '.');
    let (_ext, hash, name) = (parts.next(), parts.next(), parts.next());
    match (hash, name) {
        (Some(hash), Some(name)) => {
            !name.is_empty()
                && hash.len() >= 16
                && hash
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn only_content_hashed_names_are_kept_forever() {
        assert!(is_hashed("chat98.Wm9fQ2xqaW5fUmVhbGx5.wasm"));
        assert!(is_hashed("chat98.a1b2c3d4e5f6a7b8c9d0.css"));
        assert!(is_hashed("ms_sans_serif.0123456789abcdef.woff2"));
        assert!(!is_hashed("chat98.wasm"));
        assert!(!is_hashed("chat98_bg.wasm"));
        assert!(!is_hashed("chat98.js"));
        assert!(!is_hashed("chat98.short.js"));
        assert!(!is_hashed(".Wm9fQ2xqaW5fUmVhbGx5.js"));
    }
}
