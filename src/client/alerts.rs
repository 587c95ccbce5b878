//! The chime and desktop notifications for messages from others, as the
//! reader's preferences ask: the chime plays only while the tab is hidden or
//! for a message that mentions the reader; a notification shows only while
//! the tab is hidden, says who and what (the first 100 characters), and
//! clicking it brings the tab back. Never for the reader's own messages.
//!
//! The chime is synthesized with WebAudio (two bell-like notes, a little
//! like Windows 98's "ding"; no recorded Windows sound is shipped). Browsers
//! only let a page make sound after the user has clicked or typed in it, so
//! the audio starts with the first click or key press (`allow_sound`);
//! until then the page stays silent rather than asking and being refused.

use super::conversation::Conversation;
use crate::types::{Alerts, ChatMessage, Preferences};

/// How many characters of a message a notification shows.
pub const NOTIFICATION_CHARS: usize = 100;

/// What a batch of arrivals calls for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Calls {
    pub chime: bool,
    /// The message to show as a desktop notification: the newest one the
    /// preference covers.
    pub notify: Option<ChatMessage>,
}

/// What `arrived` calls for, given whether the tab is `hidden`.
/// `mentions_me` tells a message from someone else that mentions the reader.
pub fn calls(
    arrived: &[ChatMessage],
    me: i64,
    mentions_me: impl Fn(&ChatMessage) -> bool,
    hidden: bool,
    prefs: &Preferences,
) -> Calls {
    let others = arrived.iter().filter(|m| m.user.id != me);
    let mut calls = Calls::default();
    for m in others {
        let mention = mentions_me(m);
        if prefs.sound.covers(mention) && (hidden || mention) {
            calls.chime = true;
        }
        if hidden && prefs.notifications.covers(mention) {
            calls.notify = Some(m.clone());
        }
    }
    calls
}

