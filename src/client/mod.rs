//! Browser code that is not a view: the conversation's model
//! (`conversation`), the live connection that feeds it (`live`), editing,
//! deleting and banning (`message_changes`), sending
//! over the REST API while that connection is down (`rest_fallback`), the
//! page's first messages as its data script carries them (`page_history`), and
//! the reader's time zone (`time_zone`, read through the browser's `intl`).
//! The views in `components/` read their signals; nothing here renders.

pub mod alerts;
pub mod conversation;
#[cfg(feature = "hydrate")]
pub mod intl;
pub mod live;
pub mod mention_completion;
pub mod message_changes;
pub mod page_history;
pub mod preferences;
pub mod rest_fallback;
pub mod time_zone;
pub mod unread;
