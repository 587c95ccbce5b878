//! What a message's text becomes on the page: the text itself, with web
//! addresses turned into links, and nothing else. The same rules run on the
//! server (SSR), in the browser (hydration and live messages); the result is
//! built as text and link nodes, never as an HTML string.
//!
//! - `http://` and `https://` addresses (any letter case) and bare `www.`
//!   addresses become links; no other scheme does (`javascript:`, `data:`).
//! - Punctuation that ends a sentence is not part of the address (`.`, `,`,
//!   `;`, `:`, `!`, `?`, quotes), nor is a closing `)` or `]` that has no
//!   opening one in the address (`(see https://x.org/a_(b))` keeps its `)`).
//! - A host name with non-Latin letters gets its punycode form as the link's
//!   title, so a look-alike (`pаypal.com` with a Cyrillic `а`) shows for
//!   what it is; one that is not a valid domain name is not linked.
//! - `@username` of a user the message mentions is marked (see `mentions`).

pub mod mentions;
mod punycode;

/// A piece of a message's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    /// `@name` of a user the message mentions, as written.
    Mention(&'a str),
    Link {
        /// What the message says.
        text: &'a str,
        /// Where it leads (`https://` added to a bare `www.` address).
        href: String,
        /// For a host with non-Latin letters: the address with its punycode host.
        title: Option<String>,
    },
}

/// The link attributes every message link has: a new tab, no referrer, and
/// a sign to search engines that the room's users, not the site, wrote it.
pub const LINK_REL: &str = "noopener noreferrer nofollow ugc";

/// `text` cut into plain text, links and the mentions of `mentions` (the
/// message's mentioned users), in order.
pub fn pieces_with_mentions<'a>(text: &'a str, mentions: &[String]) -> Vec<Piece<'a>> {
    mentions::mark(pieces(text), mentions)
}

/// `text` cut into plain text and links, in order.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut plain_from = 0;
    let mut at = 0;
    while at < text.len() {
        if let Some(link) = link_at(text, at) {
            if plain_from < at {
                pieces.push(Piece::Text(&text[plain_from..at]));
            }
            at += link.0.len();
            plain_from = at;
            pieces.push(link.1);
            continue;
        }
        at += text[at..].chars().next().map_or(1, char::len_utf8);
    }
    if plain_from < text.len() {
        pieces.push(Piece::Text(&text[plain_from..]));
    }
    pieces
}

/// The link starting at byte `at`, if one does: its text and its piece.
fn link_at(text: &str, at: usize) -> Option<(&str, Piece<'_>)> {
    let rest = &text[at..];
    let scheme = ["https://", "http://", "www."].into_iter().find(|s| {
        rest.get(..s.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(s))
    })?;
    if !starts_a_word(text, at) {
        return None;
    }
    let candidate = trim_end(&rest[..address_length(rest)]);
    let after_scheme = if scheme == "www." { 0 } else { scheme.len() };
    let host = host_of(&candidate[after_scheme..]);
    if !valid_host(host, scheme == "www.") {
        return None;
    }
    let href = if scheme == "www." {
        format!("https://{candidate}")
    } else {
        candidate.to_owned()
    };
    let title = if host.is_ascii() {
        None
    } else {
        Some(href.replacen(host, &domain_to_ascii(host)?, 1))
    };
    let piece = Piece::Link {
        text: candidate,
        href,
        title,
    };
    Some((candidate, piece))
}

/// Whether an address may start at `at`: at the start, or after a space or
/// punctuation that is not part of a longer name (`x.www.`, `a@www.`, `/`).
fn starts_a_word(text: &str, at: usize) -> bool {
    match text[..at].chars().next_back() {
        None => true,
        Some(c) => !(c.is_alphanumeric() || matches!(c, '/' | '.' | '@' | '-' | '_' | ':')),
    }
}

/// Bytes up to the first space, control character or `<`, `>`, `"`, `` ` ``.
fn address_length(rest: &str) -> usize {
    rest.char_indices()
        .find(|(_, c)| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '`'))
        .map_or(rest.len(), |(i, _)| i)
}

/// `address` without the punctuation that ends the sentence around it.
fn trim_end(mut address: &str) -> &str {
    loop {
        let Some(last) = address.chars().next_back() else {
            return address;
        };
        let unbalanced = |open: char, close: char| {
            last == close && address.matches(close).count() > address.matches(open).count()
        };
        let sentence_end = matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*');
        if sentence_end || unbalanced('(', ')') || unbalanced('[', ']') {
            address = &address[..address.len() - last.len_utf8()];
        } else {
            return address;
        }
    }
}

/// The host of an address without its scheme: after any `user@`, before
/// the port, path, query or fragment.
fn host_of(address: &str) -> &str {
    let end = address.find(['/', '?', '#']).unwrap_or(address.len());
    let authority = &address[..end];
    let host = authority.rsplit('@').next().unwrap_or(authority);
    host.split(':').next().unwrap_or(host)
}

/// A host worth linking: labels of letters, digits and `-`; a bare `www.`
/// address needs a name after `www.`.
fn valid_host(host: &str, bare_www: bool) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    let well_formed = !host.is_empty()
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'));
    well_formed && (!bare_www || labels.len() >= 3)
}

