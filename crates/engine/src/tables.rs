//! Tables derived from a run's results and its market: weights and holding P&L per
//! symbol and day, trades by date, a summary by symbol.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::market::Market;
use crate::results::Results;

/// Holding P&L (positions carried from the previous close) and weights per traded day
/// and symbol, row-major `days x symbols`.
#[derive(Clone, Debug, PartialEq)]
pub struct Marks {
    /// Positions at each close.
    pub positions: Vec<f64>,
    /// Weights at each close (position value over equity).
    pub weights: Vec<f64>,
    /// Holding P&L per day and symbol.
    pub holding: Vec<f64>,
}

/// Rebuilds positions, weights and holding P&L from the results and the market.
pub fn marks(results: &Results, market: &Market) -> Marks {
    let n = results.symbols.len();
    let positions = results.positions();
    let days = results.daily.day.len();
    let mut weights = vec![0.0; days * n];
    let mut holding = vec![0.0; days * n];
    let mut last = vec![f64::NAN; n];
    for t in 0..=results.base_day {
        for (l, c) in last.iter_mut().zip(market.close_row(t)) {
            if !c.is_nan() {
                *l = *c;
            }
        }
    }
    let mut prev = results.initial_positions.clone();
    for (row, day) in results.daily.day.iter().enumerate() {
        let close = market.close_row(*day);
        let equity = results.daily.equity[row];
        for i in 0..n {
            let m = results.multipliers[i];
            if !close[i].is_nan() {
                if prev[i] != 0.0 {
                    holding[row * n + i] = prev[i] * (close[i] - last[i]) * m;
                }
                last[i] = close[i];
            }
            let q = positions[row * n + i];
            if q != 0.0 {
                weights[row * n + i] = q * last[i] * m / equity;
            }
        }
        prev.copy_from_slice(&positions[row * n..(row + 1) * n]);
    }
    Marks {
        positions,
        weights,
        holding,
    }
}

/// Trading activity on one date.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TradesOnDate {
    /// Market date index.
    pub day: usize,
    /// Fills.
    pub num_trades: usize,
    /// Distinct symbols filled.
    pub num_symbols: usize,
    /// Notional filled.
    pub notional: f64,
    /// Costs paid.
    pub cost: f64,
}

/// Fills grouped by date.
pub fn trades_by_date(results: &Results) -> Vec<TradesOnDate> {
    let mut out: Vec<TradesOnDate> = Vec::new();
    let mut symbols = BTreeSet::new();
    for f in &results.fills {
        if out.last().is_none_or(|d| d.day != f.day as usize) {
            symbols.clear();
            out.push(TradesOnDate {
                day: f.day as usize,
                num_trades: 0,
                num_symbols: 0,
                notional: 0.0,
                cost: 0.0,
            });
        }
        let Some(d) = out.last_mut() else { continue };
        d.num_trades += 1;
        if symbols.insert(f.symbol) {
            d.num_symbols += 1;
        }
        d.notional += f.quantity.abs() * f.price * results.multipliers[f.symbol as usize];
        d.cost += f.cost;
    }
    out
}

/// One symbol over the run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SymbolSummary {
    /// Symbol.
    pub symbol: String,
    /// Fills.
    pub num_fills: usize,
    /// Quantity bought.
    pub bought: f64,
    /// Quantity sold.
    pub sold: f64,
    /// Notional traded.
    pub notional: f64,
    /// Costs paid.
    pub costs: f64,
    /// Holding P&L.
    pub holding_pnl: f64,
    /// Executed P&L.
    pub executed_pnl: f64,
    /// External P&L.
    pub external_pnl: f64,
    /// Holding + executed - costs.
    pub total_pnl: f64,
    /// Position at the end.
    pub final_position: f64,
    /// Weight at the end.
    pub final_weight: f64,
}

/// Per-symbol totals.
pub fn summary_by_symbol(results: &Results, marks: &Marks) -> Vec<SymbolSummary> {
    let n = results.symbols.len();
    let days = results.daily.day.len();
    let mut out: Vec<SymbolSummary> = results
        .symbols
        .iter()
        .enumerate()
        .map(|(i, s)| SymbolSummary {
            symbol: s.clone(),
            num_fills: 0,
            bought: 0.0,
            sold: 0.0,
            notional: 0.0,
            costs: 0.0,
            holding_pnl: (0..days).map(|t| marks.holding[t * n + i]).sum(),
            executed_pnl: 0.0,
            external_pnl: 0.0,
            total_pnl: 0.0,
            final_position: if days > 0 {
                marks.positions[(days - 1) * n + i]
            } else {
                results.initial_positions[i]
            },
            final_weight: if days > 0 {
                marks.weights[(days - 1) * n + i]
            } else {
                0.0
            },
        })
        .collect();
    for f in &results.fills {
        let s = &mut out[f.symbol as usize];
        s.num_fills += 1;
        if f.quantity > 0.0 {
            s.bought += f.quantity;
        } else {
            s.sold -= f.quantity;
        }
        s.notional += f.quantity.abs() * f.price * results.multipliers[f.symbol as usize];
    }
    for o in &results.orders {
        let s = &mut out[o.symbol as usize];
        s.costs += o.costs;
        s.executed_pnl += o.executed_pnl;
        s.external_pnl += o.external_pnl;
    }
    for s in &mut out {
        s.total_pnl = s.holding_pnl + s.executed_pnl - s.costs;
    }
    out
}
