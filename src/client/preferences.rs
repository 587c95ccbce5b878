//! The signed-in user's preferences in the browser: one signal, provided as
//! context by the chat page, saved to the server on every change.

use leptos::prelude::*;

use crate::types::{Alerts, Preferences};

/// Why desktop notifications stayed off.
pub const BLOCKED: &str =
    "Your browser does not allow notifications from this page. Allow them in the browser's site settings, then choose again.";

/// Whether the browser lets the page show notifications (asking if need be).
async fn permitted() -> bool {
    #[cfg(feature = "hydrate")]
    return crate::client::alerts::ask_permission().await;
    #[cfg(not(feature = "hydrate"))]
    false
}

/// The preferences in effect, and how to change them.
#[derive(Clone, Copy)]
pub struct PreferencesState {
    pub current: RwSignal<Preferences>,
    /// The last save's error, in words, if it failed.
    pub error: RwSignal<Option<String>>,
    /// Whether a save is on its way, and whether they changed since it left.
    saving: StoredValue<Saving>,
}

/// Saves go one at a time, so the server keeps the last choice: two saves
/// in flight at once could be stored in either order.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Saving {
    Idle,
    Sending,
    /// Sending, and changed since: save again once it is back.
    SendingThenAgain,
}

impl PreferencesState {
    /// Provides the preferences the page was rendered with as context.
    pub fn provide(initial: Preferences) -> PreferencesState {
        let state = PreferencesState {
            current: RwSignal::new(initial),
            error: RwSignal::new(None),
            saving: StoredValue::new(Saving::Idle),
        };
        provide_context(state);
        state
    }

    /// Applies `change` at once and saves the result. Turning desktop
    /// notifications on asks the browser's permission first (call this from
    /// the click or key press that chose it); if refused, they stay off.
    pub fn change(self, change: impl FnOnce(&mut Preferences)) {
        let before = self.current.get_untracked().notifications;
        self.current.update(change);
        let after = self.current.get_untracked().notifications;
        let ask = crate::client::alerts::needs_permission(before, after);
        leptos::task::spawn_local(async move {
            if ask && !permitted().await {
                self.current.update(|p| p.notifications = Alerts::Off);
                self.error.set(Some(BLOCKED.to_string()));
                return;
            }
            self.save().await;
        });
    }

    /// Saves the preferences in effect; if a save is already on its way,
    /// the newest ones go once it is back.
    async fn save(self) {
        if self.saving.get_value() != Saving::Idle {
            self.saving.set_value(Saving::SendingThenAgain);
            return;
        }
        loop {
            self.saving.set_value(Saving::Sending);
            let wanted = self.current.get_untracked();
            let saved = crate::server_fns::save_preferences(
                wanted.sound,
                wanted.notifications,
                wanted.show_typing.then(|| "on".to_string()),
            )
            .await;
            match saved {
                Ok(_) => self.error.set(None),
                Err(e) => self.error.set(Some(e.to_string())),
            }
            if self.saving.get_value() != Saving::SendingThenAgain {
                self.saving.set_value(Saving::Idle);
                return;
            }
        }
    }
}

/// The page's preferences (inside the chat page).
pub fn use_preferences() -> Option<PreferencesState> {
    use_context::<PreferencesState>()
}
