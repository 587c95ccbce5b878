//! The chat page's history rows as prepared HTML: each row is rendered by
//! its component once and the HTML reused by every later page load that
//! shows the same row to the same kind of reader.
//!
//! A row's key holds everything its HTML is made of: the message itself (so
//! an edit, whose text and `edited_at` change, is a new key) and the facts
//! about the reader that the bubble reads (own or not, mentioned, first
//! unread, which no-JavaScript links it offers, the time zone). A deleted or
//! expired message is never asked for again, and its rows age out. So the
//! cache cannot serve a stale row; it only saves work. It is bounded in bytes
//! (keys and HTML together: `--prepared-rows-mib`), so no number of readers,
//! zones or messages can make it grow past that.
//!
//! The HTML is the component's own output, byte for byte (the browser
//! hydrates it as it would its own); `tests/it/chat_page.rs` renders pages
//! for several readers with the cache cold, warm, and on a server that
//! keeps none (the keyed list of components), and compares the bytes.

use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use quick_cache::sync::Cache;
use quick_cache::{Equivalent, Weighter};

use crate::times::Date;
use crate::types::ChatMessage;

/// One row of the history as one reader sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Row {
    /// A day divider: the day, and today (for "Today" and "Yesterday").
    Day { day: Date, today: Date },
    /// A message bubble.
    Message(Box<Bubble>),
}

/// What a message bubble's HTML depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bubble {
    pub message: ChatMessage,
    /// The reader wrote it.
    pub own: bool,
    /// Someone else's message that mentions the reader.
    pub mentions_me: bool,
    /// The first unread message: the "New messages" divider is above it.
    pub first_unread: bool,
    /// The no-JavaScript Edit and Delete links it offers.
    pub edit_link: bool,
    pub delete_link: bool,
    /// The reader's time zone (`None`: UTC, labelled).
    pub zone: Option<String>,
}

/// A row, with how the renderer asked for it: the same row rendered with
/// other flags (escaping, branch markers, its place) is other HTML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    pub row: Row,
    pub escape: bool,
    pub mark_branches: bool,
    /// The renderer's position before the row, as a number.
    pub position: u8,
}

/// A key as a page borrows it from its messages: a prepared row is found
/// without copying its message (copying each message into its key was 7 %
/// of the page's time: BENCHMARKS.md, session 15). Hashed and compared as
/// the owned key it stands for, which hashes through it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyRef<'a> {
    pub row: RowRef<'a>,
    pub escape: bool,
    pub mark_branches: bool,
    pub position: u8,
}

/// [`Row`], borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RowRef<'a> {
    Day { day: Date, today: Date },
    Message(BubbleRef<'a>),
}

/// [`Bubble`], borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BubbleRef<'a> {
    pub message: &'a ChatMessage,
    pub own: bool,
    pub mentions_me: bool,
    pub first_unread: bool,
    pub edit_link: bool,
    pub delete_link: bool,
    pub zone: Option<&'a str>,
}

impl Key {
    fn borrowed(&self) -> KeyRef<'_> {
        KeyRef {
            row: match &self.row {
                Row::Day { day, today } => RowRef::Day {
                    day: *day,
                    today: *today,
                },
                Row::Message(b) => RowRef::Message(BubbleRef {
                    message: &b.message,
                    own: b.own,
                    mentions_me: b.mentions_me,
                    first_unread: b.first_unread,
                    edit_link: b.edit_link,
                    delete_link: b.delete_link,
                    zone: b.zone.as_deref(),
                }),
            },
            escape: self.escape,
            mark_branches: self.mark_branches,
            position: self.position,
        }
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.borrowed().hash(state);
    }
}

impl Equivalent<Key> for KeyRef<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        *self == key.borrowed()
    }
}

impl RowRef<'_> {
    /// The owned row, for a row that is not prepared yet.
    pub fn to_row(self) -> Row {
        match self {
            RowRef::Day { day, today } => Row::Day { day, today },
            RowRef::Message(b) => Row::Message(Box::new(Bubble {
                message: b.message.clone(),
                own: b.own,
                mentions_me: b.mentions_me,
                first_unread: b.first_unread,
                edit_link: b.edit_link,
                delete_link: b.delete_link,
                zone: b.zone.map(str::to_string),
            })),
        }
    }
}

/// A prepared row: its HTML and the renderer's position after it.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub html: Arc<str>,
    pub position: u8,
}

/// Weighs an entry by its bytes: the HTML and the message's text.
#[derive(Clone, Copy, Debug)]
struct ByBytes;

impl Weighter<Key, Prepared> for ByBytes {
    fn weight(&self, key: &Key, prepared: &Prepared) -> u64 {
        let message = match &key.row {
            Row::Day { .. } => 0,
            Row::Message(bubble) => {
                let m = &bubble.message;
                m.content.len() + m.user.username.len() + m.timestamp.len() * 3 + 256
            }
        };
        (prepared.html.len() + message + 64) as u64
    }
}

