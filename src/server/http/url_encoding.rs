//! `application/x-www-form-urlencoded` (form bodies and query strings), read
//! strictly: bytes that do not decode to UTF-8 are an error, not a silent
//! replacement character.

use percent_encoding::percent_decode;

/// The name/value pairs, in order; `None` if any part is not valid UTF-8.
pub fn parse_pairs(encoded: &[u8]) -> Option<Vec<(String, String)>> {
    encoded
        .split(|b| *b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let mut halves = pair.splitn(2, |b| *b == b'=');
            let name = decode(halves.next().unwrap_or_default())?;
            let value = decode(halves.next().unwrap_or_default())?;
            Some((name, value))
        })
        .collect()
}

fn decode(part: &[u8]) -> Option<String> {
    let spaced: Vec<u8> = part
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    String::from_utf8(percent_decode(&spaced).collect()).ok()
}

/// The first value of `name`.
pub fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plus_percent_and_utf8() {
        let pairs = parse_pairs(b"content=a+b%26c%C3%A9&client_id=x&&flag").unwrap();
        assert_eq!(first(&pairs, "content"), Some("a b&cé"));
        assert_eq!(first(&pairs, "client_id"), Some("x"));
        assert_eq!(first(&pairs, "flag"), Some(""));
        assert_eq!(first(&pairs, "missing"), None);
    }

    #[test]
    fn invalid_utf8_is_refused() {
        assert!(parse_pairs(b"content=%FF").is_none());
        assert!(parse_pairs(b"content=\xff").is_none());
    }
}
