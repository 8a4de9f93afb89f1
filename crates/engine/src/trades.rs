//! Pre-generated trades: read from a `date,symbol,quantity` file, or built from target
//! positions per date, and replayed as a strategy.

use std::collections::BTreeMap;
use std::path::Path;

use oxfolio_core::time::{format_timestamp, from_date};
use oxfolio_core::Timestamp;

use crate::context::Context;
use crate::error::{EngineError, StrategyError};
use crate::strategy::{Decision, Strategy};

/// Trades by date, symbols by index.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TradeList {
    by_date: BTreeMap<Timestamp, Vec<(usize, f64)>>,
}

impl TradeList {
    /// From `(date, symbol index, quantity)` triples.
    pub fn from_triples(triples: impl IntoIterator<Item = (Timestamp, usize, f64)>) -> TradeList {
        let mut by_date: BTreeMap<Timestamp, Vec<(usize, f64)>> = BTreeMap::new();
        for (d, i, q) in triples {
            by_date.entry(d).or_default().push((i, q));
        }
        TradeList { by_date }
    }

    /// Reads a CSV with a header naming `date`, `symbol` and `quantity` (any order);
    /// dates `YYYY-MM-DD`. Unknown symbols, bad numbers and dates outside `calendar` are
    /// errors naming the line.
    pub fn read_csv(
        path: &Path,
        symbols: &[String],
        calendar: &[Timestamp],
    ) -> Result<TradeList, EngineError> {
        let err =
            |line: u64, msg: String| EngineError::Data(format!("{}:{line}: {msg}", path.display()));
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_path(path)
            .map_err(|e| {
                EngineError::Data(format!("cannot read trades {}: {e}", path.display()))
            })?;
        let headers = reader.headers().map_err(|e| err(1, e.to_string()))?.clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
                .ok_or_else(|| {
                    err(
                        1,
                        format!("no `{name}` column (need date, symbol, quantity)"),
                    )
                })
        };
        let (dc, sc, qc) = (column("date")?, column("symbol")?, column("quantity")?);
        let mut triples = Vec::new();
        for (k, record) in reader.records().enumerate() {
            let line = k as u64 + 2;
            let record = record.map_err(|e| err(line, e.to_string()))?;
            let field = |c: usize| record.get(c).unwrap_or("");
            let date = chrono::NaiveDate::parse_from_str(field(dc), "%Y-%m-%d")
                .map(from_date)
                .map_err(|_| err(line, format!("date `{}` is not YYYY-MM-DD", field(dc))))?;
            if calendar.binary_search(&date).is_err() {
                return Err(err(
                    line,
                    format!(
                        "{} is not a trading date of the data",
                        format_timestamp(date)
                    ),
                ));
            }
            let symbol = field(sc);
            let i = symbols
                .iter()
                .position(|s| s == symbol)
                .ok_or_else(|| err(line, format!("unknown symbol `{symbol}`")))?;
            let q: f64 = field(qc)
                .parse()
                .ok()
                .filter(|q: &f64| q.is_finite())
                .ok_or_else(|| {
                    err(
                        line,
                        format!("quantity `{}` is not a finite number", field(qc)),
                    )
                })?;
            triples.push((date, i, q));
        }
        Ok(TradeList::from_triples(triples))
    }

    /// Trades that move `initial` positions to each date's targets in turn (targets are
    /// full position vectors by symbol index).
    pub fn from_targets(initial: &[f64], targets: &[(Timestamp, Vec<f64>)]) -> TradeList {
        let mut current = initial.to_vec();
        let mut triples = Vec::new();
        for (d, target) in targets {
            for (i, (c, t)) in current.iter_mut().zip(target).enumerate() {
                if t != c {
                    triples.push((*d, i, t - *c));
                    *c = *t;
                }
            }
        }
        TradeList::from_triples(triples)
    }

    /// Trades on `date`.
    pub fn on(&self, date: Timestamp) -> Option<&[(usize, f64)]> {
        self.by_date.get(&date).map(Vec::as_slice)
    }

    /// Number of trades.
    pub fn len(&self) -> usize {
        self.by_date.values().map(Vec::len).sum()
    }

    /// True without trades.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Strategy for TradeList {
    fn decide(&mut self, ctx: &Context<'_>) -> Result<Decision, StrategyError> {
        Ok(self
            .on(ctx.date)
            .map_or(Decision::Hold, |t| Decision::Trades(t.to_vec())))
    }

    fn name(&self) -> &str {
        "trades_file"
    }
}