/// The prepared rows of this process (none kept with a capacity of 0).
pub struct PreparedRows {
    cache: Option<Cache<Key, Prepared, ByBytes>>,
    /// Rows copied from the cache, and rows rendered (for `/metrics`).
    hits: AtomicU64,
    misses: AtomicU64,
}

impl std::fmt::Debug for PreparedRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (rows, bytes) = self.size();
        f.debug_struct("PreparedRows")
            .field("rows", &rows)
            .field("bytes", &bytes)
            .finish()
    }
}

impl PreparedRows {
    /// Rows up to `bytes` in all; with 0, every row is rendered each time.
    pub fn with_capacity(bytes: u64) -> Self {
        // About 1 KB per row; the estimate only sizes the cache's tables.
        let rows = usize::try_from(bytes / 1024)
            .unwrap_or(usize::MAX)
            .clamp(1, 1 << 16);
        PreparedRows {
            cache: (bytes > 0).then(|| Cache::with_weighter(rows, bytes, ByBytes)),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// Whether rows are kept at all.
    pub fn enabled(&self) -> bool {
        self.cache.is_some()
    }

    /// The row `key` if it is prepared (counted as a hit; a miss is counted
    /// when [`PreparedRows::get_or_render`] renders it).
    pub fn get(&self, key: &KeyRef<'_>) -> Option<Prepared> {
        let prepared = self.cache.as_ref()?.get(key)?;
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(prepared)
    }

    /// The row `key`, rendered by `render` if it is not prepared yet.
    pub fn get_or_render(&self, key: Key, render: impl FnOnce(&Key) -> Prepared) -> Prepared {
        let Some(cache) = &self.cache else {
            return render(&key);
        };
        if let Some(prepared) = cache.get(&key) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return prepared;
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let prepared = render(&key);
        cache.insert(key, prepared.clone());
        prepared
    }

    /// Rows copied from the cache and rows rendered into it, so far.
    pub fn hits_and_misses(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    /// How many rows are prepared, and their weight in bytes.
    pub fn size(&self) -> (usize, u64) {
        self.cache
            .as_ref()
            .map_or((0, 0), |cache| (cache.len(), cache.weight()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::UserRef;

    fn bubble(id: i64, content: &str) -> Key {
        Key {
            row: Row::Message(Box::new(Bubble {
                message: ChatMessage {
                    id,
                    user: UserRef {
                        id: 1,
                        username: "ann".into(),
                    },
                    content: content.into(),
                    timestamp: "2026-11-23T20:15:03.123456Z".into(),
                    formatted_timestamp: "2026-11-23 20:15:03".into(),
                    client_id: None,
                    edited_at: None,
                    mentions: Vec::new(),
                },
                own: false,
                mentions_me: false,
                first_unread: false,
                edit_link: false,
                delete_link: false,
                zone: None,
            })),
            escape: true,
            mark_branches: true,
            position: 1,
        }
    }

    fn html(text: &str) -> Prepared {
        Prepared {
            html: text.into(),
            position: 2,
        }
    }

    #[test]
    fn a_row_is_rendered_once_and_an_edited_one_again() {
        let rows = PreparedRows::with_capacity(1 << 20);
        let first = rows.get_or_render(bubble(1, "hi"), |_| html("<li>hi</li>"));
        let again = rows.get_or_render(bubble(1, "hi"), |_| html("<li>other</li>"));
        assert_eq!((&*first.html, &*again.html), ("<li>hi</li>", "<li>hi</li>"));
        let edited = rows.get_or_render(bubble(1, "hello"), |_| html("<li>hello</li>"));
        assert_eq!(&*edited.html, "<li>hello</li>");
        assert_eq!(rows.hits_and_misses(), (1, 2));
    }

    #[test]
    fn a_borrowed_key_finds_the_row_of_its_owned_key_and_no_other() {
        let rows = PreparedRows::with_capacity(1 << 20);
        let key = bubble(1, "hi");
        rows.get_or_render(key.clone(), |_| html("<li>hi</li>"));
        let found = rows.get(&key.borrowed()).map(|p| p.html);
        assert_eq!(found.as_deref(), Some("<li>hi</li>"));
        for other in [bubble(1, "hello"), bubble(2, "hi")] {
            assert!(rows.get(&other.borrowed()).is_none(), "{other:?}");
        }
        let mut elsewhere = key.borrowed();
        elsewhere.position = 2;
        assert!(rows.get(&elsewhere).is_none());
        let mut zoned = key.clone();
        if let Row::Message(bubble) = &mut zoned.row {
            bubble.zone = Some("Europe/Berlin".into());
        }
        assert!(rows.get(&zoned.borrowed()).is_none());
        assert_eq!(rows.hits_and_misses(), (1, 1));
    }

    #[test]
    fn the_rows_stay_within_their_bytes() {
        let rows = PreparedRows::with_capacity(64 * 1024);
        let long = "x".repeat(1000);
        for id in 0..1000 {
            rows.get_or_render(bubble(id, &long), |_| html(&long));
        }
        let (count, bytes) = rows.size();
        assert!(bytes <= 64 * 1024, "{bytes} bytes in {count} rows");
        assert!(count > 0 && count < 1000, "{count} rows");
    }
}
