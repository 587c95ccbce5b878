//! Win98 widgets and the chat views built from them.

pub mod announcer;
pub mod chat_page;
pub mod composer;
pub mod context_menu;
pub mod day_divider;
pub mod focus;
pub mod form_fields;
pub mod hydrated;
pub mod log_off;
pub mod mention_list;
pub mod menu;
pub mod menu_bar;
pub mod message_box;
pub mod message_bubble;
pub mod message_dialogs;
pub mod message_editor;
pub mod message_pages;
pub mod message_pane;
pub mod message_text;
pub mod not_found;
pub mod online_pane;
pub mod options_page;
pub mod prepared_history;
pub mod sign_in_pages;
pub mod status_bar;
pub mod window;