/// A notification's title and body: who, and what (trimmed).
pub fn notification_text(message: &ChatMessage) -> (String, String) {
    let text: String = message
        .content
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let body = if text.chars().count() > NOTIFICATION_CHARS {
        let cut: String = text.chars().take(NOTIFICATION_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    } else {
        text
    };
    (message.user.username.clone(), body)
}

/// Whether turning notifications from `before` to `after` needs the
/// browser's permission (asked only then, never at page load).
pub fn needs_permission(before: Alerts, after: Alerts) -> bool {
    before == Alerts::Off && after != Alerts::Off
}

/// Plays and shows what `arrived` calls for (browser only).
pub fn on_arrival(
    conversation: Conversation,
    arrived: &[ChatMessage],
    hidden: bool,
    prefs: &Preferences,
) {
    let calls = calls(
        arrived,
        conversation.me,
        |m| conversation.mentions_me(m),
        hidden,
        prefs,
    );
    #[cfg(feature = "hydrate")]
    {
        if calls.chime {
            browser::chime();
        }
        if let Some(message) = &calls.notify {
            browser::notify(message);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = calls;
}

/// Readies the chime at the user's first click or key press on the page.
pub fn allow_sound() {
    #[cfg(feature = "hydrate")]
    browser::allow_sound();
}

/// Asks the browser for permission to show notifications; true if granted.
#[cfg(feature = "hydrate")]
pub async fn ask_permission() -> bool {
    browser::ask_permission().await
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;

    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{
        AudioContext, Notification, NotificationOptions, NotificationPermission, OscillatorType,
    };

    use super::notification_text;
    use crate::types::ChatMessage;

    thread_local! {
        /// One audio context for the page (browsers limit how many there are).
        static AUDIO: RefCell<Option<AudioContext>> = const { RefCell::new(None) };
    }

    pub fn allow_sound() {
        let start = Closure::<dyn FnMut()>::new(|| {
            AUDIO.with(|audio| {
                let mut audio = audio.borrow_mut();
                if audio.is_none() {
                    *audio = AudioContext::new().ok();
                }
            });
        });
        let document = leptos::prelude::document();
        let options = web_sys::AddEventListenerOptions::new();
        options.set_once(true);
        options.set_capture(true);
        for event in ["pointerdown", "keydown"] {
            let _ = document.add_event_listener_with_callback_and_add_event_listener_options(
                event,
                start.as_ref().unchecked_ref(),
                &options,
            );
        }
        // Lives as long as the page (it runs at most twice).
        start.forget();
    }

    /// Two short notes, E6 then B5, each a sine with a fast bell-like decay.
    pub fn chime() {
        AUDIO.with(|audio| {
            let audio = audio.borrow();
            let Some(ctx) = audio.as_ref() else { return };
            let start = ctx.current_time();
            let _ = note(ctx, 1318.5, start, 0.35);
            let _ = note(ctx, 987.8, start + 0.12, 0.5);
        });
    }

    fn note(
        ctx: &AudioContext,
        hz: f32,
        at: f64,
        length: f64,
    ) -> Result<(), wasm_bindgen::JsValue> {
        let osc = ctx.create_oscillator()?;
        osc.set_type(OscillatorType::Sine);
        osc.frequency().set_value(hz);
        let gain = ctx.create_gain()?;
        gain.gain().set_value_at_time(0.0, at)?;
        gain.gain().linear_ramp_to_value_at_time(0.25, at + 0.01)?;
        gain.gain()
            .exponential_ramp_to_value_at_time(0.001, at + length)?;
        osc.connect_with_audio_node(&gain)?;
        gain.connect_with_audio_node(&ctx.destination())?;
        osc.start_with_when(at)?;
        osc.stop_with_when(at + length)?;
        Ok(())
    }

    /// Shows `message` as a desktop notification, if permitted; clicking it
    /// brings the tab back.
    pub fn notify(message: &ChatMessage) {
        if Notification::permission() != NotificationPermission::Granted {
            return;
        }
        let (title, body) = notification_text(message);
        let options = NotificationOptions::new();
        options.set_body(&body);
        options.set_tag("chat98");
        let Ok(shown) = Notification::new_with_options(&title, &options) else {
            return;
        };
        let target = shown.clone();
        let on_click = Closure::<dyn FnMut()>::new(move || {
            let _ = leptos::prelude::window().focus();
            target.close();
        });
        shown.set_onclick(Some(on_click.as_ref().unchecked_ref()));
        // The notification keeps its handler as long as it lives.
        on_click.forget();
    }

    pub async fn ask_permission() -> bool {
        if Notification::permission() == NotificationPermission::Granted {
            return true;
        }
        let Ok(promise) = Notification::request_permission() else {
            return false;
        };
        let answer = wasm_bindgen_futures::JsFuture::from(promise).await;
        answer.ok().and_then(|v| v.as_string()).as_deref() == Some("granted")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(author: i64, content: &str, mentions: &[&str]) -> ChatMessage {
        let mut m = ChatMessage::sample(1, author, content);
        m.user.username = "alice".into();
        m.mentions = mentions.iter().map(|m| m.to_string()).collect();
        m
    }

    fn prefs(sound: Alerts, notifications: Alerts) -> Preferences {
        Preferences {
            sound,
            notifications,
            show_typing: true,
        }
    }

    fn calls_for(m: &ChatMessage, hidden: bool, p: &Preferences) -> (bool, bool) {
        let c = calls(
            std::slice::from_ref(m),
            1,
            |m| m.mentions_user("me"),
            hidden,
            p,
        );
        (c.chime, c.notify.is_some())
    }

    #[test]
    fn alerts_follow_the_preferences() {
        let plain = message(2, "hello", &[]);
        let mention = message(2, "hi @me", &["me"]);
        let own = message(1, "hi @me", &["me"]);
        let all = prefs(Alerts::All, Alerts::All);
        let mentions = prefs(Alerts::Mentions, Alerts::Mentions);
        let off = prefs(Alerts::Off, Alerts::Off);
        // (message, hidden, preferences) -> (chime, notification)
        assert_eq!(calls_for(&plain, true, &all), (true, true));
        assert_eq!(
            calls_for(&plain, false, &all),
            (false, false),
            "visible: nothing"
        );
        assert_eq!(
            calls_for(&mention, false, &mentions),
            (true, false),
            "a mention chimes"
        );
        assert_eq!(calls_for(&plain, true, &mentions), (false, false));
        assert_eq!(calls_for(&mention, true, &mentions), (true, true));
        assert_eq!(calls_for(&mention, true, &off), (false, false));
        assert_eq!(
            calls_for(&own, true, &all),
            (false, false),
            "never your own"
        );
    }

    #[test]
    fn a_notification_says_who_and_what_in_100_characters() {
        let long = message(2, &format!("{}\n\nend", "word ".repeat(40)), &[]);
        let (title, body) = notification_text(&long);
        assert_eq!(title, "alice");
        assert_eq!(body.chars().count(), NOTIFICATION_CHARS);
        assert!(body.ends_with('…'));
        assert_eq!(notification_text(&message(2, "a\n b", &[])).1, "a b");
    }

    #[test]
    fn permission_is_asked_only_when_turning_notifications_on() {
        assert!(needs_permission(Alerts::Off, Alerts::Mentions));
        assert!(!needs_permission(Alerts::Mentions, Alerts::All));
        assert!(!needs_permission(Alerts::All, Alerts::Off));
    }
}
