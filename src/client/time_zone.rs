//! The reader's time zone on the chat page, and the day it is there.
//!
//! The page renders with the zone the server read from the `tz` cookie (or
//! none: UTC, labelled), and hydrates with the same. Once hydrated the
//! browser says its own zone (`Intl`): the times switch to it in place, and
//! the cookie remembers it, so the next server-rendered page already uses it.

use leptos::prelude::*;

use crate::times::{self, Date, Local};
use crate::types::ChatMessage;

/// The zone times are shown in, and the reader's today there.
#[derive(Clone, Copy)]
pub struct ReaderTime {
    /// A zone name both sides know, or `None` while it is unknown (UTC).
    pub zone: RwSignal<Option<String>>,
    /// Today in that zone, for "Today" and "Yesterday" (changes at midnight).
    pub today: Memo<Date>,
}

impl ReaderTime {
    /// Provides the reader's time as context (see `new`).
    pub fn provide(zone: Option<String>, now_ms: Signal<u64>, rendered_at: u64) -> ReaderTime {
        let time = ReaderTime::new(zone, now_ms, rendered_at);
        provide_context(time);
        time
    }

    /// The reader's time in `zone`. `now_ms` is the page's clock (0 until it
    /// first ticks); `rendered_at` the server's clock at rendering, which
    /// both sides read, so both call the same day "Today".
    pub fn new(zone: Option<String>, now_ms: Signal<u64>, rendered_at: u64) -> ReaderTime {
        let zone = RwSignal::new(zone);
        let today = Memo::new(move |_| {
            let now = match now_ms.get() {
                0 => rendered_at,
                now => now,
            };
            zone.with(|z| reading(now, z.as_deref()).0.date)
        });
        ReaderTime { zone, today }
    }

    /// After hydration: switches to the browser's own zone (if it is not the
    /// one rendered) and remembers it in the cookie.
    pub fn adopt_browser_zone(self) {
        #[cfg(feature = "hydrate")]
        Effect::new(move |_| {
            let Some(zone) = super::intl::browser_zone()
                .filter(|z| times::plausible_zone_name(z))
                .filter(|z| super::intl::local(0, z).is_some())
            else {
                return;
            };
            remember(&zone);
            if self
                .zone
                .with_untracked(|z| z.as_deref() != Some(zone.as_str()))
            {
                self.zone.set(Some(zone));
            }
        });
    }

    /// The day `ms` falls on in the reader's zone (tracks the zone).
    pub fn day(self, ms: u64) -> Date {
        self.zone.with(|z| reading(ms, z.as_deref()).0.date)
    }

    /// The day `message` was sent on in the reader's zone, if its time can
    /// be read (tracks the zone): where the history's day dividers go.
    pub fn day_of(self, message: &ChatMessage) -> Option<Date> {
        times::stamp_ms(&message.timestamp).map(|at| self.day(at))
    }

    /// "21:15", or "20:15 UTC" while the zone is unknown (tracks the zone).
    pub fn clock(self, ms: u64) -> String {
        self.zone.with(|z| {
            let (local, zone) = reading(ms, z.as_deref());
            times::clock_text(local, zone)
        })
    }

    /// "Monday, 23 November 2026 21:15:03 (Europe/Berlin)" (tracks the zone).
    pub fn full(self, ms: u64) -> String {
        self.zone.with(|z| {
            let (local, zone) = reading(ms, z.as_deref());
            times::full_text(local, zone)
        })
    }
}

/// The reader's time on this page; outside the chat page, UTC.
pub fn use_reader_time() -> ReaderTime {
    use_context::<ReaderTime>()
        .unwrap_or_else(|| ReaderTime::new(None, Signal::stored(0), super::conversation::now_ms()))
}

/// The wall clock in `zone` at `ms`, and the zone it was read in: `None`
/// (UTC) when there is no zone or this side does not know it.
fn reading(ms: u64, zone: Option<&str>) -> (Local, Option<&str>) {
    match zone.and_then(|name| convert(ms, name).map(|local| (local, name))) {
        Some((local, name)) => (local, Some(name)),
        None => (times::utc(ms), None),
    }
}

/// A reading in a named zone: the browser's `Intl`, or the server's zone
/// database while it renders.
fn convert(ms: u64, zone: &str) -> Option<Local> {
    #[cfg(feature = "hydrate")]
    return super::intl::local(ms, zone);
    #[cfg(all(feature = "ssr", not(feature = "hydrate")))]
    return crate::times::zone_database::local(ms, zone);
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        let _ = (ms, zone);
        None
    }
}

/// Keeps `zone` in the `tz` cookie for a year (Lax, like the session, and
/// `Secure` on https). Not `HttpOnly`: this script writes it.
#[cfg(feature = "hydrate")]
fn remember(zone: &str) {
    let secure = match window().location().protocol() {
        Ok(scheme) if scheme == "https:" => "; Secure",
        _ => "",
    };
    let cookie = format!(
        "{}={zone}; Path=/; Max-Age={}; SameSite=Lax{secure}",
        times::ZONE_COOKIE,
        times::ZONE_COOKIE_MAX_AGE
    );
    // `document.cookie = ...` (through Reflect: no web-sys feature needed).
    let _ = leptos::web_sys::js_sys::Reflect::set(&document(), &"cookie".into(), &cookie.into());
}
