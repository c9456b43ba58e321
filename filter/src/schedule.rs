//! `Schedule` (lsp.md §5.5): when a rule is active, in host local time.
//!
//! Active ⇔ the date is within `ValidFrom..=ValidTo` ∧ the weekday is in `DaysOfWeek` ∧ the time
//! of day is in one of the `TimeOfDay` windows. A window whose end is not after its start
//! (`22:00..06:00`) wraps past midnight and belongs to the day it starts on, so both the
//! weekday and the date limits are those of the starting day. Windows include their start and
//! exclude their end.
//!
//! The civil-calendar conversion (days since 1970-01-01 ↔ year/month/day) is written here by
//! hand: it is twenty lines of integer arithmetic and no maintained `no_std` crate is needed for
//! it. This module never reads a clock; the engine passes the time in.

use alloc::vec::Vec;
use zubr_base::UnixTime;

const DAY: i64 = 86_400;

/// A calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, e.g. 2025.
    pub year: i32,
    /// Month 1..=12.
    pub month: u8,
    /// Day 1..=31.
    pub day: u8,
}

impl Date {
    /// A date if it exists in the calendar.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let d = Date { year, month, day };
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)).then_some(d)
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(self) -> i64 {
        // Shift the year to start in March so the leap day is the last day of the year.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400; // 0..=399
        let m = i64::from(self.month);
        let mp = (m + 9) % 12; // March = 0
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: year as i32,
            month,
            day,
        }
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Day of the week, `MON` = 0 … `SUN` = 6 (bit positions of [`Schedule::days`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Weekday {
    /// Monday.
    Mon = 0,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Weekday {
    /// Weekday of a day number (days since 1970-01-01, a Thursday).
    pub fn of_day(days: i64) -> Weekday {
        const W: [Weekday; 7] = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ];
        W[(days + 3).rem_euclid(7) as usize]
    }

    /// The LSP spelling (`MON` …) to a weekday.
    pub fn from_name(s: &str) -> Option<Weekday> {
        Some(match s {
            "MON" => Weekday::Mon,
            "TUE" => Weekday::Tue,
            "WED" => Weekday::Wed,
            "THU" => Weekday::Thu,
            "FRI" => Weekday::Fri,
            "SAT" => Weekday::Sat,
            "SUN" => Weekday::Sun,
            _ => return None,
        })
    }
}

/// A time-of-day window in seconds since local midnight: `start` included, `end` excluded;
/// `end <= start` wraps past midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeWindow {
    /// Start, 0..86400.
    pub start: u32,
    /// End, 0..86400.
    pub end: u32,
}

impl TimeWindow {
    /// From `HH:MM:SS` pairs.
    pub const fn hms(sh: u32, sm: u32, ss: u32, eh: u32, em: u32, es: u32) -> TimeWindow {
        TimeWindow {
            start: sh * 3600 + sm * 60 + ss,
            end: eh * 3600 + em * 60 + es,
        }
    }

    fn wraps(self) -> bool {
        self.end <= self.start
    }
}

/// A compiled `Schedule`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Schedule {
    /// LSP name (for events).
    pub name: alloc::string::String,
    /// `DaysOfWeek` as a bit mask (bit 0 = MON … bit 6 = SUN); `None` = every day.
    pub days: Option<u8>,
    /// `TimeOfDay`; empty = the whole day.
    pub windows: Vec<TimeWindow>,
    /// `ValidFrom`, inclusive.
    pub valid_from: Option<Date>,
    /// `ValidTo`, inclusive.
    pub valid_to: Option<Date>,
}

impl Schedule {
    fn day_ok(&self, day: i64) -> bool {
        if let Some(mask) = self.days
            && mask & (1 << Weekday::of_day(day) as u8) == 0
        {
            return false;
        }
        if let Some(f) = self.valid_from
            && day < f.days_since_epoch()
        {
            return false;
        }
        if let Some(t) = self.valid_to
            && day > t.days_since_epoch()
        {
            return false;
        }
        true
    }

    /// Whether the schedule is active at local time `local` (seconds since 1970-01-01 in the
    /// host's time zone, i.e. UTC seconds plus the UTC offset).
    pub fn is_active(&self, local: i64) -> bool {
        let day = local.div_euclid(DAY);
        let tod = local.rem_euclid(DAY) as u32;
        if self.windows.is_empty() {
            return self.day_ok(day);
        }
        self.windows.iter().any(|w| {
            if w.wraps() {
                (tod >= w.start && self.day_ok(day)) || (tod < w.end && self.day_ok(day - 1))
            } else {
                tod >= w.start && tod < w.end && self.day_ok(day)
            }
        })
    }

