//! Calendar dates and times of day as LSP writes them (`2025.01.31`, `08:00`, `23:59:59`).
//!
//! Plain values with validation and the little calendar arithmetic schedules need (weekday of a
//! date, the next day). No clock is read here: the host supplies local date and time.

use core::fmt;

/// A calendar date (proleptic Gregorian), written `YYYY.MM.DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, 0–9999.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day of month, 1–28/29/30/31.
    pub day: u8,
}

/// Day of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    /// Monday (`MON`).
    Mon,
    /// Tuesday (`TUE`).
    Tue,
    /// Wednesday (`WED`).
    Wed,
    /// Thursday (`THU`).
    Thu,
    /// Friday (`FRI`).
    Fri,
    /// Saturday (`SAT`).
    Sat,
    /// Sunday (`SUN`).
    Sun,
}

impl Weekday {
    /// All days, Monday first (the order of the bits in [`crate::policy::Schedule::days`]).
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];
    /// The LSP spelling (`MON` …).
    pub const fn lsp_name(self) -> &'static str {
        match self {
            Weekday::Mon => "MON",
            Weekday::Tue => "TUE",
            Weekday::Wed => "WED",
            Weekday::Thu => "THU",
            Weekday::Fri => "FRI",
            Weekday::Sat => "SAT",
            Weekday::Sun => "SUN",
        }
    }
    /// Bit of this day in a day mask (Monday = bit 0).
    pub const fn bit(self) -> u8 {
        1 << (self as u8)
    }
    /// The day before.
    pub const fn pred(self) -> Weekday {
        Weekday::ALL[(self as usize + 6) % 7]
    }
}

const fn is_leap(y: u32) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

const fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A date if `year.month.day` exists in the calendar.
    pub const fn new(year: u32, month: u32, day: u32) -> Option<Date> {
        if year > 9999 || month == 0 || month > 12 || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        })
    }

    /// Days since 1970-01-01 (negative before).
    pub const fn days_since_epoch(self) -> i64 {
        // Civil-from-days inverse (H. Hinnant's algorithm, written from its description).
        let y = self.year as i64 - if self.month <= 2 { 1 } else { 0 };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = self.month as i64;
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }

    /// The date `days` days after 1970-01-01, if within years 0–9999.
    pub const fn from_days_since_epoch(days: i64) -> Option<Date> {
        let z = days + 719468;
        let era = if z >= 0 { z } else { z - 146096 } / 146097;
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
        if y < 0 || y > 9999 {
            return None;
        }
        Date::new(y as u32, m as u32, d as u32)
    }

    /// Day of the week.
    pub const fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday (index 3 with Monday = 0).
        let d = self.days_since_epoch();
        Weekday::ALL[((d % 7 + 7 + 3) % 7) as usize]
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}.{:02}.{:02}", self.year, self.month, self.day)
    }
}

/// A time of day, written `HH:MM` or `HH:MM:SS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time {
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–59.
    pub second: u8,
}

impl Time {
    /// A time if all fields are in range.
    pub const fn new(hour: u32, minute: u32, second: u32) -> Option<Time> {
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        Some(Time {
            hour: hour as u8,
            minute: minute as u8,
            second: second as u8,
        })
    }
    /// Seconds since midnight.
    pub const fn seconds(self) -> u32 {
        self.hour as u32 * 3600 + self.minute as u32 * 60 + self.second as u32
    }
}

impl fmt::Display for Time {
    /// `HH:MM` when the seconds are zero, `HH:MM:SS` otherwise (the canonical form).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.second == 0 {
            write!(f, "{:02}:{:02}", self.hour, self.minute)
        } else {
            write!(f, "{:02}:{:02}:{:02}", self.hour, self.minute, self.second)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn calendar() {
        assert!(Date::new(2024, 2, 29).is_some());
        assert!(Date::new(2025, 2, 29).is_none());
        assert!(Date::new(1900, 2, 29).is_none());
        assert!(Date::new(2000, 2, 29).is_some());
        assert!(Date::new(2025, 4, 31).is_none());
        assert!(Date::new(2025, 13, 1).is_none());
        let d = Date::new(1970, 1, 1).unwrap();
        assert_eq!(d.days_since_epoch(), 0);
        assert_eq!(d.weekday(), Weekday::Thu);
        // 2025-01-01 was a Wednesday; 19358 days after the epoch is 2023-01-01 (a Sunday).
        assert_eq!(Date::new(2025, 1, 1).unwrap().weekday(), Weekday::Wed);
        assert_eq!(Date::new(2023, 1, 1).unwrap().days_since_epoch(), 19358);
        assert_eq!(Date::new(2023, 1, 1).unwrap().weekday(), Weekday::Sun);
        for n in [
            -700_000i64,
            -1,
            0,
            1,
            59,
            60,
            365,
            11_016,
            20_000,
            2_900_000,
        ] {
            let d = Date::from_days_since_epoch(n).unwrap();
            assert_eq!(d.days_since_epoch(), n, "{d}");
        }
    }

    #[test]
    fn times() {
        assert_eq!(Time::new(8, 0, 0).unwrap().to_string(), "08:00");
        assert_eq!(Time::new(23, 59, 59).unwrap().to_string(), "23:59:59");
        assert!(Time::new(24, 0, 0).is_none());
        assert_eq!(Time::new(1, 2, 3).unwrap().seconds(), 3723);
    }
}
