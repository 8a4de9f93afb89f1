//! Validation rules: what each check looks at, and which repair the user may name for it.
//!
//! | check | problem | repair |
//! |---|---|---|
//! | row has the header's number of fields | `field_count` | `drop-row` |
//! | required cell present | `missing_value` | `drop-row` |
//! | number parses | `unparsable_number` | `drop-row` |
//! | date parses | `unparsable_date` | `drop-row` |
//! | value finite | `non_finite` | `drop-row` |
//! | prices > 0 (unless back-adjusted) | `non_positive_price` | `drop-row` |
//! | volume >= 0 | `negative_volume` | `drop-row` |
//! | high >= low | `high_below_low` | `drop-row` |
//! | low <= open, close <= high | `outside_range` | `drop-row` |
//! | timestamps ascending | `unsorted` | `sort` |
//! | timestamps (dates, for daily data) unique | `duplicate` | `keep-last` or `keep-first` |
//!
//! Without a repair every finding is an error. Each repair is counted in the report.

use std::collections::BTreeSet;

use oxfolio_core::time::{day_number, format_timestamp, Timestamp};
use oxfolio_core::Field;

use crate::problem::{Problem, ProblemKind, Repair, SeriesReport};

/// What to check and which repairs are allowed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ValidationOptions {
    /// Repairs the user named.
    pub repairs: BTreeSet<Repair>,
    /// The series are back-adjusted (futures): zero and negative prices are valid.
    pub back_adjusted: bool,
    /// The data is daily: rows are stamped at midnight of their date, and two rows on one
    /// date are duplicates even when their times differ.
    pub daily: bool,
}

impl ValidationOptions {
    /// True when the user named this repair.
    pub fn allows(&self, repair: Repair) -> bool {
        self.repairs.contains(&repair)
    }
}

/// Checks the parsed values of one row (indexed like [`Field::ALL`]); `present` says
/// which fields the series has. Pushes one problem per failed check.
pub fn check_row_values(
    values: &[f64; 6],
    present: &[bool; 6],
    back_adjusted: bool,
    line: u64,
    problems: &mut Vec<Problem>,
) {
    let [open, high, low, close, volume, _] = *values;
    if !back_adjusted {
        for (k, field) in Field::ALL.into_iter().enumerate() {
            if present[k] && field.is_price() && values[k] <= 0.0 {
                problems.push(Problem {
                    line,
                    column: Some(field.name().into()),
                    kind: ProblemKind::NonPositivePrice,
                    message: format!(
                        "non-positive price {} (declare the series back-adjusted if that is valid)",
                        values[k]
                    ),
                });
            }
        }
    }
    if present[4] && volume < 0.0 {
        problems.push(Problem {
            line,
            column: Some("volume".into()),
            kind: ProblemKind::NegativeVolume,
            message: format!("negative volume {volume}"),
        });
    }
    if present[1] && present[2] {
        if high < low {
            problems.push(Problem {
                line,
                column: Some("high".into()),
                kind: ProblemKind::HighBelowLow,
                message: format!("high {high} is below low {low}"),
            });
        } else {
            for (k, name, v) in [(0, "open", open), (3, "close", close)] {
                if present[k] && (v < low || v > high) {
                    problems.push(Problem {
                        line,
                        column: Some(name.into()),
                        kind: ProblemKind::OutsideRange,
                        message: format!("{name} {v} is outside [low {low}, high {high}]"),
                    });
                }
            }
        }
    }
}

/// Records the problems of one row: repaired by dropping the row when the user allows
/// it, otherwise reported. Returns true when the row is kept.
pub fn settle_row(
    problems: &mut Vec<Problem>,
    options: &ValidationOptions,
    report: &mut SeriesReport,
) -> bool {
    if problems.is_empty() {
        return true;
    }
    if options.allows(Repair::DropRow) {
        let mut kinds: Vec<ProblemKind> = problems.iter().map(|p| p.kind).collect();
        kinds.sort();
        kinds.dedup();
        for kind in kinds {
            *report
                .repaired_problems
                .entry(kind.name().to_string())
                .or_default() += 1;
        }
        *report
            .repairs
            .entry(Repair::DropRow.name().to_string())
            .or_default() += 1;
    } else {
        for p in problems.drain(..) {
            report.add_problem(p);
        }
    }
    problems.clear();
    false
}