    /// The next local time after `local` at which [`Schedule::is_active`] may change: a window
    /// edge or a midnight. The engine re-evaluates schedules then.
    pub fn next_boundary(&self, local: i64) -> i64 {
        let day = local.div_euclid(DAY);
        let mut best = (day + 1) * DAY;
        for d in [day, day + 1] {
            for w in &self.windows {
                for edge in [w.start, w.end] {
                    let t = d * DAY + i64::from(edge);
                    if t > local && t < best {
                        best = t;
                    }
                }
            }
        }
        best
    }
}

/// Local seconds for a UTC time and an offset.
pub fn local_seconds(utc: UnixTime, utc_offset_secs: i32) -> i64 {
    utc.as_secs().saturating_add(i64::from(utc_offset_secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn at(y: i32, mo: u8, d: u8, h: i64, mi: i64) -> i64 {
        Date::new(y, mo, d).unwrap().days_since_epoch() * DAY + h * 3600 + mi * 60
    }

    #[test]
    fn civil_round_trip_and_weekdays() {
        assert_eq!(Date::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
        assert_eq!(Date::new(2000, 3, 1).unwrap().days_since_epoch(), 11_017);
        assert_eq!(Date::new(2025, 1, 1).unwrap().days_since_epoch(), 20_089);
        for days in -800_000..800_000i64 {
            if days % 997 != 0 {
                continue;
            }
            let d = Date::from_days_since_epoch(days);
            assert!(Date::new(d.year, d.month, d.day).is_some());
            assert_eq!(d.days_since_epoch(), days);
        }
        // 2025-01-01 was a Wednesday, 2024-02-29 a Thursday.
        assert_eq!(Weekday::of_day(20_089), Weekday::Wed);
        assert_eq!(
            Weekday::of_day(Date::new(2024, 2, 29).unwrap().days_since_epoch()),
            Weekday::Thu
        );
        assert!(Date::new(2023, 2, 29).is_none());
        assert!(Date::new(2023, 13, 1).is_none());
    }

    fn office() -> Schedule {
        Schedule {
            name: "office_hours".into(),
            days: Some(0b001_1111),
            windows: vec![
                TimeWindow::hms(8, 0, 0, 13, 0, 0),
                TimeWindow::hms(14, 0, 0, 19, 0, 0),
            ],
            valid_from: Date::new(2025, 1, 1),
            valid_to: Date::new(2026, 12, 31),
        }
    }

    #[test]
    fn office_hours() {
        let s = office();
        // Wednesday 2025-06-04.
        assert!(s.is_active(at(2025, 6, 4, 10, 0)));
        assert!(s.is_active(at(2025, 6, 4, 8, 0)));
        assert!(!s.is_active(at(2025, 6, 4, 7, 59)));
        assert!(!s.is_active(at(2025, 6, 4, 13, 30)));
        assert!(!s.is_active(at(2025, 6, 4, 13, 0)));
        assert!(!s.is_active(at(2025, 6, 4, 19, 0)));
        // Saturday.
        assert!(!s.is_active(at(2025, 6, 7, 10, 0)));
        // outside the validity dates
        assert!(!s.is_active(at(2024, 12, 31, 10, 0)));
        assert!(s.is_active(at(2026, 12, 31, 10, 0)));
        assert!(!s.is_active(at(2027, 1, 1, 10, 0)));
        assert_eq!(
            s.next_boundary(at(2025, 6, 4, 10, 0)),
            at(2025, 6, 4, 13, 0)
        );
        assert_eq!(
            s.next_boundary(at(2025, 6, 4, 19, 30)),
            at(2025, 6, 5, 0, 0)
        );
    }

    #[test]
    fn wrapping_window_belongs_to_its_start_day() {
        let s = Schedule {
            name: "nightly".into(),
            days: Some(1 << Weekday::Sun as u8),
            windows: vec![TimeWindow::hms(22, 0, 0, 6, 0, 0)],
            ..Default::default()
        };
        // Sunday 2025-06-08 23:00 and Monday 03:00 active; Monday 23:00 not.
        assert!(s.is_active(at(2025, 6, 8, 23, 0)));
        assert!(s.is_active(at(2025, 6, 9, 3, 0)));
        assert!(!s.is_active(at(2025, 6, 9, 6, 0)));
        assert!(!s.is_active(at(2025, 6, 9, 23, 0)));
        assert!(!s.is_active(at(2025, 6, 8, 3, 0)));
        // no windows: the whole day
        let all = Schedule {
            days: Some(1),
            ..Default::default()
        };
        assert!(all.is_active(at(2025, 6, 9, 0, 0)));
        assert!(!all.is_active(at(2025, 6, 10, 0, 0)));
    }
}
