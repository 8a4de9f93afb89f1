//! Date and time formats of source files, inferred from a sample or named by the user.
//!
//! | name | example | notes |
//! |---|---|---|
//! | `iso` | `2020-01-31`, `2020-01-31 09:30:00.123`, `2020-01-31T09:30:00+00:00` | an offset converts the time to UTC |
//! | `yyyymmdd` | `20200131`, `20200131 09:30`, `20200131 093000123` | QuantConnect and HistData layouts |
//! | `us` | `1/31/2020`, `01/31/2020 9:30` | month first |
//! | `epoch-s`, `epoch-ms`, `epoch-us`, `epoch-ns` | `1580428800` | seconds, milli-, micro-, nanoseconds since 1970-01-01 UTC |
//! | a strftime pattern | `%d.%m.%Y` | anything with a `%`, parsed by chrono |

use chrono::{NaiveDate, NaiveDateTime};
use oxfolio_core::time::{self, Timestamp, NANOS_PER_SECOND};

/// How the date column is written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum DateFormat {
    /// Infer from the first non-empty date cell.
    #[default]
    Auto,
    /// ISO 8601 date or date-time.
    Iso,
    /// `YYYYMMDD` with an optional time.
    Compact,
    /// `M/D/YYYY` with an optional time.
    Us,
    /// Seconds since the epoch.
    EpochSeconds,
    /// Milliseconds since the epoch.
    EpochMillis,
    /// Microseconds since the epoch.
    EpochMicros,
    /// Nanoseconds since the epoch.
    EpochNanos,
    /// A chrono strftime pattern.
    Custom(String),
}

impl DateFormat {
    /// Parses a format name (see the module table).
    pub fn parse_name(name: &str) -> Option<DateFormat> {
        Some(match name {
            "auto" => DateFormat::Auto,
            "iso" => DateFormat::Iso,
            "yyyymmdd" => DateFormat::Compact,
            "us" => DateFormat::Us,
            "epoch-s" => DateFormat::EpochSeconds,
            "epoch-ms" => DateFormat::EpochMillis,
            "epoch-us" => DateFormat::EpochMicros,
            "epoch-ns" => DateFormat::EpochNanos,
            other if other.contains('%') => DateFormat::Custom(other.to_string()),
            _ => return None,
        })
    }

    /// Guesses the format of one sample cell; `None` when nothing fits.
    pub fn infer(sample: &str) -> Option<DateFormat> {
        let s = sample.trim();
        let b = s.as_bytes();
        let all_digits = !b.is_empty() && b.iter().all(u8::is_ascii_digit);
        let candidate = if all_digits && b.len() == 8 {
            DateFormat::Compact
        } else if all_digits {
            match b.len() {
                9..=11 => DateFormat::EpochSeconds,
                12..=14 => DateFormat::EpochMillis,
                15..=17 => DateFormat::EpochMicros,
                18..=20 => DateFormat::EpochNanos,
                _ => return None,
            }
        } else if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
            DateFormat::Iso
        } else if b.len() > 9 && b[..8].iter().all(u8::is_ascii_digit) && b[8] == b' ' {
            DateFormat::Compact
        } else if s.contains('/') {
            DateFormat::Us
        } else {
            return None;
        };
        candidate.parse(s).map(|_| candidate)
    }

    /// Parses one cell to a timestamp; `None` when it does not match this format.
    pub fn parse(&self, cell: &str) -> Option<Timestamp> {
        let s = cell.trim();
        match self {
            DateFormat::Auto => DateFormat::infer(s).and_then(|f| f.parse(s)),
            DateFormat::Iso => parse_iso(s.as_bytes()),
            DateFormat::Compact => parse_compact(s.as_bytes()),
            DateFormat::Us => parse_us(s.as_bytes()),
            DateFormat::EpochSeconds => scaled(s, NANOS_PER_SECOND),
            DateFormat::EpochMillis => scaled(s, 1_000_000),
            DateFormat::EpochMicros => scaled(s, 1_000),
            DateFormat::EpochNanos => s.parse::<i64>().ok(),
            DateFormat::Custom(pattern) => parse_custom(s, pattern),
        }
    }
}

fn scaled(s: &str, factor: i64) -> Option<Timestamp> {
    s.parse::<i64>().ok()?.checked_mul(factor)
}

