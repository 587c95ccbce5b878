//! `@username` in a message's text. A mention is `@` at the start of a word
//! (not inside an e-mail address or a link) followed by a whole name of 3 to
//! 32 letters (A-Z), digits, `_` or `-`: the characters a username may have.
//! The server resolves the candidates against its users when it stores the
//! message; the page then shows in bold only the names the message carries
//! in `mentions` (case-insensitive).

use super::Piece;

/// The shortest and longest username (`server::auth::rules`).
const NAME_MIN: usize = 3;
const NAME_MAX: usize = 32;

/// At most this many different names are looked up per message, so that a
/// message of `@aaa @aab @aac ...` costs one bounded query.
pub const MAX_CANDIDATES: usize = 50;

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// The name of a mention starting at byte `at` (where `text` has an `@`).
fn name_at(text: &str, at: usize) -> Option<&str> {
    let before = text[..at].chars().next_back();
    if before.is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '@' | '/')) {
        return None;
    }
    let rest = text.get(at + 1..)?;
    let len = rest.find(|c: char| !is_name_char(c)).unwrap_or(rest.len());
    (NAME_MIN..=NAME_MAX).contains(&len).then(|| &rest[..len])
}

/// Every mention in a run of plain text: (byte offset of the `@`, name).
fn mentions_in(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.match_indices('@')
        .filter_map(move |(at, _)| name_at(text, at).map(|name| (at, name)))
}

/// The names `text` mentions outside its links, each once (first spelling,
/// compared without case), at most [`MAX_CANDIDATES`].
pub fn candidates(text: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for piece in super::pieces(text) {
        let Piece::Text(plain) = piece else { continue };
        for (_, name) in mentions_in(plain) {
            if names.len() == MAX_CANDIDATES {
                return names;
            }
            if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                names.push(name);
            }
        }
    }
    names
}

/// `pieces` with the mentions of `known` names (case-insensitive) cut out of
/// the plain text as [`Piece::Mention`]s.
pub fn mark<'a>(pieces: Vec<Piece<'a>>, known: &[String]) -> Vec<Piece<'a>> {
    if known.is_empty() {
        return pieces;
    }
    let mut marked = Vec::with_capacity(pieces.len());
    for piece in pieces {
        let Piece::Text(plain) = piece else {
            marked.push(piece);
            continue;
        };
        let mut from = 0;
        for (at, name) in mentions_in(plain) {
            if !known.iter().any(|k| k.eq_ignore_ascii_case(name)) {
                continue;
            }
            if from < at {
                marked.push(Piece::Text(&plain[from..at]));
            }
            let end = at + 1 + name.len();
            marked.push(Piece::Mention(&plain[at..end]));
            from = end;
        }
        if from < plain.len() {
            marked.push(Piece::Text(&plain[from..]));
        }
    }
    marked
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (message, the candidates found in it).
    const CANDIDATES: &[(&str, &[&str])] = &[
        ("hi @alice", &["alice"]),
        (
            "@alice, @Bob_2 and @carol-x.",
            &["alice", "Bob_2", "carol-x"],
        ),
        ("@ALICE @alice @Alice", &["ALICE"]),
        ("mail bob@example.com", &[]),
        ("@al is too short, @abc is not", &["abc"]),
        ("(@alice) [@bob]", &["alice", "bob"]),
        ("@@alice", &[]),
        ("x.@alice a/@bob", &[]),
        ("see https://example.com/@alice", &[]),
        ("https://example.com/x @alice", &["alice"]),
        ("@ünïcode", &[]),
        ("@alice\n@bob", &["alice", "bob"]),
        ("nobody @ all", &[]),
    ];

    #[test]
    fn candidates_are_whole_names_at_the_start_of_a_word() {
        for (text, expected) in CANDIDATES {
            assert_eq!(&candidates(text), expected, "{text:?}");
        }
        let long = format!("@{}", "a".repeat(33));
        assert!(candidates(&long).is_empty(), "a name longer than 32");
        let longest = format!("@{}", "a".repeat(32));
        assert_eq!(candidates(&longest).len(), 1);
    }

    #[test]
    fn candidates_are_bounded() {
        let text: String = (0..200).map(|i| format!("@user{i:03} ")).collect();
        assert_eq!(candidates(&text).len(), MAX_CANDIDATES);
    }

    fn marked(text: &str, known: &[&str]) -> Vec<String> {
        let known: Vec<String> = known.iter().map(|k| k.to_string()).collect();
        mark(super::super::pieces(text), &known)
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) => format!("T:{t}"),
                Piece::Mention(m) => format!("M:{m}"),
                Piece::Link { text, .. } => format!("L:{text}"),
            })
            .collect()
    }

    #[test]
    fn only_known_names_are_marked_case_insensitively() {
        assert_eq!(
            marked("hi @Alice!", &["alice"]),
            ["T:hi ", "M:@Alice", "T:!"]
        );
        assert_eq!(marked("hi @alice", &[]), ["T:hi @alice"]);
        assert_eq!(marked("@nobody @bob", &["bob"]), ["T:@nobody ", "M:@bob"]);
        assert_eq!(
            marked("@bob see www.example.com/@bob @bob", &["bob"]),
            [
                "M:@bob",
                "T: see ",
                "L:www.example.com/@bob",
                "T: ",
                "M:@bob"
            ]
        );
        assert_eq!(
            marked("@bobby", &["bob"]),
            ["T:@bobby"],
            "a longer name is not bob"
        );
        assert_eq!(marked("bob@bob.org", &["bob"]), ["T:bob@bob.org"]);
    }
}
