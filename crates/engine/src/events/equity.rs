//! The equity curve of cash-settled instruments, computed after the run from what changes
//! it: the fills (positions) and the sparse cash record, marked at the closes. Equity at
//! the end of bar `t` is `cash + sum(quantity x mark x multiplier)` over the symbols held,
//! in index order, where the mark is the last close seen since the run's first bar (the
//! last fill price before any): what `Ledger::equity` gives at the broker's marks, to the
//! bit, without a step in the event loop.

use std::ops::Range;

use super::broker::Fill;

/// The inputs of [`equity_curve`].
pub(crate) struct EquityInputs<'a> {
    /// Time-major closes of `n` symbols (`NaN`: no price).
    pub closes: &'a [f64],
    /// Contract multipliers, one per symbol.
    pub multipliers: &'a [f64],
    /// Bars of the run (calendar indices).
    pub bars: Range<usize>,
    /// Cash before the first bar.
    pub initial_cash: f64,
    /// Cash after each bar where it changed, as (bar, cash), by bar.
    pub cash: &'a [(usize, f64)],
    /// Every fill, in the order booked.
    pub fills: &'a [Fill],
}

/// A symbol held through a stretch of bars.
struct Held {
    symbol: usize,
    quantity: f64,
    multiplier: f64,
    /// The last close seen.
    mark: f64,
    /// The last fill price (the ledger's mark before any close).
    fallback: f64,
}

impl Held {
    /// The position's value at a bar with this close (`NaN`: the last mark).
    #[inline]
    fn value(&mut self, close: f64) -> f64 {
        if !close.is_nan() {
            self.mark = close;
        }
        let p = if self.mark.is_nan() {
            self.fallback
        } else {
            self.mark
        };
        self.quantity * p * self.multiplier
    }
}

/// Equity at the end of each bar of the run.
pub(crate) fn equity_curve(input: &EquityInputs<'_>) -> Vec<f64> {
    let n = input.multipliers.len();
    let Range { start, end } = input.bars.clone();
    let mut out = Vec::with_capacity(end.saturating_sub(start));
    let mut quantity = vec![0.0; n];
    let mut last_price = vec![f64::NAN; n];
    let mut held: Vec<Held> = Vec::new();
    let mut cash = input.initial_cash;
    let (mut fills, mut changes) = (input.fills.iter().peekable(), input.cash.iter().peekable());
    let mut t = start;
    while t < end {
        let mut traded = false;
        while let Some(f) = fills.next_if(|f| f.bar <= t) {
            quantity[f.symbol] += f.quantity;
            last_price[f.symbol] = f.price;
            traded = true;
        }
        while let Some(&(_, c)) = changes.next_if(|c| c.0 <= t) {
            cash = c;
        }
        if traded {
            held.clear();
            for i in (0..n).filter(|&i| quantity[i] != 0.0) {
                held.push(Held {
                    symbol: i,
                    quantity: quantity[i],
                    multiplier: input.multipliers[i],
                    // Marks of symbols not held were not kept: the last close up to now.
                    mark: (start..t + 1)
                        .rev()
                        .map(|s| input.closes[s * n + i])
                        .find(|c| !c.is_nan())
                        .unwrap_or(f64::NAN),
                    fallback: last_price[i],
                });
            }
        }
        // Nothing changes the positions or the cash before the next fill or cash change.
        let next = [fills.peek().map(|f| f.bar), changes.peek().map(|c| c.0)];
        let until = next.into_iter().flatten().fold(end, usize::min).max(t + 1);
        if held.is_empty() {
            out.resize(out.len() + (until - t), cash);
        } else if let ([h], 1) = (held.as_mut_slice(), n) {
            // One symbol in the market: its closes lie together. Without a gap every
            // close is the mark, so the stretch is one multiply-add per bar (in vector
            // registers); a gap (a `NaN` value out) sends it the general way.
            let closes = &input.closes[t..until];
            let from = out.len();
            let (q, m) = (h.quantity, h.multiplier);
            out.extend(closes.iter().map(|&close| cash + q * close * m));
            if out[from..].iter().fold(false, |gap, e| gap | e.is_nan()) {
                out.truncate(from);
                out.extend(closes.iter().map(|&close| cash + h.value(close)));
            } else if let Some(&last) = closes.last() {
                h.mark = last;
            }
        } else if let [h] = held.as_mut_slice() {
            // One symbol held (the common case): its closes, every `n`-th value.
            let closes = input.closes[t * n + h.symbol..].iter().step_by(n);
            out.extend(closes.take(until - t).map(|&close| cash + h.value(close)));
        } else {
            let rows = input.closes[t * n..until * n].chunks_exact(n);
            out.extend(rows.map(|row| {
                let mut e = cash;
                for h in held.iter_mut() {
                    e += h.value(row[h.symbol]);
                }
                e
            }));
        }
        t = until;
    }
    out
}

