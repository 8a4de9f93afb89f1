//! Aligning many symbols on one calendar.
//!
//! * Calendar: the union of all symbols' timestamps, or their intersection.
//! * Missing values: kept as missing (`NaN`: the symbol is not tradable that day), or
//!   forward-filled for at most `limit` consecutive dates. A filled bar is flat at the
//!   last observed close (open = high = low = close), with zero volume and the last
//!   adjusted close; it is marked in [`Panel::filled`] and counted in the report.
//!   Nothing is ever filled before a symbol's first observation.
//! * Fields: those every series has (close always).

use serde::Serialize;

use oxfolio_core::{Bars, Field, Panel};

use crate::error::DataError;

/// Which dates make the calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Calendar {
    /// Every date any symbol has.
    Union,
    /// Only dates every symbol has.
    Intersection,
}

/// What to do where a symbol has no bar on a calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fill {
    /// Leave it missing.
    Missing,
    /// Carry the last close forward, for at most `limit` consecutive dates (no limit
    /// when `None`).
    ForwardFill {
        /// Longest run of filled dates.
        limit: Option<usize>,
    },
}

/// Alignment policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlignOptions {
    /// Calendar rule.
    pub calendar: Calendar,
    /// Missing-value rule.
    pub fill: Fill,
}

/// Per-symbol counts of what alignment did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AlignReport {
    /// One entry per symbol, in panel order.
    pub symbols: Vec<AlignCounts>,
}

/// What alignment did to one symbol.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AlignCounts {
    /// The symbol.
    pub symbol: String,
    /// Calendar dates with an observed bar.
    pub observed: usize,
    /// Dates filled forward.
    pub filled: usize,
    /// Dates left missing.
    pub missing: usize,
    /// Bars dropped because their date is not in an intersection calendar.
    pub dropped: usize,
}

/// Aligns the series on one calendar. Each series must be strictly ascending.
pub fn align(series: &[Bars], options: AlignOptions) -> Result<(Panel, AlignReport), DataError> {
    for s in series {
        if let Some(w) = s.ts.windows(2).find(|w| w[0] >= w[1]) {
            return Err(DataError::Input(format!(
                "cannot align `{}`: timestamps not strictly ascending at {} (validate with sort and keep-last repairs first)",
                s.symbol,
                oxfolio_core::time::format_timestamp(w[1])
            )));
        }
    }
    let calendar = build_calendar(series, options.calendar);
    let fields: Vec<Field> = Field::ALL
        .into_iter()
        .filter(|f| *f == Field::Close || series.iter().all(|s| s.column(*f).is_some()))
        .collect();
    let (n_t, n_s) = (calendar.len(), series.len());
    let mut columns: Vec<(Field, Vec<f64>)> = fields
        .iter()
        .map(|f| (*f, vec![f64::NAN; n_t * n_s]))
        .collect();
    let mut filled = vec![false; n_t * n_s];
    let mut report = AlignReport::default();
    for (i, s) in series.iter().enumerate() {
        let mut counts = AlignCounts {
            symbol: s.symbol.clone(),
            ..Default::default()
        };
        let mut j = 0;
        let mut last: Option<usize> = None;
        let mut run = 0usize;
        for (t, &date) in calendar.iter().enumerate() {
            while j < s.len() && s.ts[j] < date {
                j += 1;
                counts.dropped += 1;
            }
            let cell = t * n_s + i;
            if j < s.len() && s.ts[j] == date {
                for (f, col) in &mut columns {
                    col[cell] = s.column(*f).map_or(f64::NAN, |c| c[j]);
                }
                counts.observed += 1;
                last = Some(j);
                run = 0;
                j += 1;
                continue;
            }
            let may_fill = match options.fill {
                Fill::Missing => false,
                Fill::ForwardFill { limit } => last.is_some() && limit.is_none_or(|l| run < l),
            };
            match (may_fill, last) {
                (true, Some(k)) => {
                    let close = s.close[k];
                    for (f, col) in &mut columns {
                        col[cell] = match f {
                            Field::Volume => 0.0,
                            Field::AdjClose => s.column(*f).map_or(f64::NAN, |c| c[k]),
                            _ => close,
                        };
                    }
                    filled[cell] = true;
                    counts.filled += 1;
                    run += 1;
                }
                _ => {
                    counts.missing += 1;
                    run += 1;
                }
            }
        }
        counts.dropped += s.len() - j;
        report.symbols.push(counts);
    }
    let panel = Panel {
        ts: calendar,
        symbols: series.iter().map(|s| s.symbol.clone()).collect(),
        columns,
        filled,
    };
    Ok((panel, report))
}