fn parse_custom(s: &str, pattern: &str) -> Option<Timestamp> {
    if let Ok(dt) = NaiveDateTime::parse_from_str(s, pattern) {
        return time::from_datetime(dt);
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, pattern) {
        return Some(time::from_date(d));
    }
    // A pattern without a day (monthly data such as `%Y%m`) means the first of the month.
    let has_day = ["%d", "%e", "%j", "%F", "%D", "%x"]
        .iter()
        .any(|d| pattern.contains(d));
    if has_day {
        return None;
    }
    NaiveDate::parse_from_str(&format!("{s} 01"), &format!("{pattern} %d"))
        .ok()
        .map(time::from_date)
}

/// Reads exactly `n` ASCII digits at the start of `b`.
fn digits(b: &[u8], n: usize) -> Option<u32> {
    if b.len() < n {
        return None;
    }
    let mut v = 0u32;
    for &c in &b[..n] {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// Reads 1 to `max` ASCII digits; returns the value and how many were read.
fn digits_var(b: &[u8], max: usize) -> Option<(u32, usize)> {
    let n = b
        .iter()
        .take(max)
        .take_while(|c| c.is_ascii_digit())
        .count();
    if n == 0 {
        return None;
    }
    digits(b, n).map(|v| (v, n))
}

/// Parses `HH:MM[:SS[.fff…]]` (or `HHMMSS[fff]` when `colons` is false) and a trailing
/// zone (`Z`, `+HH:MM`, `-HHMM`), returning nanoseconds after midnight in UTC.
fn parse_time(b: &[u8], colons: bool) -> Option<i64> {
    let (h, m, mut rest, mut s) = if colons {
        let (h, n) = digits_var(b, 2)?;
        let b = &b[n..];
        if b.first() != Some(&b':') {
            return None;
        }
        let m = digits(&b[1..], 2)?;
        let mut rest = &b[3..];
        let mut s = 0;
        if rest.first() == Some(&b':') {
            s = digits(&rest[1..], 2)?;
            rest = &rest[3..];
        }
        (h, m, rest, s)
    } else {
        let h = digits(b, 2)?;
        let m = digits(&b[2..], 2)?;
        let (s, rest) = match digits(&b[4..], 2) {
            Some(s) => (s, &b[6..]),
            None => (0, &b[4..]),
        };
        (h, m, rest, s)
    };
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    s = s.min(59);
    let mut nanos = i64::from(h * 3600 + m * 60 + s) * NANOS_PER_SECOND;
    // Fractional seconds: after a '.' with colons, or directly (HHMMSSmmm) without.
    let frac_start = if colons {
        (rest.first() == Some(&b'.')).then_some(1)
    } else {
        (!rest.is_empty() && rest[0].is_ascii_digit()).then_some(0)
    };
    if let Some(skip) = frac_start {
        let f = &rest[skip..];
        let n = f.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        let mut frac = 0i64;
        for (k, &c) in f[..n].iter().enumerate() {
            if k < 9 {
                frac = frac * 10 + i64::from(c - b'0');
            }
        }
        for _ in n..9 {
            frac *= 10;
        }
        nanos += frac;
        rest = &f[n..];
    }
    let offset = parse_offset(rest)?;
    Some(nanos - offset)
}

/// A zone suffix in nanoseconds east of UTC; empty means UTC.
fn parse_offset(b: &[u8]) -> Option<i64> {
    let b = match b.first() {
        Some(b' ') => &b[1..],
        _ => b,
    };
    match b {
        [] | [b'Z'] | [b'z'] => Some(0),
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let h = digits(rest, 2)?;
            let rest = &rest[2..];
            let rest = rest.strip_prefix(b":").unwrap_or(rest);
            let m = if rest.is_empty() { 0 } else { digits(rest, 2)? };
            if rest.len() > 2 {
                return None;
            }
            let secs = i64::from(h * 3600 + m * 60) * NANOS_PER_SECOND;
            Some(if *sign == b'+' { secs } else { -secs })
        }
        _ => None,
    }
}

fn date_plus_time(y: u32, m: u32, d: u32, rest: &[u8], colons: bool) -> Option<Timestamp> {
    let day = time::from_ymd(i32::try_from(y).ok()?, m, d)?;
    match rest {
        [] => Some(day),
        [b' ' | b'T', t @ ..] if !t.is_empty() => Some(day + parse_time(t, colons)?),
        _ => None,
    }
}

fn parse_iso(b: &[u8]) -> Option<Timestamp> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(b, 4)?, digits(&b[5..], 2)?, digits(&b[8..], 2)?);
    date_plus_time(y, m, d, &b[10..], true)
}

