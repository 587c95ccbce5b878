//! Times people can read: which day a message falls on in the reader's time
//! zone, where the day dividers go and what they say, and how a time reads
//! in a bubble and in its tooltip.
//!
//! Everything here is plain arithmetic over wall-clock readings (`Local`).
//! The readings in a named zone come from the zone database on the server
//! (`zone_database`, ssr only) and from the browser's own `Intl`
//! (`client::intl`), so the WASM bundle carries no zone database; only UTC
//! is computed here.

#[cfg(feature = "ssr")]
pub mod zone_database;

/// The cookie the browser keeps the reader's zone in (an IANA name such as
/// `Europe/Berlin`), so the next server-rendered page already uses it.
pub const ZONE_COOKIE: &str = "tz";

/// How long the browser keeps that cookie: a year, in seconds.
pub const ZONE_COOKIE_MAX_AGE: u64 = 365 * 24 * 60 * 60;

/// The longest zone name considered (IANA's longest is 32 characters).
pub const MAX_ZONE_NAME: usize = 64;

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A calendar day (proleptic Gregorian). Orders as the days do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    /// 1 to 12.
    pub month: u8,
    /// 1 to 31.
    pub day: u8,
}

/// What a wall clock in some zone reads at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Local {
    pub date: Date,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl Date {
    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn days(self) -> i64 {
        let (month, day) = (i64::from(self.month), i64::from(self.day));
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year.rem_euclid(400);
        let shifted_month = if month > 2 { month - 3 } else { month + 9 };
        let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The day `days` after 1970-01-01 (Hinnant's `civil_from_days`).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted_month = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
        let month = if shifted_month < 10 {
            shifted_month + 3
        } else {
            shifted_month - 9
        };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Date {
            year: year as i32,
            month: month as u8,
            day: day as u8,
        }
    }

    /// "Monday" for a Monday (1970-01-01 was a Thursday).
    pub fn weekday(self) -> &'static str {
        WEEKDAYS[(self.days() + 3).rem_euclid(7) as usize]
    }

    /// "Monday, 23 November 2026".
    pub fn long(self) -> String {
        let month = MONTHS[usize::from(self.month.clamp(1, 12)) - 1];
        format!("{}, {} {month} {}", self.weekday(), self.day, self.year)
    }

    /// "2026-11-23", for a `<time datetime>`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The wall clock in UTC `ms` milliseconds after the epoch.
pub fn utc(ms: u64) -> Local {
    let secs = ms / 1000;
    let of_day = secs % 86_400;
    Local {
        date: Date::from_days((secs / 86_400) as i64),
        hour: (of_day / 3600) as u8,
        minute: (of_day / 60 % 60) as u8,
        second: (of_day % 60) as u8,
    }
}

/// Milliseconds since the epoch of an RFC 3339 UTC time such as
/// `2026-11-23T20:15:03.123456Z` (the form the server writes), without a
/// date library in the bundle.
pub fn stamp_ms(text: &str) -> Option<u64> {
    let num = |range: std::ops::Range<usize>| text.get(range)?.parse::<u64>().ok();
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || year < 1970 {
        return None;
    }
    // Milliseconds from the fraction, if any ("…03.123456Z").
    let millis = match text.get(19..20) {
        Some(".") => {
            let digits: String = text[20..]
                .chars()
                .take_while(char::is_ascii_digit)
                .take(3)
                .collect();
            format!("{digits:0<3}").parse::<u64>().ok()?
        }
        _ => 0,
    };
    let date = Date {
        year: year as i32,
        month: month as u8,
        day: day as u8,
    };
    let days = u64::try_from(date.days()).ok()?;
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis)
}

/// Whether `name` could be a zone name at all: short, and only the letters
/// IANA names use. (Checked before a cookie is written or looked up.)
pub fn plausible_zone_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_ZONE_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_+-".contains(&b))
}

/// A wall-clock reading from `Intl.DateTimeFormat.formatToParts` (numeric
/// year, month, day, hour, minute and second; other parts are ignored).
/// A midnight some engines write as hour 24 of the same day reads as 0.
pub fn local_from_parts<'a>(parts: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<Local> {
    let (mut year, mut month, mut day) = (None, None, None);
    let (mut hour, mut minute, mut second) = (None, None, None);
    for (kind, value) in parts {
        let slot = match kind {
            "year" => &mut year,
            "month" => &mut month,
            "day" => &mut day,
            "hour" => &mut hour,
            "minute" => &mut minute,
            "second" => &mut second,
            _ => continue,
        };
        *slot = Some(value.trim().parse::<i32>().ok()?);
    }
    let small = |v: Option<i32>, range: std::ops::RangeInclusive<i32>| {
        v.filter(|v| range.contains(v)).map(|v| v as u8)
    };
    Some(Local {
        date: Date {
            year: year?,
            month: small(month, 1..=12)?,
            day: small(day, 1..=31)?,
        },
        hour: small(hour, 0..=24)? % 24,
        minute: small(minute, 0..=59)?,
        second: small(second, 0..=60)?.min(59),
    })
}