#[cfg(test)]
mod tests {
    use oxfolio_core::ledger::{Instrument, Settlement};
    use proptest::prelude::*;

    use super::*;
    use crate::events::broker::Broker;
    use crate::events::costs::{CommissionModel, SlippageModel};
    use crate::events::execution::ExecutionConfig;
    use crate::events::fill::BarPrices;
    use crate::events::order::{OrderRequest, OrderRole};

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// The curve equals the broker's equity read at every bar's end, to the bit: one
        /// to three symbols with gaps (`NaN` closes), fractional fills, longs and shorts.
        #[test]
        fn equals_the_ledger_at_the_marks(
            n in 1usize..4,
            closes in prop::collection::vec(prop::option::weighted(0.85, 50.0f64..150.0), 3..90),
            orders in prop::collection::vec((0usize..30, 0usize..3, 0.1f64..7.0, any::<bool>()), 0..20),
            multiplier in prop::sample::select(vec![1.0, 0.5, 50.0]),
        ) {
            let bars = closes.len() / n;
            let closes: Vec<f64> = closes[..bars * n].iter().map(|c| c.unwrap_or(f64::NAN)).collect();
            let multipliers = [multiplier, 1.0, 1.0][..n].to_vec();
            let instruments = (0..n)
                .map(|i| Instrument {
                    symbol: format!("S{i}"),
                    settlement: Settlement::Cash,
                    multiplier: multipliers[i],
                })
                .collect();
            let execution = ExecutionConfig {
                allow_short: true,
                margin: true,
                max_leverage: 100.0,
                fractional: true,
                ..ExecutionConfig::default()
            };
            let mut broker = Broker::new(
                instruments,
                1e5,
                execution,
                Box::new(SlippageModel::None),
                Box::new(CommissionModel::Percent { rate: 1e-3 }),
                16,
            )
            .unwrap();
            let (mut expected, mut cash) = (Vec::new(), Vec::new());
            // The run starts at bar 1: bar 0's closes are not marks.
            for t in 1..bars {
                let row = &closes[t * n..(t + 1) * n];
                let bar_of = |i: usize| (!row[i].is_nan()).then(|| BarPrices::flat(row[i]));
                broker.process_bar(t, 0, 0, bar_of).unwrap();
                broker.mark(row);
                for &(_, i, q, sell) in orders.iter().filter(|o| o.0 == t) {
                    let (i, q) = (i % n, if sell { -q } else { q });
                    broker.submit(OrderRequest::market(i, q), OrderRole::Strategy, t).unwrap();
                }
                expected.push(broker.equity());
                if cash.last().map_or(1e5, |c: &(usize, f64)| c.1) != broker.cash() {
                    cash.push((t, broker.cash()));
                }
            }
            let curve = equity_curve(&EquityInputs {
                closes: &closes,
                multipliers: &multipliers,
                bars: 1..bars,
                initial_cash: 1e5,
                cash: &cash,
                fills: broker.fills(),
            });
            prop_assert_eq!(
                curve.iter().map(|e| e.to_bits()).collect::<Vec<_>>(),
                expected.iter().map(|e| e.to_bits()).collect::<Vec<_>>()
            );
        }
    }
}
