//! The query of `GET /api/chat/messages/`: `limit`, `before`, `after`, and
//! `mentions=me`.

use std::collections::BTreeMap;

use axum::http::StatusCode;

use super::store::{Window, PAGE_HISTORY};
use crate::error::ChatError;
use crate::server::http::api_error::ApiError;
use crate::server::http::url_encoding;

/// The most messages one request may ask for.
pub const MAX_LIMIT: u64 = 500;

/// Which messages to list. Without `before` and `after`: the newest ones.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Describes the query for the OpenAPI document; parsing is by hand.
pub struct HistoryQuery {
    /// How many messages at most (default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
    /// Only messages older than this id (the previous page).
    #[param(minimum = 0)]
    before: Option<i64>,
    /// Only messages newer than this id, oldest first from just after it
    /// (catching up after a reconnect).
    #[param(minimum = 0)]
    after: Option<i64>,
    /// `me`: only the messages that mention the signed-in user, newest
    /// first (the same paging: `before` the oldest one listed for more).
    #[param(pattern = "^me$")]
    mentions: Option<String>,
}

/// A read of the message list: which slice, and whether only the messages
/// that mention the reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListQuery {
    pub window: Window,
    pub mentions_me: bool,
}

/// A query's pairs, and the problems found reading numbers from them (each
/// bad value is reported under its name).
struct QueryNumbers {
    pairs: Vec<(String, String)>,
    fields: BTreeMap<String, Vec<String>>,
}

impl QueryNumbers {
    fn parse(query: Option<&str>) -> Result<Self, ApiError> {
        let pairs =
            url_encoding::parse_pairs(query.unwrap_or_default().as_bytes()).ok_or_else(|| {
                ApiError::detail(
                    StatusCode::BAD_REQUEST,
                    "The query string is not valid UTF-8.",
                )
            })?;
        Ok(QueryNumbers {
            pairs,
            fields: BTreeMap::new(),
        })
    }

    /// The value of `name` if present and within `min..=max`.
    fn number(&mut self, name: &str, min: i64, max: i64) -> Option<i64> {
        let raw = url_encoding::first(&self.pairs, name)?;
        let problem = match raw.trim().parse::<i64>() {
            Err(_) => "A valid integer is required.".to_owned(),
            Ok(n) if n < min => format!("Ensure this value is greater than or equal to {min}."),
            Ok(n) if n > max => format!("Ensure this value is less than or equal to {max}."),
            Ok(n) => return Some(n),
        };
        self.fields.insert(name.to_owned(), vec![problem]);
        None
    }

    /// A 400 naming every bad value, if there was one.
    fn finish(self) -> Result<(), ApiError> {
        if self.fields.is_empty() {
            Ok(())
        } else {
            Err(ChatError::invalid(self.fields).into())
        }
    }
}

/// Reads `limit`, `before`, `after` and `mentions`.
pub fn read_list(query: Option<&str>) -> Result<ListQuery, ApiError> {
    let mut numbers = QueryNumbers::parse(query)?;
    let limit = numbers.number("limit", 1, MAX_LIMIT as i64);
    let before = numbers.number("before", 0, i64::MAX);
    let after = numbers.number("after", 0, i64::MAX);
    let mentions_me = match url_encoding::first(&numbers.pairs, "mentions") {
        None => false,
        Some("me") => true,
        Some(_) => {
            let problem = "Only mentions=me is supported.".to_owned();
            numbers.fields.insert("mentions".to_owned(), vec![problem]);
            false
        }
    };
    numbers.finish()?;
    let window = Window {
        limit: limit.map_or(PAGE_HISTORY, |n| n as u64),
        before,
        after,
    };
    Ok(ListQuery {
        window,
        mentions_me,
    })
}

/// Reads `after` alone (the websocket's resume point).
pub fn read_after(query: Option<&str>) -> Result<Option<i64>, ApiError> {
    let mut numbers = QueryNumbers::parse(query)?;
    let after = numbers.number("after", 0, i64::MAX);
    numbers.finish()?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_values() {
        let w = read_list(None).unwrap().window;
        assert_eq!((w.limit, w.before, w.after), (100, None, None));
        let w = read_list(Some("limit=500&before=7&after=2&other=x"))
            .unwrap()
            .window;
        assert_eq!((w.limit, w.before, w.after), (500, Some(7), Some(2)));
        assert!(!read_list(None).unwrap().mentions_me);
        let q = read_list(Some("mentions=me&before=9")).unwrap();
        assert!(q.mentions_me);
        assert_eq!(q.window.before, Some(9));
    }

    #[test]
    fn bad_values_are_400() {
        for q in [
            "limit=0",
            "limit=501",
            "limit=abc",
            "before=-1",
            "after=1.5",
            "limit=%FF",
            "mentions=you",
            "mentions=",
            "mentions=ME",
        ] {
            assert_eq!(
                read_list(Some(q)).unwrap_err().status(),
                StatusCode::BAD_REQUEST,
                "{q}"
            );
        }
    }
}