/// What a day divider says: "Today", "Yesterday", or the weekday and date.
pub fn day_label(day: Date, today: Date) -> String {
    if day == today {
        "Today".to_string()
    } else if day.days() + 1 == today.days() {
        "Yesterday".to_string()
    } else {
        day.long()
    }
}

/// The time in a bubble: "21:15" in the reader's zone, "20:15 UTC" while
/// the zone is unknown (`zone` is `None`).
pub fn clock_text(local: Local, zone: Option<&str>) -> String {
    let clock = format!("{:02}:{:02}", local.hour, local.minute);
    match zone {
        Some(_) => clock,
        None => format!("{clock} UTC"),
    }
}

/// The tooltip: "Monday, 23 November 2026 21:15:03 (Europe/Berlin)", with
/// "(UTC)" while the zone is unknown.
pub fn full_text(local: Local, zone: Option<&str>) -> String {
    format!(
        "{} {:02}:{:02}:{:02} ({})",
        local.date.long(),
        local.hour,
        local.minute,
        local.second,
        zone.unwrap_or("UTC")
    )
}

/// A row of the conversation: a day divider or an item (a message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Row<T> {
    Day(Date),
    Item(T),
}

/// `items` (oldest first) with a divider before the first item of each day.
/// A day that is not later than the last divider's (an item whose day is
/// unknown, or stored a moment out of order across midnight) joins the day
/// above it, so each day has one divider at most.
pub fn with_day_dividers<T>(
    items: impl IntoIterator<Item = T>,
    day_of: impl Fn(&T) -> Option<Date>,
) -> Vec<Row<T>> {
    let mut rows = Vec::new();
    let mut current: Option<Date> = None;
    for item in items {
        if let Some(day) = day_of(&item).filter(|day| current.is_none_or(|c| *day > c)) {
            rows.push(Row::Day(day));
            current = Some(day);
        }
        rows.push(Row::Item(item));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    fn at(d: Date, hour: u8, minute: u8, second: u8) -> Local {
        Local {
            date: d,
            hour,
            minute,
            second,
        }
    }

    #[test]
    fn days_count_from_the_epoch_both_ways() {
        let table = [
            (date(1970, 1, 1), 0, "Thursday"),
            (date(1969, 12, 31), -1, "Wednesday"),
            (date(2000, 2, 29), 11_016, "Tuesday"),
            (date(2000, 3, 1), 11_017, "Wednesday"),
            (date(2024, 2, 29), 19_782, "Thursday"),
            (date(2026, 11, 23), 20_780, "Monday"),
            (date(2026, 12, 31), 20_818, "Thursday"),
            (date(2027, 1, 1), 20_819, "Friday"),
            (date(2100, 3, 1), 47_541, "Monday"),
        ];
        for (d, days, weekday) in table {
            assert_eq!(d.days(), days, "{d:?}");
            assert_eq!(Date::from_days(days), d, "{days}");
            assert_eq!(d.weekday(), weekday, "{d:?}");
        }
    }

    #[test]
    fn utc_readings_at_the_edges_of_a_day() {
        let table = [
            ("1970-01-01T00:00:00Z", at(date(1970, 1, 1), 0, 0, 0)),
            (
                "2026-11-23T20:15:03.123456Z",
                at(date(2026, 11, 23), 20, 15, 3),
            ),
            (
                "2026-11-23T23:59:59.999999Z",
                at(date(2026, 11, 23), 23, 59, 59),
            ),
            (
                "2026-11-24T00:00:00.000000Z",
                at(date(2026, 11, 24), 0, 0, 0),
            ),
            ("2024-02-29T12:00:00Z", at(date(2024, 2, 29), 12, 0, 0)),
            ("2026-12-31T23:59:59Z", at(date(2026, 12, 31), 23, 59, 59)),
        ];
        for (stamp, expected) in table {
            let ms = stamp_ms(stamp).expect(stamp);
            assert_eq!(utc(ms), expected, "{stamp}");
        }
    }

    #[test]
    fn timestamps_read_as_milliseconds() {
        let table = [
            ("1970-01-01T00:00:00Z", Some(0)),
            ("2000-03-01T00:00:01.5Z", Some(951_868_801_500)),
            ("2026-11-23T20:15:03.123456Z", Some(1_795_464_903_123)),
            ("1969-12-31T23:59:59Z", None),
            ("2026-13-01T00:00:00Z", None),
            ("2026-11-00T00:00:00Z", None),
            ("garbled", None),
            ("", None),
        ];
        for (text, expected) in table {
            assert_eq!(stamp_ms(text), expected, "{text}");
        }
    }

    #[test]
    fn labels_say_today_yesterday_or_the_date() {
        let today = date(2026, 11, 25);
        let table = [
            (date(2026, 11, 25), "Today"),
            (date(2026, 11, 24), "Yesterday"),
            (date(2026, 11, 23), "Monday, 23 November 2026"),
            // A day ahead of the reader's (a skewed clock) is named, not "Today".
            (date(2026, 11, 26), "Thursday, 26 November 2026"),
            (date(2025, 11, 25), "Tuesday, 25 November 2025"),
        ];
        for (day, label) in table {
            assert_eq!(day_label(day, today), label, "{day:?}");
        }
        // Yesterday across the turn of a month and of a year.
        assert_eq!(day_label(date(2026, 2, 28), date(2026, 3, 1)), "Yesterday");
        assert_eq!(day_label(date(2024, 2, 29), date(2024, 3, 1)), "Yesterday");
        assert_eq!(day_label(date(2026, 12, 31), date(2027, 1, 1)), "Yesterday");
    }

    #[test]
    fn times_read_with_or_without_a_zone() {
        let reading = at(date(2026, 11, 23), 21, 5, 3);
        let table = [
            (
                Some("Europe/Berlin"),
                "21:05",
                "Monday, 23 November 2026 21:05:03 (Europe/Berlin)",
            ),
            (
                Some("UTC"),
                "21:05",
                "Monday, 23 November 2026 21:05:03 (UTC)",
            ),
            (None, "21:05 UTC", "Monday, 23 November 2026 21:05:03 (UTC)"),
        ];
        for (zone, clock, full) in table {
            assert_eq!(clock_text(reading, zone), clock, "{zone:?}");
            assert_eq!(full_text(reading, zone), full, "{zone:?}");
        }
        assert_eq!(date(2026, 1, 5).iso(), "2026-01-05");
    }

    #[test]
    fn intl_parts_become_a_reading() {
        let parts = |hour: &'static str| {
            vec![
                ("month", "11"),
                ("literal", "/"),
                ("day", "24"),
                ("literal", "/"),
                ("year", "2026"),
                ("literal", ", "),
                ("hour", hour),
                ("literal", ":"),
                ("minute", "05"),
                ("literal", ":"),
                ("second", "09"),
            ]
        };
        let table = [
            ("00", Some(at(date(2026, 11, 24), 0, 5, 9))),
            ("24", Some(at(date(2026, 11, 24), 0, 5, 9))),
            ("23", Some(at(date(2026, 11, 24), 23, 5, 9))),
            ("25", None),
            ("x", None),
        ];
        for (hour, expected) in table {
            assert_eq!(local_from_parts(parts(hour)), expected, "hour {hour}");
        }
        assert_eq!(local_from_parts([("year", "2026"), ("month", "1")]), None);
    }

    #[test]
    fn only_plausible_zone_names_pass() {
        let table = [
            ("Europe/Berlin", true),
            ("America/Argentina/ComodRivadavia", true),
            ("Etc/GMT+14", true),
            ("America/Port-au-Prince", true),
            ("UTC", true),
            ("", false),
            ("Europe/Berlin; Path=/", false),
            ("../../etc/passwd", false),
            ("Europe/Berlin\u{0}", false),
            (&"A".repeat(MAX_ZONE_NAME + 1), false),
        ];
        for (name, plausible) in table {
            assert_eq!(plausible_zone_name(name), plausible, "{name}");
        }
    }

    #[test]
    fn dividers_go_before_the_first_item_of_each_day() {
        let (d1, d2, d3) = (date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25));
        // (each item's day, the rows expected, items by their index)
        type Case = (Vec<Option<Date>>, Vec<Row<usize>>);
        let table: Vec<Case> = vec![
            (vec![], vec![]),
            (vec![Some(d1)], vec![Row::Day(d1), Row::Item(0)]),
            (
                vec![Some(d1), Some(d1), Some(d2), Some(d3), Some(d3)],
                vec![
                    Row::Day(d1),
                    Row::Item(0),
                    Row::Item(1),
                    Row::Day(d2),
                    Row::Item(2),
                    Row::Day(d3),
                    Row::Item(3),
                    Row::Item(4),
                ],
            ),
            // A gap of days: one divider, for the day that has messages.
            (
                vec![Some(d1), Some(d3)],
                vec![Row::Day(d1), Row::Item(0), Row::Day(d3), Row::Item(1)],
            ),
            // Out of order across midnight: joins the day above, no second d2.
            (
                vec![Some(d2), Some(d1), Some(d2)],
                vec![Row::Day(d2), Row::Item(0), Row::Item(1), Row::Item(2)],
            ),
            // Unknown days join the day above.
            (
                vec![None, Some(d1), None],
                vec![Row::Item(0), Row::Day(d1), Row::Item(1), Row::Item(2)],
            ),
        ];
        for (days, expected) in table {
            let rows = with_day_dividers(0..days.len(), |i| days[*i]);
            assert_eq!(rows, expected, "{days:?}");
        }
    }
}
