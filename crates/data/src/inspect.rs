//! Summaries of a source: per symbol rows, date range, frequency, gaps, repairs and
//! problems. Unlike [`crate::source::load`], inspection does not stop at the first
//! problem: it reports them all, file by file.

use std::collections::BTreeMap;

use serde::Serialize;

use oxfolio_core::time::{day_number, format_timestamp};
use oxfolio_core::Bars;

use crate::problem::{Problem, SeriesReport};
use crate::source::{data_files, read_file, transform, SourceSpec};
use crate::store::Store;

/// How many problem details a summary shows per series.
pub const SHOWN_PROBLEMS: usize = 10;

/// One symbol's summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SeriesSummary {
    /// The symbol (or `(file)` for findings about a wide file's dates).
    pub symbol: String,
    /// The source file.
    pub file: String,
    /// Data rows read.
    pub rows_read: usize,
    /// Bars after repairs and transformations.
    pub rows: usize,
    /// First timestamp.
    pub first: Option<String>,
    /// Last timestamp.
    pub last: Option<String>,
    /// `daily` (one bar per date, all at one time of day), `intraday`, or `empty`.
    pub frequency: String,
    /// Dates with more than one bar.
    pub days_with_several_rows: usize,
    /// Calendar gaps between consecutive dates longer than the gap threshold.
    pub gaps: usize,
    /// The longest calendar gap in days, with its start and end dates.
    pub largest_gap: Option<(i64, String, String)>,
    /// Lowest and highest close.
    pub close_range: Option<(f64, f64)>,
    /// The largest close-to-close move between consecutive bars, as a simple return,
    /// with the date it ends on (a hint of unadjusted splits or scaling errors).
    pub largest_move: Option<(f64, String)>,
    /// Rows with zero volume.
    pub zero_volume_rows: usize,
    /// Empty cells (wide files).
    pub missing_cells: usize,
    /// Non-positive prices accepted because the series is back-adjusted.
    pub non_positive_accepted: usize,
    /// Repairs applied, with counts.
    pub repairs: BTreeMap<String, usize>,
    /// Problems repaired, by kind.
    pub repaired_problems: BTreeMap<String, usize>,
    /// Unrepaired problems, by kind.
    pub problem_counts: BTreeMap<String, usize>,
    /// The first unrepaired problems.
    pub problems: Vec<Problem>,
}

impl SeriesSummary {
    /// Total unrepaired problems.
    pub fn problem_count(&self) -> usize {
        self.problem_counts.values().sum()
    }
}

/// What inspecting one file found.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FileSummary {
    /// The file.
    pub file: String,
    /// A file-level error (unreadable, empty, header mismatch), if any.
    pub error: Option<String>,
    /// One summary per symbol (and per file-level report).
    pub series: Vec<SeriesSummary>,
}

/// Summarises bars plus their validation report.
pub fn summarise(bars: &Bars, report: &SeriesReport, gap_days: i64) -> SeriesSummary {
    let mut s = SeriesSummary {
        symbol: report.symbol.clone(),
        file: report.file.clone(),
        rows_read: report.rows_read,
        rows: bars.len(),
        first: bars.ts.first().map(|t| format_timestamp(*t)),
        last: bars.ts.last().map(|t| format_timestamp(*t)),
        zero_volume_rows: bars
            .volume
            .as_ref()
            .map_or(0, |v| v.iter().filter(|x| **x == 0.0).count()),
        missing_cells: report.missing_cells,
        non_positive_accepted: report.non_positive_accepted,
        repairs: report.repairs.clone(),
        repaired_problems: report.repaired_problems.clone(),
        problem_counts: report.problem_counts.clone(),
        problems: report
            .problems
            .iter()
            .take(SHOWN_PROBLEMS)
            .cloned()
            .collect(),
        ..Default::default()
    };
    let days: Vec<i64> = bars.ts.iter().map(|t| day_number(*t)).collect();
    let mut distinct = days.clone();
    distinct.dedup();
    s.days_with_several_rows = {
        let mut count = 0;
        let mut i = 0;
        while i < days.len() {
            let mut j = i + 1;
            while j < days.len() && days[j] == days[i] {
                j += 1;
            }
            count += usize::from(j - i > 1);
            i = j;
        }
        count
    };
    let time_of_day = |t: &i64| t.rem_euclid(oxfolio_core::time::NANOS_PER_DAY);
    let one_time_of_day = bars
        .ts
        .first()
        .is_none_or(|f| bars.ts.iter().all(|t| time_of_day(t) == time_of_day(f)));
    // The typical spacing between dates names the frequency; gaps are judged against it
    // (more than `gap_days`, or more than twice the typical spacing for weekly and
    // monthly data).
    let mut spacing: Vec<i64> = distinct.windows(2).map(|w| w[1] - w[0]).collect();
    spacing.sort_unstable();
    let typical = spacing.get(spacing.len() / 2).copied().unwrap_or(1);
    s.frequency = if bars.is_empty() {
        "empty".into()
    } else if s.days_with_several_rows > 0 || !one_time_of_day {
        "intraday".into()
    } else if typical >= 28 {
        "monthly".into()
    } else if typical >= 5 {
        "weekly".into()
    } else {
        "daily".into()
    };
    let gap_days = if typical >= 5 {
        gap_days.max(2 * typical)
    } else {
        gap_days
    };
    for w in distinct.windows(2) {
        let gap = w[1] - w[0];
        if gap > gap_days {
            s.gaps += 1;
            if s.largest_gap.as_ref().is_none_or(|(g, _, _)| gap > *g) {
                let day = |d: i64| format_timestamp(d * oxfolio_core::time::NANOS_PER_DAY);
                s.largest_gap = Some((gap, day(w[0]), day(w[1])));
            }
        }
    }
    for (i, w) in bars.close.windows(2).enumerate() {
        let r = w[1] / w[0] - 1.0;
        if w[0] > 0.0
            && r.is_finite()
            && s.largest_move
                .as_ref()
                .is_none_or(|(m, _)| r.abs() > m.abs())
        {
            s.largest_move = Some((r, format_timestamp(bars.ts[i + 1])));
        }
    }
    let closes = bars.close.iter().copied().filter(|c| !c.is_nan());
    s.close_range = closes.clone().fold(None, |acc: Option<(f64, f64)>, c| {
        Some(acc.map_or((c, c), |(lo, hi)| (lo.min(c), hi.max(c))))
    });
    s
}

