//! The market a backtest runs over: one calendar, symbols by dense index, and
//! time-major price columns (`row t` holds every symbol's value on date `t`).

use oxfolio_core::time::format_timestamp;
use oxfolio_core::{Field, Panel, Timestamp};
use oxfolio_data::align::{align, AlignOptions, Calendar, Fill};
use oxfolio_data::source::{load, SourceSpec};

use crate::calendar::{day_flags, DayFlags};
use crate::error::EngineError;

/// Daily bars of many symbols on one calendar. A `NaN` close means no price that day.
#[derive(Clone, Debug, PartialEq)]
pub struct Market {
    dates: Vec<Timestamp>,
    symbols: Vec<String>,
    close: Vec<f64>,
    open: Option<Vec<f64>>,
    high: Option<Vec<f64>>,
    low: Option<Vec<f64>>,
    volume: Option<Vec<f64>>,
    flags: Vec<DayFlags>,
    complete: Vec<bool>,
}

fn check_column(name: &str, column: &Option<Vec<f64>>, cells: usize) -> Result<(), EngineError> {
    match column {
        Some(c) if c.len() != cells => Err(EngineError::Data(format!(
            "{name} column has {} values, expected {cells}",
            c.len()
        ))),
        _ => Ok(()),
    }
}

impl Market {
    /// A market from time-major columns. `open`, `high`, `low` and `volume` are optional
    /// (close-only data); dates must be strictly increasing; prices positive or `NaN`.
    pub fn new(
        dates: Vec<Timestamp>,
        symbols: Vec<String>,
        close: Vec<f64>,
        open: Option<Vec<f64>>,
        high: Option<Vec<f64>>,
        low: Option<Vec<f64>>,
        volume: Option<Vec<f64>>,
    ) -> Result<Market, EngineError> {
        let n = symbols.len();
        if n == 0 {
            return Err(EngineError::Data("no symbols".into()));
        }
        if dates.is_empty() {
            return Err(EngineError::Data("no dates".into()));
        }
        let cells = dates.len() * n;
        if close.len() != cells {
            return Err(EngineError::Data(format!(
                "close column has {} values, expected {cells}",
                close.len()
            )));
        }
        for (name, column) in [
            ("open", &open),
            ("high", &high),
            ("low", &low),
            ("volume", &volume),
        ] {
            check_column(name, column, cells)?;
        }
        if let Some(t) = dates.windows(2).position(|w| w[1] <= w[0]) {
            return Err(EngineError::Data(format!(
                "dates are not strictly increasing at {} then {}",
                format_timestamp(dates[t]),
                format_timestamp(dates[t + 1])
            )));
        }
        let mut seen = std::collections::BTreeSet::new();
        if let Some(s) = symbols.iter().find(|s| !seen.insert(s.as_str())) {
            return Err(EngineError::Data(format!("symbol `{s}` appears twice")));
        }
        for (name, column) in [
            ("close", Some(&close)),
            ("open", open.as_ref()),
            ("high", high.as_ref()),
            ("low", low.as_ref()),
        ] {
            if let Some(k) = column.and_then(|c| {
                c.iter()
                    .position(|p| !(p.is_nan() || (p.is_finite() && *p > 0.0)))
            }) {
                return Err(EngineError::Data(format!(
                    "{name} of {} on {} is {} (prices must be positive, or missing)",
                    symbols[k % n],
                    format_timestamp(dates[k / n]),
                    column.map_or(f64::NAN, |c| c[k])
                )));
            }
        }
        if let Some(v) = &volume {
            if let Some(k) = v
                .iter()
                .position(|x| !(x.is_nan() || (x.is_finite() && *x >= 0.0)))
            {
                return Err(EngineError::Data(format!(
                    "volume of {} on {} is {} (must be non-negative, or missing)",
                    symbols[k % n],
                    format_timestamp(dates[k / n]),
                    v[k]
                )));
            }
        }
        let flags = day_flags(&dates);
        let complete = close
            .chunks_exact(n)
            .map(|row| row.iter().all(|c| !c.is_nan()))
            .collect();
        Ok(Market {
            dates,
            symbols,
            close,
            open,
            high,
            low,
            volume,
            flags,
            complete,
        })
    }

    /// Appends a row: every symbol's bar at `ts` (later than the last date), in symbol
    /// order, a `NaN` close meaning no bar for that symbol. Only the columns the market
    /// has are kept (a close-only market keeps the closes). Errors name the symbol and the
    /// value; the market is unchanged then.
    pub fn push_row(
        &mut self,
        ts: Timestamp,
        bars: &[crate::events::fill::BarPrices],
    ) -> Result<(), EngineError> {
        let n = self.symbols.len();
        if bars.len() != n {
            return Err(EngineError::Data(format!(
                "a bar at {} has {} prices for {n} symbols",
                format_timestamp(ts),
                bars.len()
            )));
        }
        if let Some(last) = self.dates.last() {
            if ts <= *last {
                return Err(EngineError::Data(format!(
                    "a bar at {} is not after the last one at {}",
                    format_timestamp(ts),
                    format_timestamp(*last)
                )));
            }
        }
        for (symbol, b) in self.symbols.iter().zip(bars) {
            let fields = [
                ("close", b.close, true),
                ("open", b.open, self.open.is_some()),
                ("high", b.high, self.high.is_some()),
                ("low", b.low, self.low.is_some()),
            ];
            for (name, p, kept) in fields {
                if kept && !(p.is_nan() || (p.is_finite() && p > 0.0)) {
                    return Err(EngineError::Data(format!(
                        "{name} of {symbol} at {} is {p} (prices must be positive, or missing)",
                        format_timestamp(ts)
                    )));
                }
            }
            let v = b.volume;
            if self.volume.is_some() && !(v.is_nan() || (v.is_finite() && v >= 0.0)) {
                return Err(EngineError::Data(format!(
                    "volume of {symbol} at {} is {v} (must be non-negative, or missing)",
                    format_timestamp(ts)
                )));
            }
        }
        self.dates.push(ts);
        self.close.extend(bars.iter().map(|b| b.close));
        for (column, pick) in [
            (
                &mut self.open,
                (|b| b.open) as fn(&crate::events::fill::BarPrices) -> f64,
            ),
            (&mut self.high, |b| b.high),
            (&mut self.low, |b| b.low),
            (&mut self.volume, |b| b.volume),
        ] {
            if let Some(c) = column {
                c.extend(bars.iter().map(pick));
            }
        }
        self.complete.push(bars.iter().all(|b| !b.close.is_nan()));
        // Flags depend on the neighbours: the previous last date may no longer end its
        // month or week. Recompute the last two from a window of three dates.
        let k = self.dates.len();
        if k < 3 {
            self.flags = day_flags(&self.dates);
        } else {
            let tail = day_flags(&self.dates[k - 3..]);
            self.flags.truncate(k - 2);
            self.flags.extend_from_slice(&tail[1..]);
        }
        Ok(())
    }

