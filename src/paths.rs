//! Where the browser may be sent: paths on this site only (an open redirect
//! would let another site borrow chat98's name). Shared by the sign-in pages
//! and the server.

/// Where to go after signing in: `next` if it is a path on this site, else `/chat`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(|c| c.is_control()) =>
        {
            path.to_owned()
        }
        _ => "/chat".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_same_site_paths_are_followed() {
        assert_eq!(safe_next(Some("/chat?x=1")), "/chat?x=1");
        assert_eq!(safe_next(None), "/chat");
        assert_eq!(safe_next(Some("")), "/chat");
        assert_eq!(safe_next(Some("https://evil.example/")), "/chat");
        assert_eq!(safe_next(Some("//evil.example/")), "/chat");
        assert_eq!(safe_next(Some("/\\evil.example")), "/chat");
        assert_eq!(safe_next(Some("/chat\r\nSet-Cookie: x")), "/chat");
    }
}