fn build_calendar(series: &[Bars], rule: Calendar) -> Vec<i64> {
    let mut all: Vec<i64> = series.iter().flat_map(|s| s.ts.iter().copied()).collect();
    all.sort_unstable();
    match rule {
        Calendar::Union => {
            all.dedup();
            all
        }
        Calendar::Intersection => {
            // A date is in every series exactly when it occurs series.len() times
            // (each series is strictly ascending).
            let mut out = Vec::new();
            let mut k = 0;
            while k < all.len() {
                let mut e = k + 1;
                while e < all.len() && all[e] == all[k] {
                    e += 1;
                }
                if e - k == series.len() {
                    out.push(all[k]);
                }
                k = e;
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closes(symbol: &str, points: &[(i64, f64)]) -> Bars {
        let mut b = Bars::with_fields(symbol, &[Field::Volume]);
        for &(t, c) in points {
            b.push(t, [f64::NAN, f64::NAN, f64::NAN, c, 10.0, f64::NAN]);
        }
        b
    }

    #[test]
    fn union_keeps_missing_and_intersection_drops() {
        let a = closes("A", &[(1, 1.0), (2, 2.0), (3, 3.0)]);
        let b = closes("B", &[(2, 20.0), (4, 40.0)]);
        let opts = AlignOptions {
            calendar: Calendar::Union,
            fill: Fill::Missing,
        };
        let (p, r) = align(&[a.clone(), b.clone()], opts).expect("aligned");
        assert_eq!(p.ts, vec![1, 2, 3, 4]);
        assert_eq!(p.series(Field::Close, 1).expect("close")[1], 20.0);
        assert!(p.value(Field::Close, 2, 1).is_nan());
        assert_eq!(r.symbols[1].missing, 2);
        let opts = AlignOptions {
            calendar: Calendar::Intersection,
            fill: Fill::Missing,
        };
        let (p, r) = align(&[a, b], opts).expect("aligned");
        assert_eq!(p.ts, vec![2]);
        assert_eq!(r.symbols[0].dropped, 2);
        assert_eq!(r.symbols[1].dropped, 1);
    }

    #[test]
    fn forward_fill_respects_limit_and_never_backfills() {
        let a = closes("A", &[(1, 1.0), (5, 5.0)]);
        let b = closes("B", &[(0, 0.5), (2, 2.0), (3, 3.0), (4, 4.0)]);
        let opts = AlignOptions {
            calendar: Calendar::Union,
            fill: Fill::ForwardFill { limit: Some(2) },
        };
        let (p, r) = align(&[a, b], opts).expect("aligned");
        let a_close = p.series(Field::Close, 0).expect("close");
        assert!(a_close[0].is_nan(), "no back-fill before the first bar");
        assert_eq!(&a_close[1..4], &[1.0, 1.0, 1.0]);
        assert!(a_close[4].is_nan(), "limit of two filled dates");
        assert_eq!(r.symbols[0].filled, 2);
        assert!(p.filled[2 * 2]);
        assert_eq!(p.value(Field::Volume, 2, 0), 0.0);
        assert_eq!(p.filled_count(0), 2);
    }

    #[test]
    fn rejects_unsorted_series() {
        let a = closes("A", &[(2, 1.0), (1, 5.0)]);
        let opts = AlignOptions {
            calendar: Calendar::Union,
            fill: Fill::Missing,
        };
        assert!(align(&[a], opts).is_err());
    }
}