    /// A market from an aligned panel; uses open, high, low and volume when every symbol
    /// has them, else runs close-only.
    pub fn from_panel(panel: &Panel) -> Result<Market, EngineError> {
        let take = |f: Field| panel.field(f).map(<[f64]>::to_vec);
        let close = take(Field::Close)
            .ok_or_else(|| EngineError::Data("the data has no close prices".into()))?;
        let (open, high, low, volume) = (
            take(Field::Open),
            take(Field::High),
            take(Field::Low),
            take(Field::Volume),
        );
        let full = open.is_some() && high.is_some() && low.is_some() && volume.is_some();
        if full {
            Market::new(
                panel.ts.clone(),
                panel.symbols.clone(),
                close,
                open,
                high,
                low,
                volume,
            )
        } else {
            Market::new(
                panel.ts.clone(),
                panel.symbols.clone(),
                close,
                None,
                None,
                None,
                None,
            )
        }
    }

    /// Loads the source `spec` names and aligns its symbols on the union of their dates,
    /// missing prices left missing (the backtester's missing-price policy decides).
    pub fn load(spec: &SourceSpec) -> Result<Market, EngineError> {
        let dataset = load(spec)?;
        if dataset.series.is_empty() {
            return Err(EngineError::Data(format!(
                "no series in {}",
                spec.path.display()
            )));
        }
        let (panel, _) = align(
            &dataset.series,
            AlignOptions {
                calendar: Calendar::Union,
                fill: Fill::Missing,
            },
        )?;
        Market::from_panel(&panel)
    }

    /// Number of symbols.
    pub fn n_symbols(&self) -> usize {
        self.symbols.len()
    }

    /// Number of dates.
    pub fn n_dates(&self) -> usize {
        self.dates.len()
    }

    /// The calendar.
    pub fn dates(&self) -> &[Timestamp] {
        &self.dates
    }

    /// Calendar flags of every date.
    pub fn flags(&self) -> &[DayFlags] {
        &self.flags
    }

    /// True for each date on which every symbol has a close.
    pub fn complete_rows(&self) -> &[bool] {
        &self.complete
    }

    /// Symbols in index order.
    pub fn symbols(&self) -> &[String] {
        &self.symbols
    }

    /// Dense index of `symbol`.
    pub fn index_of(&self, symbol: &str) -> Option<usize> {
        self.symbols.iter().position(|s| s == symbol)
    }

    /// True when open, high, low and volume are present (intraday fill paths and volume
    /// caps are possible).
    pub fn has_ohlcv(&self) -> bool {
        self.open.is_some() && self.volume.is_some()
    }

    /// The whole close column, time-major.
    pub fn closes(&self) -> &[f64] {
        &self.close
    }

    /// The whole open column, time-major.
    pub fn opens(&self) -> Option<&[f64]> {
        self.open.as_deref()
    }

    /// Highs, time-major, when the data has them.
    pub fn highs(&self) -> Option<&[f64]> {
        self.high.as_deref()
    }

    /// Lows, time-major, when the data has them.
    pub fn lows(&self) -> Option<&[f64]> {
        self.low.as_deref()
    }

    /// The whole volume column, time-major.
    pub fn volumes(&self) -> Option<&[f64]> {
        self.volume.as_deref()
    }

    /// Closes on date `t`.
    pub fn close_row(&self, t: usize) -> &[f64] {
        let n = self.n_symbols();
        &self.close[t * n..(t + 1) * n]
    }

    fn row<'a>(&self, column: &'a Option<Vec<f64>>, t: usize) -> Option<&'a [f64]> {
        let n = self.n_symbols();
        column.as_deref().map(|c| &c[t * n..(t + 1) * n])
    }

    /// Opens on date `t`.
    pub fn open_row(&self, t: usize) -> Option<&[f64]> {
        self.row(&self.open, t)
    }

    /// Highs on date `t`.
    pub fn high_row(&self, t: usize) -> Option<&[f64]> {
        self.row(&self.high, t)
    }

    /// Lows on date `t`.
    pub fn low_row(&self, t: usize) -> Option<&[f64]> {
        self.row(&self.low, t)
    }

    /// Volumes on date `t`.
    pub fn volume_row(&self, t: usize) -> Option<&[f64]> {
        self.row(&self.volume, t)
    }

    /// The market without open, high, low and volume (close-only rules).
    pub fn close_only(mut self) -> Market {
        self.open = None;
        self.high = None;
        self.low = None;
        self.volume = None;
        self
    }
}
