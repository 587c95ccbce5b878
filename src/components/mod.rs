//! Win98 widgets and the chat views built from them.

pub mod chat_page;
pub mod composer;
pub mod message_bubble;
pub mod message_pane;
pub mod not_found;
pub mod status_bar;
pub mod window;