/// Orders and de-duplicates rows. Returns the indices of the rows to keep, in time order.
/// Unsorted rows are an error unless `sort` is allowed; rows sharing a timestamp (or a
/// date, for daily data) are an error unless `keep-last` or `keep-first` is allowed.
pub fn order_rows(
    ts: &[Timestamp],
    lines: &[u64],
    options: &ValidationOptions,
    report: &mut SeriesReport,
) -> Vec<usize> {
    let n = ts.len();
    let key = |t: Timestamp| if options.daily { day_number(t) } else { t };
    let mut idx: Vec<usize> = (0..n).collect();
    // A row is out of order when it is earlier than the row before it.
    let out_of_order: Vec<usize> = (1..n).filter(|&i| key(ts[i]) < key(ts[i - 1])).collect();
    if !out_of_order.is_empty() {
        let descending = n > 2 && ts.windows(2).all(|w| key(w[0]) >= key(w[1]));
        if options.allows(Repair::Sort) {
            report.add_repair(Repair::Sort, ProblemKind::Unsorted, out_of_order.len());
        } else {
            for (j, &i) in out_of_order.iter().enumerate() {
                let hint = if j == 0 && descending {
                    " (the file is newest-first; the `sort` repair reverses it)"
                } else {
                    ""
                };
                report.add_problem(Problem {
                    line: lines[i],
                    column: None,
                    kind: ProblemKind::Unsorted,
                    message: format!(
                        "timestamp {} is earlier than the row before it ({}){hint}",
                        format_timestamp(ts[i]),
                        format_timestamp(ts[i - 1])
                    ),
                });
            }
        }
        idx.sort_by_key(|&i| key(ts[i]));
    }
    let keep_last = options.allows(Repair::KeepLast);
    let keep_first = options.allows(Repair::KeepFirst);
    let mut kept = Vec::with_capacity(n);
    let mut removed = 0;
    let mut g = 0;
    while g < n {
        let mut e = g + 1;
        while e < n && key(ts[idx[e]]) == key(ts[idx[g]]) {
            e += 1;
        }
        if e - g == 1 {
            kept.push(idx[g]);
        } else if keep_last || keep_first {
            // The sort is stable, so file order holds within the group.
            kept.push(if keep_last { idx[e - 1] } else { idx[g] });
            removed += e - g - 1;
        } else {
            kept.push(idx[g]);
            for &i in &idx[g + 1..e] {
                report.add_problem(Problem {
                    line: lines[i],
                    column: None,
                    kind: ProblemKind::Duplicate,
                    message: format!(
                        "duplicate {} {} (also on line {}); repairs: keep-last, keep-first",
                        if options.daily { "date" } else { "timestamp" },
                        format_timestamp(ts[i]),
                        lines[idx[g]]
                    ),
                });
            }
        }
        g = e;
    }
    let repair = if keep_last {
        Repair::KeepLast
    } else {
        Repair::KeepFirst
    };
    report.add_repair(repair, ProblemKind::Duplicate, removed);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(repairs: &[Repair]) -> ValidationOptions {
        ValidationOptions {
            repairs: repairs.iter().copied().collect(),
            ..Default::default()
        }
    }

    #[test]
    fn unsorted_is_an_error_unless_sort_is_named() {
        let ts = [1, 3, 2, 4];
        let lines = [2, 3, 4, 5];
        let mut r = SeriesReport::default();
        let kept = order_rows(&ts, &lines, &opts(&[]), &mut r);
        assert_eq!(r.problem_count(), 1);
        assert_eq!(r.problems[0].line, 4);
        assert_eq!(kept, vec![0, 2, 1, 3]);
        let mut r = SeriesReport::default();
        let kept = order_rows(&ts, &lines, &opts(&[Repair::Sort]), &mut r);
        assert_eq!(r.problem_count(), 0);
        assert_eq!(r.repairs.get("sort"), Some(&1));
        assert_eq!(kept, vec![0, 2, 1, 3]);
    }

    #[test]
    fn duplicates_keep_last_or_first_in_file_order() {
        let ts = [1, 2, 2, 3];
        let lines = [2, 3, 4, 5];
        let mut r = SeriesReport::default();
        order_rows(&ts, &lines, &opts(&[]), &mut r);
        assert_eq!(r.problem_counts.get("duplicate"), Some(&1));
        assert!(r.problems[0].message.contains("also on line 3"));
        let mut r = SeriesReport::default();
        assert_eq!(
            order_rows(&ts, &lines, &opts(&[Repair::KeepLast]), &mut r),
            vec![0, 2, 3]
        );
        assert_eq!(r.repairs.get("keep-last"), Some(&1));
        let mut r = SeriesReport::default();
        assert_eq!(
            order_rows(&ts, &lines, &opts(&[Repair::KeepFirst]), &mut r),
            vec![0, 1, 3]
        );
    }

    #[test]
    fn daily_mode_sees_two_times_on_one_date_as_duplicates() {
        let day = oxfolio_core::time::NANOS_PER_DAY;
        let ts = [day, day + 23 * 3_600_000_000_000, 2 * day];
        let mut o = opts(&[]);
        o.daily = true;
        let mut r = SeriesReport::default();
        order_rows(&ts, &[2, 3, 4], &o, &mut r);
        assert_eq!(r.problem_counts.get("duplicate"), Some(&1));
    }

    #[test]
    fn row_checks_name_each_failure() {
        let mut p = Vec::new();
        let all = [true; 6];
        check_row_values(&[10.0, 9.0, 11.0, 10.0, 1.0, 10.0], &all, false, 7, &mut p);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].kind, ProblemKind::HighBelowLow);
        p.clear();
        check_row_values(&[12.0, 11.0, 9.0, 8.0, -1.0, 10.0], &all, false, 7, &mut p);
        let kinds: Vec<_> = p.iter().map(|x| x.kind).collect();
        assert_eq!(
            kinds,
            vec![
                ProblemKind::NegativeVolume,
                ProblemKind::OutsideRange,
                ProblemKind::OutsideRange
            ]
        );
        p.clear();
        check_row_values(&[-1.0, -1.0, -1.0, -1.0, 0.0, -1.0], &all, true, 7, &mut p);
        assert!(p.is_empty());
        check_row_values(&[0.0, 1.0, 0.0, 1.0, 0.0, 1.0], &all, false, 7, &mut p);
        assert_eq!(p.len(), 2);
        assert!(p.iter().all(|x| x.kind == ProblemKind::NonPositivePrice));
    }
}
