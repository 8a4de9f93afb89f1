//! The equity curve of a run, recorded as it goes. A busy bar (orders live, events,
//! settlement) records the ledger's equity at the broker's marks; a stretch of quiet bars
//! (no order live, so no fill and no cash change) is valued after it from its closes, the
//! holdings and cash fixed through it: `cash + sum(quantity x mark x multiplier)` over the
//! symbols held, in index order, the mark the last close seen (the last fill price before
//! any), which is what `Ledger::equity` gives at the broker's marks, to the bit. The
//! closes of a stretch were just read by the loop, so valuing them together costs no
//! second pass over memory.

use oxfolio_core::memory::advise_huge_pages;

use super::broker::Broker;

/// A symbol held through a quiet stretch.
#[derive(Clone, Copy, Debug)]
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

/// Equity at the end of each bar of a run, in bar order.
#[derive(Debug)]
pub(crate) struct EquityCurve {
    values: Vec<f64>,
    multipliers: Vec<f64>,
    /// Cash and holdings of the quiet stretch under way.
    cash: f64,
    held: Vec<Held>,
}

impl EquityCurve {
    /// Room for `bars` values; `multipliers` per symbol.
    pub fn new(bars: usize, multipliers: Vec<f64>) -> EquityCurve {
        let mut values = Vec::with_capacity(bars);
        advise_huge_pages(&mut values);
        EquityCurve {
            values,
            multipliers,
            cash: 0.0,
            held: Vec::new(),
        }
    }

    /// Records a bar's equity.
    #[inline]
    pub fn push(&mut self, equity: f64) {
        self.values.push(equity);
    }

    /// The last bar's equity, to overwrite (closing positions at the end of the run).
    pub fn last_mut(&mut self) -> Option<&mut f64> {
        self.values.last_mut()
    }

    /// Takes the cash, holdings and marks before a quiet stretch's first bar.
    pub fn hold(&mut self, broker: &Broker) {
        let ledger = broker.ledger();
        self.cash = ledger.cash();
        self.held.clear();
        for (i, (&mark, &multiplier)) in broker.marks().iter().zip(&self.multipliers).enumerate() {
            let h = ledger.holding(i);
            if h.quantity != 0.0 {
                self.held.push(Held {
                    symbol: i,
                    quantity: h.quantity,
                    multiplier,
                    mark,
                    fallback: h.last_mark,
                });
            }
        }
    }

    /// Records the quiet stretch's bars, given their time-major closes (`n` a row), with
    /// the holdings taken by [`EquityCurve::hold`].
    pub fn extend_quiet(&mut self, closes: &[f64]) {
        let n = self.multipliers.len();
        let out = &mut self.values;
        let cash = self.cash;
        match (self.held.as_mut_slice(), n) {
            ([], _) => out.resize(out.len() + closes.len() / n.max(1), cash),
            ([h], 1) => {
                // One symbol in the market: its closes lie together. Without a gap every
                // close is the mark, so the stretch is one multiply-add per bar (in vector
                // registers); a gap (a `NaN` value out, noticed in the same pass) sends it
                // the general way.
                let from = out.len();
                let (q, m) = (h.quantity, h.multiplier);
                let mut gap = false;
                out.extend(closes.iter().map(|&close| {
                    let e = cash + q * close * m;
                    gap |= e.is_nan();
                    e
                }));
                if gap {
                    out.truncate(from);
                    out.extend(closes.iter().map(|&close| cash + h.value(close)));
                }
            }
            ([h], _) => {
                // One symbol held: its closes, every `n`-th value.
                let closes = closes[h.symbol..].iter().step_by(n);
                out.extend(closes.map(|&close| cash + h.value(close)));
            }
            (held, _) => out.extend(closes.chunks_exact(n).map(|row| {
                let mut e = cash;
                for h in held.iter_mut() {
                    e += h.value(row[h.symbol]);
                }
                e
            })),
        }
    }

    /// The values, one per bar.
    pub fn into_values(self) -> Vec<f64> {
        self.values
    }
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

        /// Recorded as the kernel records it, the curve equals the broker's equity read at
        /// every bar's end, to the bit: one to three symbols with gaps (`NaN` closes),
        /// fractional fills, longs and shorts.
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
            // As the kernel does: a bar with nothing live starts or continues a quiet
            // stretch (valued when it ends, with the bar where orders are placed), any
            // other bar records the broker's equity.
            let mut curve = EquityCurve::new(bars, multipliers.clone());
            let (mut expected, mut stretch) = (Vec::new(), None);
            // The run starts at bar 1: bar 0's closes are not marks.
            for t in 1..bars {
                let row = &closes[t * n..(t + 1) * n];
                let quiet = broker.idle();
                if quiet && stretch.is_none() {
                    curve.hold(&broker);
                    stretch = Some(t);
                }
                let bar_of = |i: usize| (!row[i].is_nan()).then(|| BarPrices::flat(row[i]));
                broker.process_bar(t, 0, 0, bar_of).unwrap();
                broker.mark(row);
                for &(_, i, q, sell) in orders.iter().filter(|o| o.0 == t) {
                    let (i, q) = (i % n, if sell { -q } else { q });
                    broker.submit(OrderRequest::market(i, q), OrderRole::Strategy, t).unwrap();
                }
                expected.push(broker.equity());
                if !quiet {
                    curve.push(broker.equity());
                } else if let Some(from) = stretch.filter(|_| !broker.idle() || t + 1 == bars) {
                    curve.extend_quiet(&closes[from * n..(t + 1) * n]);
                    stretch = None;
                }
            }
            let curve = curve.into_values();
            prop_assert_eq!(
                curve.iter().map(|e| e.to_bits()).collect::<Vec<_>>(),
                expected.iter().map(|e| e.to_bits()).collect::<Vec<_>>()
            );
        }
    }
}
