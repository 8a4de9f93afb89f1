//! Signals from a file: per bar a target direction (-1, 0 or 1) and a confidence. A 1
//! holds a long, -1 a short (when shorting is on), 0 is flat; a change closes the
//! position and enters the new side next bar. Entries carry the confidence to the risk
//! layer (the confidence sizer and the minimum-confidence check).
//!
//! The file is CSV with a header: `datetime,signal,confidence` for one symbol, or
//! `datetime,symbol,signal,confidence`. Every timestamp must be a bar of the data and
//! every symbol one of its symbols; rows may come in any order, but a (timestamp, symbol)
//! only once.

use std::path::Path;

use oxfolio_data::datefmt::DateFormat;

use crate::error::{EngineError, StrategyError};
use crate::events::context::EventContext;
use crate::events::risk_loop::Entry;
use crate::events::strategy::OrderStrategy;
use crate::market::Market;

/// Signals and confidences by bar and symbol (`NaN` signal: no row, keep going).
#[derive(Clone, Debug)]
pub struct SignalFile {
    n: usize,
    signal: Vec<f64>,
    confidence: Vec<f64>,
    quantity: Option<f64>,
}

impl SignalFile {
    /// Reads `path` against the market's bars and symbols.
    pub fn read(
        path: &Path,
        market: &Market,
        quantity: Option<f64>,
    ) -> Result<SignalFile, EngineError> {
        let where_ = |row: usize, msg: String| {
            EngineError::Config(format!("{}: row {row}: {msg}", path.display()))
        };
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_path(path)
            .map_err(|e| EngineError::Config(format!("{}: {e}", path.display())))?;
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| EngineError::Config(format!("{}: {e}", path.display())))?
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        let col = |name: &str| header.iter().position(|h| h == name);
        let (Some(ts_col), Some(sig_col)) = (col("datetime").or(col("date")), col("signal")) else {
            return Err(EngineError::Config(format!(
                "{}: the header needs datetime (or date) and signal columns, got {}",
                path.display(),
                header.join(",")
            )));
        };
        let conf_col = col("confidence");
        let sym_col = col("symbol");
        if sym_col.is_none() && market.n_symbols() != 1 {
            return Err(EngineError::Config(format!(
                "{}: the data has {} symbols, so the file needs a symbol column",
                path.display(),
                market.n_symbols()
            )));
        }
        let n = market.n_symbols();
        let cells = market.n_dates() * n;
        let mut signal = vec![f64::NAN; cells];
        let mut confidence = vec![f64::NAN; cells];
        for (k, record) in reader.records().enumerate() {
            let row = k + 2;
            let record = record.map_err(|e| where_(row, e.to_string()))?;
            let cell = |c: usize| record.get(c).unwrap_or("");
            let ts = DateFormat::Auto.parse(cell(ts_col)).ok_or_else(|| {
                where_(
                    row,
                    format!("datetime `{}` is not a date or time", cell(ts_col)),
                )
            })?;
            let t = market
                .dates()
                .binary_search(&ts)
                .map_err(|_| where_(row, format!("`{}` is not a bar of the data", cell(ts_col))))?;
            let i = match sym_col {
                Some(c) => market
                    .index_of(cell(c))
                    .ok_or_else(|| where_(row, format!("unknown symbol `{}`", cell(c))))?,
                None => 0,
            };
            let s: f64 = cell(sig_col)
                .parse()
                .map_err(|_| where_(row, format!("signal `{}` is not a number", cell(sig_col))))?;
            if ![-1.0, 0.0, 1.0].contains(&s) {
                return Err(where_(row, format!("signal must be -1, 0 or 1, got {s}")));
            }
            let c = match conf_col {
                Some(c) if !cell(c).is_empty() => {
                    let v: f64 = cell(c).parse().map_err(|_| {
                        where_(row, format!("confidence `{}` is not a number", cell(c)))
                    })?;
                    if !(0.0..=1.0).contains(&v) {
                        return Err(where_(
                            row,
                            format!("confidence must be in [0, 1], got {v}"),
                        ));
                    }
                    v
                }
                _ => f64::NAN,
            };
            let k = t * n + i;
            if !signal[k].is_nan() {
                return Err(where_(
                    row,
                    format!(
                        "a second signal for `{}` at `{}`",
                        market.symbols()[i],
                        cell(ts_col)
                    ),
                ));
            }
            signal[k] = s;
            confidence[k] = c;
        }
        Ok(SignalFile {
            n,
            signal,
            confidence,
            quantity,
        })
    }
}

impl OrderStrategy for SignalFile {
    fn name(&self) -> &str {
        "signals"
    }

    fn on_bar(&mut self, ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
        let t = ctx.t();
        for i in 0..self.n {
            let s = self.signal[t * self.n + i];
            if s.is_nan() || ctx.close(i).is_nan() {
                continue;
            }
            let position = ctx.position(i);
            let pending = ctx.broker().live_orders().any(|o| {
                o.request.symbol == i && o.role == crate::events::order::OrderRole::Strategy
            });
            if pending {
                continue;
            }
            // `f64::signum` of 0 is 1: the held side is spelled out.
            let held = if position > 0.0 {
                1.0
            } else if position < 0.0 {
                -1.0
            } else {
                0.0
            };
            if held == s {
                continue;
            }
            if position != 0.0 {
                ctx.exit(i)?;
                continue;
            }
            if s != 0.0 {
                let c = self.confidence[t * self.n + i];
                let side = if s > 0.0 {
                    oxfolio_risk::sizing::Side::Long
                } else {
                    oxfolio_risk::sizing::Side::Short
                };
                ctx.enter(
                    i,
                    Entry {
                        side,
                        confidence: (!c.is_nan()).then_some(c),
                        ..Entry::long(self.quantity)
                    },
                )?;
            }
        }
        Ok(())
    }
}
