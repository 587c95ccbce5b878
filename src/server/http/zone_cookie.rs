//! The reader's time zone while the server renders: the `tz` cookie the
//! browser wrote (see `client::time_zone`), believed only if the zone
//! database knows the name. An unknown, overlong or missing value is no
//! zone: the page shows UTC, labelled.

use axum::http::header::COOKIE;
use axum::http::request::Parts;
use axum::http::HeaderMap;

use crate::times::zone_database::checked;
use crate::times::ZONE_COOKIE;

/// The checked zone of the `tz` cookie in `headers`, if any.
pub fn from_cookies(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == ZONE_COOKIE)
        .and_then(|(_, value)| checked(value.trim().trim_matches('"')))
}

/// The zone of the request being rendered (its `tz` cookie), if known.
pub fn of_request() -> Option<String> {
    leptos::prelude::use_context::<Parts>().and_then(|parts| from_cookies(&parts.headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_read_among_others() {
        let headers = |lines: &[&str]| {
            let mut h = HeaderMap::new();
            for line in lines {
                h.append(COOKIE, line.parse().expect("header value"));
            }
            h
        };
        let table: [(&[&str], Option<&str>); 6] = [
            (
                &["chat98_session=abc; tz=Pacific/Kiritimati"],
                Some("Pacific/Kiritimati"),
            ),
            (&["a=1", "tz=\"Europe/Berlin\""], Some("Europe/Berlin")),
            (&["xtz=Europe/Berlin"], None),
            (&["tz=Mars/Olympus_Mons"], None),
            (&["tz="], None),
            (&[], None),
        ];
        for (lines, expected) in table {
            assert_eq!(
                from_cookies(&headers(lines)).as_deref(),
                expected,
                "{lines:?}"
            );
        }
    }
}
