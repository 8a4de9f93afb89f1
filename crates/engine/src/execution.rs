//! Execution model: fill prices along the session, impact, costs, lot rounding, and the
//! trailing average daily volume the participation cap uses.

use crate::config::{BacktestConfig, FillPrice};

/// Price of fill `k` (0-based) of `n` on a day with the given bar, before impact. Without
/// an open (close-only data) every fill is at the close.
pub fn fill_price(
    model: FillPrice,
    k: usize,
    n: usize,
    open: f64,
    high: f64,
    low: f64,
    close: f64,
) -> f64 {
    if open.is_nan() {
        return close;
    }
    match model {
        FillPrice::Path => {
            if n <= 1 {
                open
            } else {
                open + (close - open) * k as f64 / (n - 1) as f64
            }
        }
        FillPrice::Typical => (high + low + close) / 3.0,
        FillPrice::Open => open,
        FillPrice::Close => close,
    }
}

/// The one impact rule of both strategy levels (`rate = impact_bps / 10,000`): a buy
/// pays `price x (1 + rate)`, a sell receives `price x (1 - rate)`, whatever the bar's
/// range (the trade's own impact is not in the recorded bars).
#[inline]
pub fn with_impact(price: f64, buy: bool, rate: f64) -> f64 {
    if buy {
        price * (1.0 + rate)
    } else {
        price * (1.0 - rate)
    }
}

/// Impact and costs as rates, computed once per run (a division by 10,000 per fill was
/// a measurable share of a large run).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CostModel {
    /// `impact_bps / 10,000`.
    pub impact_rate: f64,
    /// `transaction_cost_bps / 10,000`.
    pub cost_rate: f64,
    /// Commission per share or contract.
    pub per_share: f64,
    /// Minimum commission per fill.
    pub minimum: f64,
    /// True when a per-share commission or a minimum applies.
    pub commission: bool,
}

impl CostModel {
    /// The rates of `config`.
    pub fn new(config: &BacktestConfig) -> CostModel {
        CostModel {
            impact_rate: config.impact_bps / 10_000.0,
            cost_rate: config.transaction_cost_bps / 10_000.0,
            per_share: config.commission_per_share,
            minimum: config.commission_min,
            commission: config.commission_per_share > 0.0 || config.commission_min > 0.0,
        }
    }

    /// The price after impact: buys pay `(1 + impact)`, sells receive `(1 - impact)`.
    pub fn with_impact(&self, price: f64, quantity: f64) -> f64 {
        with_impact(price, quantity > 0.0, self.impact_rate)
    }

    /// Cost of a fill: `transaction_cost_bps` of its notional, plus a per-share
    /// commission with a minimum (when either is set).
    pub fn fill_cost(&self, quantity: f64, price: f64, multiplier: f64) -> f64 {
        let mut cost = quantity.abs() * price * multiplier * self.cost_rate;
        if self.commission && quantity != 0.0 {
            cost += (quantity.abs() * self.per_share).max(self.minimum);
        }
        cost
    }
}

/// `quantity` rounded toward zero to whole lots (unchanged when `lot` is 0, meaning
/// fractional units).
pub fn round_to_lots(quantity: f64, lot: f64) -> f64 {
    if lot <= 0.0 {
        return quantity;
    }
    // A tolerance keeps 2.9999999999 lots from becoming 2.
    let lots = (quantity.abs() / lot + 1e-9).floor();
    quantity.signum() * lots * lot
}

/// Splits `quantity` into `n` fills of whole lots: equal parts, the leftover lots going
/// to the first fills. With fractional units the parts are equal.
pub fn split(quantity: f64, n: usize, lot: f64, out: &mut [f64]) {
    let out = &mut out[..n];
    if lot <= 0.0 {
        out.iter_mut().for_each(|q| *q = quantity / n as f64);
        return;
    }
    let lots = (quantity.abs() / lot + 1e-9).floor() as u64;
    let base = lots / n as u64;
    let extra = (lots % n as u64) as usize;
    for (k, q) in out.iter_mut().enumerate() {
        let l = base + u64::from(k < extra);
        *q = quantity.signum() * l as f64 * lot;
    }
}

/// Trailing average daily volume over a window of days before the decision, kept as
/// running sums (`NaN` volumes are skipped).
#[derive(Clone, Debug)]
pub struct TrailingVolume {
    window: usize,
    sums: Vec<f64>,
    counts: Vec<u32>,
    average: Vec<f64>,
}

impl TrailingVolume {
    /// Sums over dates `first.saturating_sub(window)..first` of `volumes` (time-major).
    pub fn new(volumes: &[f64], n: usize, window: usize, first: usize) -> TrailingVolume {
        let mut tv = TrailingVolume {
            window,
            sums: vec![0.0; n],
            counts: vec![0; n],
            average: vec![f64::NAN; n],
        };
        for t in first.saturating_sub(window)..first {
            tv.add(&volumes[t * n..(t + 1) * n], 1.0);
        }
        tv.refresh();
        tv
    }

    fn add(&mut self, row: &[f64], sign: f64) {
        for ((s, c), v) in self.sums.iter_mut().zip(&mut self.counts).zip(row) {
            if !v.is_nan() {
                *s += sign * v;
                if sign > 0.0 {
                    *c += 1;
                } else {
                    *c -= 1;
                }
            }
        }
    }

    fn refresh(&mut self) {
        for ((a, s), c) in self.average.iter_mut().zip(&self.sums).zip(&self.counts) {
            *a = if *c == 0 {
                f64::NAN
            } else {
                (s / f64::from(*c)).max(0.0)
            };
        }
    }

    /// Moves the window past date `t` (adds `t`, drops `t - window`).
    pub fn advance(&mut self, volumes: &[f64], n: usize, t: usize) {
        self.add(&volumes[t * n..(t + 1) * n], 1.0);
        if t >= self.window {
            let old = t - self.window;
            self.add(&volumes[old * n..(old + 1) * n], -1.0);
        }
        self.refresh();
    }

    /// The averages.
    pub fn average(&self) -> &[f64] {
        &self.average
    }
}
