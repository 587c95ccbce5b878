//! Changing messages from the chat window: which actions a message offers
//! the signed-in user, what is open (the context menu, an inline editor, a
//! dialog), and the calls to the server functions that edit, delete and ban.
//! The server checks every rule again; these only decide what to offer.

use leptos::prelude::*;

use crate::client::conversation::{now_ms, Conversation};
use crate::error::ChatError;
use crate::server_fns::{ban_user, delete_message, edit_message};
use crate::types::{Ban, ChatMessage};

/// One item of a message's context menu.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageAction {
    Edit,
    Delete,
    Ban,
}

impl MessageAction {
    pub fn label(self) -> &'static str {
        match self {
            MessageAction::Edit => "Edit",
            MessageAction::Delete => "Delete",
            MessageAction::Ban => "Ban user...",
        }
    }
}

/// The open context menu: for which message, where (viewport pixels), and
/// what it offers.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenMenu {
    pub message: ChatMessage,
    pub x: i32,
    pub y: i32,
    pub items: Vec<MessageAction>,
}

/// The open dialog of the chat window.
#[derive(Clone, Debug, PartialEq)]
pub enum MessageDialog {
    ConfirmDelete(ChatMessage),
    Ban(ChatMessage),
}

/// What is open, page-wide: one menu, one editor, one dialog at a time.
#[derive(Clone, Copy)]
pub struct MessageActions {
    pub conversation: Conversation,
    pub menu: RwSignal<Option<OpenMenu>>,
    /// The id of the message whose text is in an editor.
    pub editing: RwSignal<Option<i64>>,
    pub dialog: RwSignal<Option<MessageDialog>>,
    /// When the page was rendered (ms since the epoch), the same on the
    /// server and in the browser: the links shown without JavaScript depend
    /// on it, and hydration must draw what the server drew.
    pub rendered_at_ms: u64,
}

impl MessageActions {
    pub fn new(conversation: Conversation, rendered_at_ms: u64) -> Self {
        let actions = MessageActions {
            conversation,
            menu: RwSignal::new(None),
            editing: RwSignal::new(None),
            dialog: RwSignal::new(None),
            rendered_at_ms,
        };
        actions.close_when_deleted();
        actions
    }

    /// A message deleted elsewhere (by a moderator, in another tab) takes
    /// its menu, editor and delete question with it: acting on it could
    /// only fail. (A ban dialog stays: the ban still makes sense.)
    fn close_when_deleted(self) {
        let messages = self.conversation.messages;
        Effect::new(move |_| {
            let shown = |id: i64| messages.with(|m| m.iter().any(|m| m.id == id));
            let menu = self.menu.with(|m| m.as_ref().map(|m| m.message.id));
            if menu.is_some_and(|id| !shown(id)) {
                self.menu.set(None);
            }
            if self.editing.get().is_some_and(|id| !shown(id)) {
                self.editing.set(None);
            }
            let asked = self.dialog.with(|d| match d {
                Some(MessageDialog::ConfirmDelete(m)) => Some(m.id),
                _ => None,
            });
            if asked.is_some_and(|id| !shown(id)) {
                self.dialog.set(None);
            }
        });
    }

    /// What the user may do to `message` at `now_ms`, in menu order.
    pub fn offered(&self, message: &ChatMessage, now_ms: u64) -> Vec<MessageAction> {
        let c = &self.conversation;
        let mut items = Vec::new();
        if c.may_edit(message, now_ms) {
            items.push(MessageAction::Edit);
        }
        if c.may_delete(message) {
            items.push(MessageAction::Delete);
        }
        if c.may_ban(message) {
            items.push(MessageAction::Ban);
        }
        items
    }

    /// Opens the menu of `message` at (`x`, `y`); false if it would be
    /// empty (then the browser's own menu may show).
    pub fn open_menu(&self, message: ChatMessage, x: i32, y: i32) -> bool {
        let items = self.offered(&message, now_ms());
        if items.is_empty() {
            return false;
        }
        self.menu.set(Some(OpenMenu {
            message,
            x,
            y,
            items,
        }));
        true
    }

    /// Runs a menu item: the menu closes, the editor or a dialog opens.
    pub fn choose(&self, action: MessageAction, message: ChatMessage) {
        self.menu.set(None);
        match action {
            MessageAction::Edit => self.editing.set(Some(message.id)),
            MessageAction::Delete => self.dialog.set(Some(MessageDialog::ConfirmDelete(message))),
            MessageAction::Ban => self.dialog.set(Some(MessageDialog::Ban(message))),
        }
    }

    /// Saves the editor's text; on success the bubble shows it.
    pub async fn save(self, id: i64, content: String) -> Result<(), ChatError> {
        let message = edit_message(id, content).await?;
        self.conversation.apply_edit(message);
        if self.editing.get_untracked() == Some(id) {
            self.editing.set(None);
        }
        Ok(())
    }

    /// Deletes a message; on success it leaves the pane at once (the
    /// socket's `deleted` frame then finds nothing to do).
    pub async fn delete(self, id: i64) -> Result<(), ChatError> {
        delete_message(id).await?;
        self.conversation.remove(id);
        Ok(())
    }

    /// Bans `username`; `duration` empty means until unbanned.
    pub async fn ban(
        self,
        username: String,
        duration: String,
        reason: String,
        purge: bool,
    ) -> Result<Ban, ChatError> {
        let duration = Some(duration).filter(|d| !d.is_empty());
        let reason = Some(reason.trim().to_owned()).filter(|r| !r.is_empty());
        ban_user(username, duration, reason, Some(purge)).await
    }
}

/// The error as one sentence for a field's place: the field's messages if
/// the server had any for `field`, else its sentence.
pub fn sentence_for(error: &ChatError, field: &str) -> String {
    let messages = error.field(field);
    if messages.is_empty() {
        error.error.clone()
    } else {
        messages.join(" ")
    }
}
