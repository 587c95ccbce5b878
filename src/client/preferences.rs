//! The signed-in user's preferences in the browser: one signal, provided as
//! context by the chat page, saved to the server on every change.

use leptos::prelude::*;

use crate::types::Preferences;

/// The preferences in effect, and how to change them.
#[derive(Clone, Copy)]
pub struct PreferencesState {
    pub current: RwSignal<Preferences>,
    /// The last save's error, in words, if it failed.
    pub error: RwSignal<Option<String>>,
}

impl PreferencesState {
    /// Provides the preferences the page was rendered with as context.
    pub fn provide(initial: Preferences) -> PreferencesState {
        let state = PreferencesState {
            current: RwSignal::new(initial),
            error: RwSignal::new(None),
        };
        provide_context(state);
        state
    }

    /// Applies `change` at once and saves the result.
    pub fn change(self, change: impl FnOnce(&mut Preferences)) {
        self.current.update(change);
        let wanted = self.current.get_untracked();
        leptos::task::spawn_local(async move {
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
        });
    }
}

/// The page's preferences (inside the chat page).
pub fn use_preferences() -> Option<PreferencesState> {
    use_context::<PreferencesState>()
}
