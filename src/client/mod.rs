//! Browser code that is not a view: the conversation's model
//! (`conversation`), the live connection that feeds it (`live`), editing,
//! deleting and banning (`message_changes`), and sending
//! over the REST API while that connection is down (`rest_fallback`). The
//! views in `components/` read their signals; nothing here renders.

pub mod alerts;
pub mod conversation;
pub mod live;
pub mod mention_completion;
pub mod message_changes;
pub mod preferences;
pub mod rest_fallback;
pub mod unread;