/// Inspects every file of a source. `gap_days`: a gap is longer than this many calendar
/// days between consecutive dates.
pub fn inspect(spec: &SourceSpec, gap_days: i64) -> Result<Vec<FileSummary>, crate::DataError> {
    spec.validation()?;
    spec.range()?;
    if Store::is_store(&spec.path) {
        let store = Store::open(&spec.path, false)?;
        let (start, end) = spec.range()?;
        let mut out = Vec::new();
        for bars in store.load(spec.symbols.as_deref(), start, end)? {
            let entry = &store.catalog.symbols[&bars.symbol];
            let report = SeriesReport {
                symbol: bars.symbol.clone(),
                file: entry.file.clone(),
                rows_read: entry.rows,
                rows_kept: bars.len(),
                repairs: entry.repairs.clone(),
                ..Default::default()
            };
            out.push(FileSummary {
                file: store.dir.join(&entry.file).display().to_string(),
                error: None,
                series: vec![summarise(&bars, &report, gap_days)],
            });
        }
        return Ok(out);
    }
    let mut out = Vec::new();
    for file in data_files(&spec.path)? {
        let mut summary = FileSummary {
            file: file.display().to_string(),
            ..Default::default()
        };
        match read_file(&file, spec) {
            Err(e) => summary.error = Some(e.to_string()),
            Ok(data) => {
                for s in data.series {
                    if spec
                        .symbols
                        .as_ref()
                        .is_some_and(|w| !w.contains(&s.bars.symbol))
                    {
                        continue;
                    }
                    match transform(s.bars, spec) {
                        Ok(bars) => summary.series.push(summarise(&bars, &s.report, gap_days)),
                        Err(e) => summary.error = Some(e.to_string()),
                    }
                }
                for r in data.other {
                    summary
                        .series
                        .push(summarise(&Bars::default(), &r, gap_days));
                }
            }
        }
        out.push(summary);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxfolio_core::time::{from_ymd, NANOS_PER_DAY};

    fn closes(ts: &[i64]) -> Bars {
        let mut b = Bars::with_fields("X", &[]);
        for (i, t) in ts.iter().enumerate() {
            b.push(
                *t,
                [
                    f64::NAN,
                    f64::NAN,
                    f64::NAN,
                    1.0 + i as f64,
                    f64::NAN,
                    f64::NAN,
                ],
            );
        }
        b
    }

    #[test]
    fn names_frequency_and_gaps() {
        let day = |y, m, d| from_ymd(y, m, d).expect("date");
        let monthly = closes(&[day(2020, 1, 1), day(2020, 2, 1), day(2020, 3, 1)]);
        let s = summarise(&monthly, &SeriesReport::default(), 5);
        assert_eq!((s.frequency.as_str(), s.gaps), ("monthly", 0));
        let holey = closes(&[
            day(2020, 1, 1),
            day(2020, 2, 1),
            day(2020, 3, 1),
            day(2020, 7, 1),
        ]);
        assert_eq!(summarise(&holey, &SeriesReport::default(), 5).gaps, 1);
        let daily = closes(&[
            day(2020, 1, 2),
            day(2020, 1, 3),
            day(2020, 1, 6),
            day(2020, 1, 20),
        ]);
        let s = summarise(&daily, &SeriesReport::default(), 5);
        assert_eq!(s.frequency, "daily");
        assert_eq!(
            s.largest_gap,
            Some((14, "2020-01-06".into(), "2020-01-20".into()))
        );
        assert_eq!(s.close_range, Some((1.0, 4.0)));
        let intraday = closes(&[
            day(2020, 1, 2) + 3_600_000_000_000,
            day(2020, 1, 2) + 7_200_000_000_000,
            day(2020, 1, 3) + NANOS_PER_DAY / 2,
        ]);
        let s = summarise(&intraday, &SeriesReport::default(), 5);
        assert_eq!(
            (s.frequency.as_str(), s.days_with_several_rows),
            ("intraday", 1)
        );
    }
}
