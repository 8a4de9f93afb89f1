//! Many symbols aligned on one calendar: the market data a simulation reads.
//!
//! Every field is one `Vec<f64>` in time-major order (`value[t * n_symbols + i]`), so the
//! kernel reads all instruments of one bar from one contiguous slice. `NaN` marks a value
//! that is missing on that date (the symbol is not tradable then).

use crate::bars::Field;
use crate::error::CoreError;
use crate::time::Timestamp;

/// Aligned market data: calendar x instruments.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Panel {
    /// The calendar, ascending and unique.
    pub ts: Vec<Timestamp>,
    /// Symbol names; the dense instrument index is the position here.
    pub symbols: Vec<String>,
    /// Present fields and their time-major columns.
    pub columns: Vec<(Field, Vec<f64>)>,
    /// Time-major mask: true where the value was forward-filled rather than observed.
    pub filled: Vec<bool>,
}

impl Panel {
    /// Number of dates.
    pub fn n_dates(&self) -> usize {
        self.ts.len()
    }

    /// Number of instruments.
    pub fn n_symbols(&self) -> usize {
        self.symbols.len()
    }

    /// Dense index of a symbol.
    pub fn index_of(&self, symbol: &str) -> Result<usize, CoreError> {
        self.symbols
            .iter()
            .position(|s| s == symbol)
            .ok_or_else(|| CoreError::UnknownSymbol(symbol.to_string()))
    }

    /// The full time-major column of a field, if present.
    pub fn field(&self, field: Field) -> Option<&[f64]> {
        self.columns
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v.as_slice())
    }

    /// Values of a field for every instrument at date index `t`.
    pub fn row(&self, field: Field, t: usize) -> Option<&[f64]> {
        let n = self.n_symbols();
        self.field(field).map(|v| &v[t * n..(t + 1) * n])
    }

    /// Value of a field for instrument `i` at date index `t` (`NaN` when missing).
    pub fn value(&self, field: Field, t: usize, i: usize) -> f64 {
        self.field(field)
            .map_or(f64::NAN, |v| v[t * self.n_symbols() + i])
    }

    /// One instrument's series of a field, copied out in time order.
    pub fn series(&self, field: Field, i: usize) -> Option<Vec<f64>> {
        let n = self.n_symbols();
        self.field(field)
            .map(|v| (0..self.n_dates()).map(|t| v[t * n + i]).collect())
    }

    /// Number of forward-filled values of instrument `i`.
    pub fn filled_count(&self, i: usize) -> usize {
        let n = self.n_symbols();
        (0..self.n_dates())
            .filter(|t| self.filled[t * n + i])
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_major_access() {
        let p = Panel {
            ts: vec![1, 2],
            symbols: vec!["A".into(), "B".into()],
            columns: vec![(Field::Close, vec![1.0, 10.0, 2.0, f64::NAN])],
            filled: vec![false; 4],
        };
        assert_eq!(p.row(Field::Close, 1).map(|r| r[0]), Some(2.0));
        assert_eq!(p.series(Field::Close, 0), Some(vec![1.0, 2.0]));
        assert!(p.value(Field::Close, 1, 1).is_nan());
        assert!(p.value(Field::Open, 0, 0).is_nan());
        assert_eq!(p.index_of("B"), Ok(1));
        assert!(p.index_of("C").is_err());
    }
}
