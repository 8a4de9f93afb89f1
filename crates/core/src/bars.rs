//! One symbol's bars as columns.

use crate::error::CoreError;
use crate::time::Timestamp;

/// A bar field. `Close` is always present; the others are optional per series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// First trade price of the bar.
    Open,
    /// Highest trade price of the bar.
    High,
    /// Lowest trade price of the bar.
    Low,
    /// Last trade price of the bar.
    Close,
    /// Quantity traded during the bar.
    Volume,
    /// Close adjusted for splits and dividends (as supplied by the source).
    AdjClose,
}

impl Field {
    /// All fields, in file order.
    pub const ALL: [Field; 6] = [
        Field::Open,
        Field::High,
        Field::Low,
        Field::Close,
        Field::Volume,
        Field::AdjClose,
    ];

    /// Lower-case column name used in files and messages.
    pub fn name(self) -> &'static str {
        match self {
            Field::Open => "open",
            Field::High => "high",
            Field::Low => "low",
            Field::Close => "close",
            Field::Volume => "volume",
            Field::AdjClose => "adj_close",
        }
    }

    /// True for the price fields (everything but volume).
    pub fn is_price(self) -> bool {
        self != Field::Volume
    }
}

/// Bars of one symbol in time order, one `Vec` per field.
///
/// Close-only series (a wide file of closes, a futures price file) have `None` for the
/// fields they lack. Missing values inside a present column are `NaN`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bars {
    /// The symbol these bars belong to.
    pub symbol: String,
    /// Bar timestamps, nanoseconds since the Unix epoch.
    pub ts: Vec<Timestamp>,
    /// Open prices.
    pub open: Option<Vec<f64>>,
    /// High prices.
    pub high: Option<Vec<f64>>,
    /// Low prices.
    pub low: Option<Vec<f64>>,
    /// Close prices.
    pub close: Vec<f64>,
    /// Volumes.
    pub volume: Option<Vec<f64>>,
    /// Adjusted closes.
    pub adj_close: Option<Vec<f64>>,
}

impl Bars {
    /// An empty series with the given optional columns present.
    pub fn with_fields(symbol: impl Into<String>, fields: &[Field]) -> Bars {
        let column = |f: Field| fields.contains(&f).then(Vec::new);
        Bars {
            symbol: symbol.into(),
            ts: Vec::new(),
            open: column(Field::Open),
            high: column(Field::High),
            low: column(Field::Low),
            close: Vec::new(),
            volume: column(Field::Volume),
            adj_close: column(Field::AdjClose),
        }
    }

    /// Number of bars.
    pub fn len(&self) -> usize {
        self.ts.len()
    }

    /// True when there are no bars.
    pub fn is_empty(&self) -> bool {
        self.ts.is_empty()
    }

    /// True when open, high and low are all present.
    pub fn has_ohlc(&self) -> bool {
        self.open.is_some() && self.high.is_some() && self.low.is_some()
    }

    /// The column of a field, if present.
    pub fn column(&self, field: Field) -> Option<&[f64]> {
        match field {
            Field::Open => self.open.as_deref(),
            Field::High => self.high.as_deref(),
            Field::Low => self.low.as_deref(),
            Field::Close => Some(&self.close),
            Field::Volume => self.volume.as_deref(),
            Field::AdjClose => self.adj_close.as_deref(),
        }
    }

    /// The mutable column of a field, if present.
    pub fn column_mut(&mut self, field: Field) -> Option<&mut Vec<f64>> {
        match field {
            Field::Open => self.open.as_mut(),
            Field::High => self.high.as_mut(),
            Field::Low => self.low.as_mut(),
            Field::Close => Some(&mut self.close),
            Field::Volume => self.volume.as_mut(),
            Field::AdjClose => self.adj_close.as_mut(),
        }
    }

    /// The fields this series has, in [`Field::ALL`] order.
    pub fn fields(&self) -> Vec<Field> {
        Field::ALL
            .into_iter()
            .filter(|f| self.column(*f).is_some())
            .collect()
    }

    /// Appends one bar; `values` is indexed like [`Field::ALL`] and absent columns ignore
    /// their value.
    pub fn push(&mut self, ts: Timestamp, values: [f64; 6]) {
        self.ts.push(ts);
        for (field, value) in Field::ALL.into_iter().zip(values) {
            if let Some(column) = self.column_mut(field) {
                column.push(value);
            }
        }
    }

    /// The values of bar `i`, indexed like [`Field::ALL`] (`NaN` for absent columns).
    pub fn row(&self, i: usize) -> [f64; 6] {
        Field::ALL.map(|f| self.column(f).map_or(f64::NAN, |c| c[i]))
    }

