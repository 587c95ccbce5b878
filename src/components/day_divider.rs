//! A day divider in the conversation: "Today", "Yesterday" or "Monday, 23
//! November 2026" in the middle of an etched line, as Win98 draws a group
//! box's edge. A heading, so screen readers can jump from day to day; the
//! announcer never reads it out (it is not a message).

use leptos::prelude::*;

use crate::client::time_zone::use_reader_time;
use crate::times::{day_label, Date};

#[component]
pub fn DayDivider(day: Date) -> impl IntoView {
    let time = use_reader_time();
    // "Today" turns into "Yesterday" at the reader's midnight.
    let label = move || day_label(day, time.today.get());
    view! {
        <li class="day-divider">
            <h2 class="day-divider-label">
                <time datetime=day.iso()>{label}</time>
            </h2>
        </li>
    }
}
