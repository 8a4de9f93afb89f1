//! When a strategy acts: every N bars, at week or month ends, or a custom predicate.

use serde::{Deserialize, Serialize};

use crate::calendar::DayFlags;

/// A schedule, from a config string: `every_bar`, `every_5` (N bars), `weekly` (last bar
/// of each ISO week), `monthly` (last bar of each month).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Schedule {
    /// Every bar.
    #[default]
    EveryBar,
    /// Every `n` bars, counted from the first bar of the run.
    EveryN(usize),
    /// The last bar of each week.
    Weekly,
    /// The last bar of each month.
    MonthEnd,
}

impl Schedule {
    /// True when the schedule fires on the `k`-th bar of the run (0-based) with `flags`.
    #[inline]
    pub fn is_due(self, k: usize, flags: DayFlags) -> bool {
        match self {
            Schedule::EveryBar => true,
            Schedule::EveryN(n) => k.is_multiple_of(n),
            Schedule::Weekly => flags.week_end,
            Schedule::MonthEnd => flags.month_end,
        }
    }
}

impl TryFrom<String> for Schedule {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "every_bar" | "daily" => Ok(Schedule::EveryBar),
            "weekly" | "week_end" => Ok(Schedule::Weekly),
            "monthly" | "month_end" => Ok(Schedule::MonthEnd),
            other => other
                .strip_prefix("every_")
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n > 0)
                .map(Schedule::EveryN)
                .ok_or_else(|| {
                    format!("schedule `{other}`: expected every_bar, every_N, weekly or monthly")
                }),
        }
    }
}

impl From<Schedule> for String {
    fn from(s: Schedule) -> String {
        match s {
            Schedule::EveryBar => "every_bar".into(),
            Schedule::EveryN(n) => format!("every_{n}"),
            Schedule::Weekly => "weekly".into(),
            Schedule::MonthEnd => "monthly".into(),
        }
    }
}

/// A custom schedule: any `FnMut(bar index, flags) -> bool`.
pub trait Predicate {
    /// True when due.
    fn is_due(&mut self, k: usize, flags: DayFlags) -> bool;
}

impl<F: FnMut(usize, DayFlags) -> bool> Predicate for F {
    fn is_due(&mut self, k: usize, flags: DayFlags) -> bool {
        self(k, flags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_parse_and_fire() {
        let s = Schedule::try_from("every_3".to_string()).expect("parse");
        let due: Vec<usize> = (0..7)
            .filter(|k| s.is_due(*k, DayFlags::default()))
            .collect();
        assert_eq!(due, vec![0, 3, 6]);
        assert!(Schedule::try_from("every_0".to_string()).is_err());
        let month_end = DayFlags {
            month_end: true,
            ..DayFlags::default()
        };
        assert!(Schedule::MonthEnd.is_due(5, month_end));
        assert!(!Schedule::Weekly.is_due(5, month_end));
        let mut custom = |k: usize, _f: DayFlags| k == 2;
        assert!(Predicate::is_due(&mut custom, 2, month_end));
    }
}