    /// Keeps only the bars for which `keep(i)` is true, in order.
    pub fn retain_rows(&mut self, keep: &[bool]) {
        fn filter<T: Copy>(v: &mut Vec<T>, keep: &[bool]) {
            let mut i = 0;
            v.retain(|_| {
                let k = keep[i];
                i += 1;
                k
            });
        }
        filter(&mut self.ts, keep);
        for field in Field::ALL {
            if let Some(c) = self.column_mut(field) {
                filter(c, keep);
            }
        }
    }

    /// Reorders the bars by the permutation `order` (new row `k` is old row `order[k]`).
    pub fn permute(&mut self, order: &[usize]) {
        self.ts = order.iter().map(|&i| self.ts[i]).collect();
        for field in Field::ALL {
            if let Some(c) = self.column_mut(field) {
                *c = order.iter().map(|&i| c[i]).collect();
            }
        }
    }

    /// Keeps the bars with `start <= ts <= end`.
    pub fn select_range(&self, start: Option<Timestamp>, end: Option<Timestamp>) -> Bars {
        let lo = start.map_or(0, |s| self.ts.partition_point(|&t| t < s));
        let hi = end.map_or(self.ts.len(), |e| self.ts.partition_point(|&t| t <= e));
        let hi = hi.max(lo);
        let slice = |c: &Option<Vec<f64>>| c.as_ref().map(|v| v[lo..hi].to_vec());
        Bars {
            symbol: self.symbol.clone(),
            ts: self.ts[lo..hi].to_vec(),
            open: slice(&self.open),
            high: slice(&self.high),
            low: slice(&self.low),
            close: self.close[lo..hi].to_vec(),
            volume: slice(&self.volume),
            adj_close: slice(&self.adj_close),
        }
    }

    /// Checks that every present column has one value per timestamp.
    pub fn check_lengths(&self) -> Result<(), CoreError> {
        for field in Field::ALL {
            if let Some(c) = self.column(field) {
                if c.len() != self.ts.len() {
                    return Err(CoreError::Length {
                        column: field.name().to_string(),
                        expected: self.ts.len(),
                        found: c.len(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// One symbol's bar: the prices and volume of one period, as the fill rules, the
/// session's live feed and the risk toolkit's stops read it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BarPrices {
    /// Open.
    pub open: f64,
    /// High.
    pub high: f64,
    /// Low.
    pub low: f64,
    /// Close.
    pub close: f64,
    /// Volume (`NaN` when the data has none: no volume cap applies).
    pub volume: f64,
}

impl BarPrices {
    /// A bar where every price is `p`.
    pub fn flat(p: f64) -> BarPrices {
        BarPrices {
            open: p,
            high: p,
            low: p,
            close: p,
            volume: f64::NAN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Bars {
        let mut b = Bars::with_fields("X", &[Field::Open, Field::Volume]);
        for (t, c) in [(3, 30.0), (1, 10.0), (2, 20.0)] {
            b.push(t, [c - 1.0, f64::NAN, f64::NAN, c, 100.0 * c, f64::NAN]);
        }
        b
    }

    #[test]
    fn push_fills_only_present_columns() {
        let b = sample();
        assert_eq!(b.fields(), vec![Field::Open, Field::Close, Field::Volume]);
        assert!(b.high.is_none());
        assert_eq!(b.open.as_deref(), Some(&[29.0, 9.0, 19.0][..]));
        assert!(b.check_lengths().is_ok());
    }

    #[test]
    fn permute_and_retain_move_every_column() {
        let mut b = sample();
        b.permute(&[1, 2, 0]);
        assert_eq!(b.ts, vec![1, 2, 3]);
        assert_eq!(b.close, vec![10.0, 20.0, 30.0]);
        assert_eq!(b.volume.as_deref(), Some(&[1000.0, 2000.0, 3000.0][..]));
        b.retain_rows(&[true, false, true]);
        assert_eq!(b.ts, vec![1, 3]);
        assert_eq!(b.open.as_deref(), Some(&[9.0, 29.0][..]));
    }

    #[test]
    fn select_range_is_inclusive() {
        let mut b = sample();
        b.permute(&[1, 2, 0]);
        let s = b.select_range(Some(2), Some(3));
        assert_eq!(s.ts, vec![2, 3]);
        assert_eq!(b.select_range(Some(4), None).len(), 0);
        assert_eq!(b.select_range(None, Some(0)).len(), 0);
    }
}
