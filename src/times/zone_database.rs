//! Readings in a named zone from the zone database (chrono-tz), for the
//! server's rendering. Server only: the browser reads its own through `Intl`
//! (`client::intl`), so no zone database reaches the WASM bundle.

use std::str::FromStr;

use chrono::{Datelike, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use super::{plausible_zone_name, Date, Local};

/// The zone `name` names, spelled as the database spells it, if it knows it.
pub fn checked(name: &str) -> Option<String> {
    if !plausible_zone_name(name) {
        return None;
    }
    Tz::from_str(name).ok().map(|tz| tz.name().to_owned())
}

/// What the wall clock in `zone` reads `ms` after the epoch, if the zone is
/// known.
pub fn local(ms: u64, zone: &str) -> Option<Local> {
    let tz = Tz::from_str(zone).ok()?;
    let instant = Utc
        .timestamp_millis_opt(i64::try_from(ms).ok()?)
        .single()?
        .with_timezone(&tz);
    Some(Local {
        date: Date {
            year: instant.year(),
            month: instant.month() as u8,
            day: instant.day() as u8,
        },
        hour: instant.hour() as u8,
        minute: instant.minute() as u8,
        second: instant.second().min(59) as u8,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::times::{day_label, stamp_ms, utc, with_day_dividers, Row};

    fn reading(stamp: &str, zone: &str) -> Local {
        local(stamp_ms(stamp).expect(stamp), zone).expect(zone)
    }

    fn wall(local: Local) -> String {
        format!(
            "{} {:02}:{:02}:{:02}",
            local.date.iso(),
            local.hour,
            local.minute,
            local.second
        )
    }

    #[test]
    fn readings_in_zones_far_from_utc_and_across_dst() {
        let table = [
            // +14 and -11: the same instant on three different days.
            (
                "2026-11-23T10:00:00Z",
                "Pacific/Kiritimati",
                "2026-11-24 00:00:00",
            ),
            (
                "2026-11-23T09:59:59Z",
                "Pacific/Kiritimati",
                "2026-11-23 23:59:59",
            ),
            (
                "2026-11-23T10:00:00Z",
                "Pacific/Pago_Pago",
                "2026-11-22 23:00:00",
            ),
            (
                "2026-11-23T11:00:00Z",
                "Pacific/Pago_Pago",
                "2026-11-23 00:00:00",
            ),
            // Quarter and half hours.
            (
                "2026-11-23T18:14:59Z",
                "Asia/Kathmandu",
                "2026-11-23 23:59:59",
            ),
            (
                "2026-11-23T18:15:00Z",
                "Asia/Kathmandu",
                "2026-11-24 00:00:00",
            ),
            (
                "2026-11-23T13:30:00Z",
                "Australia/Lord_Howe",
                "2026-11-24 00:30:00",
            ),
            // Berlin's spring-forward and fall-back (last Sundays of March and October).
            (
                "2026-03-29T00:59:59Z",
                "Europe/Berlin",
                "2026-03-29 01:59:59",
            ),
            (
                "2026-03-29T01:00:00Z",
                "Europe/Berlin",
                "2026-03-29 03:00:00",
            ),
            (
                "2026-10-25T00:59:59Z",
                "Europe/Berlin",
                "2026-10-25 02:59:59",
            ),
            (
                "2026-10-25T01:00:00Z",
                "Europe/Berlin",
                "2026-10-25 02:00:00",
            ),
            // New York: midnight in summer and in winter time.
            (
                "2026-07-01T04:00:00Z",
                "America/New_York",
                "2026-07-01 00:00:00",
            ),
            (
                "2026-12-01T05:00:00Z",
                "America/New_York",
                "2026-12-01 00:00:00",
            ),
            ("2026-11-23T20:15:03.9Z", "UTC", "2026-11-23 20:15:03"),
        ];
        for (stamp, zone, expected) in table {
            assert_eq!(wall(reading(stamp, zone)), expected, "{stamp} in {zone}");
        }
    }

    #[test]
    fn utc_arithmetic_agrees_with_the_zone_database() {
        for stamp in [
            "1970-01-01T00:00:00Z",
            "2000-02-29T23:59:59Z",
            "2026-11-23T20:15:03Z",
            "2026-12-31T23:59:59Z",
            "2099-03-01T00:00:00Z",
        ] {
            let ms = stamp_ms(stamp).expect(stamp);
            assert_eq!(Some(utc(ms)), local(ms, "UTC"), "{stamp}");
        }
    }

    #[test]
    fn the_dividers_follow_the_readers_midnight() {
        // Three messages around 10:00 UTC: midnight in Kiritimati (+14).
        let stamps = [
            "2026-11-23T09:50:00Z",
            "2026-11-23T10:10:00Z",
            "2026-11-24T10:30:00Z",
        ];
        let labels = |zone: &str, today: Date| -> Vec<String> {
            let day_of = |s: &&str| local(stamp_ms(s)?, zone).map(|l| l.date);
            with_day_dividers(stamps, day_of)
                .into_iter()
                .map(|row| match row {
                    Row::Day(day) => day_label(day, today),
                    Row::Item(s) => wall(reading(s, zone))[11..16].to_string(),
                })
                .collect()
        };
        let day = |d| Date {
            year: 2026,
            month: 11,
            day: d,
        };
        assert_eq!(
            labels("Pacific/Kiritimati", day(25)),
            [
                "Monday, 23 November 2026",
                "23:50",
                "Yesterday",
                "00:10",
                "Today",
                "00:30"
            ]
        );
        assert_eq!(
            labels("UTC", day(24)),
            ["Yesterday", "09:50", "10:10", "Today", "10:30"]
        );
        assert_eq!(
            labels("Pacific/Pago_Pago", day(23)),
            ["Yesterday", "22:50", "23:10", "Today", "23:30"]
        );
    }

    #[test]
    fn only_known_zones_are_believed() {
        let table = [
            ("Europe/Berlin", Some("Europe/Berlin")),
            ("Pacific/Kiritimati", Some("Pacific/Kiritimati")),
            ("UTC", Some("UTC")),
            ("Europe/Nowhere", None),
            ("europe/berlin", None),
            ("", None),
        ];
        for (name, expected) in table {
            assert_eq!(checked(name).as_deref(), expected, "{name}");
        }
        assert_eq!(checked(&format!("Europe/{}", "A".repeat(200))), None);
    }
}