/// `host` with each label that has non-ASCII letters in punycode
/// (`xn--...`), lower-cased. Hand-written (RFC 3492's encoder) rather than
/// the `idna` crate: with `idna` the browser bundle's WASM was 444,173 B
/// (brotli, `benches/run bundle`), with this 398,610 B (390,867 B without
/// links at all): 46 KB of Unicode tables that showing a look-alike host
/// for what it is does not need.
pub fn domain_to_ascii(host: &str) -> Option<String> {
    let labels: Option<Vec<String>> = host
        .split('.')
        .map(|label| {
            let label = label.to_lowercase();
            if label.is_ascii() {
                Some(label)
            } else {
                punycode::encode(&label).map(|encoded| format!("xn--{encoded}"))
            }
        })
        .collect();
    Some(labels?.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (message, the links found in it: (text, href, title)).
    type Case = (
        &'static str,
        &'static [(&'static str, &'static str, Option<&'static str>)],
    );

    const CASES: &[Case] = &[
        ("no links here", &[]),
        (
            "see https://example.com",
            &[("https://example.com", "https://example.com", None)],
        ),
        (
            "HTTP://EXAMPLE.COM/a?b=c#d",
            &[(
                "HTTP://EXAMPLE.COM/a?b=c#d",
                "HTTP://EXAMPLE.COM/a?b=c#d",
                None,
            )],
        ),
        (
            "go to www.example.com.",
            &[("www.example.com", "https://www.example.com", None)],
        ),
        (
            "https://example.com, then",
            &[("https://example.com", "https://example.com", None)],
        ),
        (
            "(see https://example.com)",
            &[("https://example.com", "https://example.com", None)],
        ),
        (
            "https://en.wikipedia.org/wiki/Mercury_(planet)",
            &[(
                "https://en.wikipedia.org/wiki/Mercury_(planet)",
                "https://en.wikipedia.org/wiki/Mercury_(planet)",
                None,
            )],
        ),
        (
            "(https://en.wikipedia.org/wiki/Mercury_(planet))!",
            &[(
                "https://en.wikipedia.org/wiki/Mercury_(planet)",
                "https://en.wikipedia.org/wiki/Mercury_(planet)",
                None,
            )],
        ),
        (
            "\"https://example.com/q\"",
            &[("https://example.com/q", "https://example.com/q", None)],
        ),
        ("javascript:alert(1)", &[]),
        ("data:text/html,<script>alert(1)</script>", &[]),
        ("javascript:https://example.com", &[]),
        ("https:// nothing", &[]),
        ("https://", &[]),
        ("www.", &[]),
        ("www.example", &[]),
        ("mail me: me@www.example.com", &[]),
        ("xwww.example.com", &[]),
        (
            "<https://example.com>",
            &[("https://example.com", "https://example.com", None)],
        ),
        (
            "https://pаypal.com/login",
            &[(
                "https://pаypal.com/login",
                "https://pаypal.com/login",
                Some("https://xn--pypal-4ve.com/login"),
            )],
        ),
        ("https://bad_host.com", &[]),
        (
            "two: http://a.org and https://b.org/x.",
            &[
                ("http://a.org", "http://a.org", None),
                ("https://b.org/x", "https://b.org/x", None),
            ],
        ),
        (
            "https://user@example.com:8080/p",
            &[(
                "https://user@example.com:8080/p",
                "https://user@example.com:8080/p",
                None,
            )],
        ),
    ];

    #[test]
    fn addresses_become_links_by_the_table() {
        for (text, expected) in CASES {
            let links: Vec<(&str, String, Option<String>)> = pieces(text)
                .into_iter()
                .filter_map(|p| match p {
                    Piece::Link { text, href, title } => Some((text, href, title)),
                    Piece::Text(_) | Piece::Mention(_) => None,
                })
                .collect();
            let expected: Vec<(&str, String, Option<String>)> = expected
                .iter()
                .map(|(t, h, title)| (*t, h.to_string(), title.map(str::to_owned)))
                .collect();
            assert_eq!(links, expected, "in {text:?}");
        }
    }

    #[test]
    fn the_pieces_put_together_are_the_text() {
        for (text, _) in CASES {
            let joined: String = pieces(text)
                .into_iter()
                .map(|p| match p {
                    Piece::Text(t) | Piece::Mention(t) | Piece::Link { text: t, .. } => t,
                })
                .collect();
            assert_eq!(&joined, text);
        }
    }

    #[test]
    fn hosts_with_non_latin_letters_read_in_punycode() {
        assert_eq!(
            domain_to_ascii("pаypal.com").as_deref(),
            Some("xn--pypal-4ve.com")
        );
        assert_eq!(
            domain_to_ascii("Bücher.example").as_deref(),
            Some("xn--bcher-kva.example")
        );
        assert_eq!(
            domain_to_ascii("münchen.de").as_deref(),
            Some("xn--mnchen-3ya.de")
        );
        assert_eq!(
            domain_to_ascii("例え.テスト").as_deref(),
            Some("xn--r8jz45g.xn--zckzah")
        );
        assert_eq!(
            domain_to_ascii("example.com").as_deref(),
            Some("example.com")
        );
    }

    #[test]
    fn a_very_long_address_is_one_link() {
        let long = format!("https://example.com/{}", "a".repeat(3000));
        assert!(matches!(pieces(&long)[..], [Piece::Link { .. }]));
    }
}
