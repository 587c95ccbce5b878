//! Completing `@names` in the composer: which name is being typed, which
//! users match it (people online first, then others seen in the room), and
//! the text once one is picked. The list itself is
//! `components::mention_list`.

use crate::types::{ChatMessage, UserRef};

/// The list opens after `@` and this many characters.
pub const MIN_TYPED: usize = 2;
/// At most this many names are offered.
pub const MAX_SHOWN: usize = 8;

/// The `@name` being typed just before the caret (`caret` is a byte
/// offset): the byte offset of its `@`, and what follows it.
pub fn typed_at(text: &str, caret: usize) -> Option<(usize, &str)> {
    let before = text.get(..caret)?;
    let start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .filter(|&i| before[i..].starts_with('@'))?;
    let starts_word = before[..start]
        .chars()
        .next_back()
        .is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '@' | '/')));
    let typed = &before[start + 1..];
    (starts_word && typed.len() >= MIN_TYPED).then_some((start, typed))
}

/// The names to complete `typed` with: those starting with it (any letter
/// case), online users first, each once, never the writer.
pub fn suggestions(typed: &str, online: &[String], others: &[String], me: &str) -> Vec<String> {
    let typed = typed.to_ascii_lowercase();
    let mut shown: Vec<String> = Vec::new();
    for name in online.iter().chain(others) {
        let fits = name.to_ascii_lowercase().starts_with(&typed);
        let new = !shown.iter().any(|s| s.eq_ignore_ascii_case(name));
        if fits && new && !name.eq_ignore_ascii_case(me) {
            shown.push(name.clone());
            if shown.len() == MAX_SHOWN {
                break;
            }
        }
    }
    shown
}

/// `text` with the `@name` typed at `start` (up to `caret`) replaced by
/// `@picked ` ; and the caret's new place, after the space.
pub fn complete(text: &str, start: usize, caret: usize, picked: &str) -> (String, usize) {
    let rest = text.get(caret..).unwrap_or_default();
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    let before = text.get(..start).unwrap_or(text);
    let completed = format!("{before}@{picked} ");
    let caret = completed.len();
    (format!("{completed}{rest}"), caret)
}

/// The names of the people online, then of everyone else who wrote or was
/// mentioned in the messages shown, newest first.
pub fn known_names(online: &[UserRef], messages: &[ChatMessage]) -> (Vec<String>, Vec<String>) {
    let online: Vec<String> = online.iter().map(|u| u.username.clone()).collect();
    let mut others: Vec<String> = Vec::new();
    for m in messages.iter().rev() {
        for name in std::iter::once(&m.user.username).chain(&m.mentions) {
            if !others.iter().any(|o| o.eq_ignore_ascii_case(name)) {
                others.push(name.clone());
            }
        }
    }
    (online, others)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (text, caret, the `@` and what follows it).
    type Case = (&'static str, usize, Option<(usize, &'static str)>);

    #[test]
    fn the_name_being_typed_is_found_before_the_caret() {
        let cases: &[Case] = &[
            ("hi @al", 6, Some((3, "al"))),
            ("@alice", 6, Some((0, "alice"))),
            ("hi @a", 5, None),
            ("hi @al there", 6, Some((3, "al"))),
            ("hi @al there", 12, None),
            ("mail bob@ex", 11, None),
            ("(@bo", 4, Some((1, "bo"))),
            ("no at", 5, None),
            ("@", 1, None),
        ];
        for (text, caret, expected) in cases {
            assert_eq!(typed_at(text, *caret), *expected, "{text:?} at {caret}");
        }
    }

    #[test]
    fn online_users_come_first_and_the_writer_never() {
        let online = vec!["bob".to_string(), "Alice".to_string(), "me_too".to_string()];
        let others = vec![
            "alfred".to_string(),
            "alice".to_string(),
            "albert".to_string(),
        ];
        assert_eq!(
            suggestions("AL", &online, &others, "me"),
            ["Alice", "alfred", "albert"]
        );
        assert_eq!(
            suggestions("me", &online, &others, "ME_TOO"),
            Vec::<String>::new()
        );
        let many: Vec<String> = (0..20).map(|i| format!("user{i}")).collect();
        assert_eq!(suggestions("us", &many, &[], "x").len(), MAX_SHOWN);
    }

    #[test]
    fn picking_a_name_completes_it_with_a_space() {
        assert_eq!(
            complete("hi @al", 3, 6, "alice"),
            ("hi @alice ".to_string(), 10)
        );
        assert_eq!(
            complete("hi @al there", 3, 6, "alice"),
            ("hi @alice there".to_string(), 10)
        );
    }
}