fn parse_compact(b: &[u8]) -> Option<Timestamp> {
    let (y, m, d) = (digits(b, 4)?, digits(&b[4..], 2)?, digits(&b[6..], 2)?);
    let rest = &b[8..];
    // `YYYYMMDD HH:MM` (QuantConnect) or `YYYYMMDD HHMMSSmmm` (HistData).
    let colons = rest.len() > 3 && rest[1..].contains(&b':');
    date_plus_time(y, m, d, rest, colons)
}

fn parse_us(b: &[u8]) -> Option<Timestamp> {
    let (m, n1) = digits_var(b, 2)?;
    let b = b.get(n1..)?.strip_prefix(b"/")?;
    let (d, n2) = digits_var(b, 2)?;
    let b = b.get(n2..)?.strip_prefix(b"/")?;
    let y = digits(b, 4)?;
    date_plus_time(y, m, d, &b[4..], true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxfolio_core::time::format_timestamp;

    fn fmt(f: &DateFormat, s: &str) -> Option<String> {
        f.parse(s).map(format_timestamp)
    }

    #[test]
    fn infers_each_family() {
        let cases = [
            ("2020-01-31", DateFormat::Iso, "2020-01-31"),
            (
                "2013-10-15 22:11:35",
                DateFormat::Iso,
                "2013-10-15 22:11:35",
            ),
            (
                "2020-01-31T09:30:00+01:00",
                DateFormat::Iso,
                "2020-01-31 08:30:00",
            ),
            (
                "2024-01-01 23:01:00+00:00",
                DateFormat::Iso,
                "2024-01-01 23:01:00",
            ),
            ("19980102 00:00", DateFormat::Compact, "1998-01-02"),
            (
                "20200101 170000123",
                DateFormat::Compact,
                "2020-01-01 17:00:00.123",
            ),
            ("20200131", DateFormat::Compact, "2020-01-31"),
            ("1/4/1999", DateFormat::Us, "1999-01-04"),
            ("11/5/2019 9:30", DateFormat::Us, "2019-11-05 09:30:00"),
            ("1580428800", DateFormat::EpochSeconds, "2020-01-31"),
            ("1580428800000", DateFormat::EpochMillis, "2020-01-31"),
            (
                "1598918403000000",
                DateFormat::EpochMicros,
                "2020-09-01 00:00:03",
            ),
        ];
        for (sample, format, expected) in cases {
            let inferred = DateFormat::infer(sample);
            assert_eq!(inferred.as_ref(), Some(&format), "{sample}");
            assert_eq!(fmt(&format, sample).as_deref(), Some(expected), "{sample}");
        }
    }

    #[test]
    fn rejects_impossible_and_garbage() {
        assert_eq!(DateFormat::Iso.parse("2023-02-30"), None);
        assert_eq!(DateFormat::Iso.parse("2023-02-03x"), None);
        assert_eq!(DateFormat::Us.parse("13/01/2020"), None);
        assert_eq!(DateFormat::Iso.parse(""), None);
        assert_eq!(DateFormat::infer("yesterday"), None);
        assert_eq!(DateFormat::Compact.parse("2020013"), None);
    }

    #[test]
    fn custom_patterns_and_names() {
        let f = DateFormat::parse_name("%d.%m.%Y").expect("pattern");
        assert_eq!(fmt(&f, "31.01.2020").as_deref(), Some("2020-01-31"));
        let g = DateFormat::parse_name("%d/%m/%Y %H:%M").expect("pattern");
        assert_eq!(
            fmt(&g, "31/01/2020 10:15").as_deref(),
            Some("2020-01-31 10:15:00")
        );
        assert_eq!(DateFormat::parse_name("nonsense"), None);
        let monthly = DateFormat::parse_name("%Y%m").expect("pattern");
        assert_eq!(fmt(&monthly, "192607").as_deref(), Some("1926-07-01"));
        assert_eq!(fmt(&monthly, "192613"), None);
        assert_eq!(
            DateFormat::parse_name("epoch-ms"),
            Some(DateFormat::EpochMillis)
        );
    }
}
