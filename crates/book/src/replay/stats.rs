//! Summary statistics of a spread series and the two demonstration strategies run through
//! the simulator during a replay.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::order::Side;
use crate::replay::lean::{QuoteBar, QuoteTick, TradeTick};
use crate::replay::nbbo::Consolidated;
use crate::sim::{Quote, SimConfig, Simulator};

/// Distribution of a series (spreads, depths).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Distribution {
    /// Number of values.
    pub count: usize,
    /// Smallest.
    pub min: f64,
    /// Median (lower middle value).
    pub median: f64,
    /// Mean.
    pub mean: f64,
    /// 95th percentile (nearest rank).
    pub p95: f64,
    /// Largest.
    pub max: f64,
}

impl Distribution {
    /// Statistics of `values` (all zero when empty).
    pub fn of(values: &[f64]) -> Distribution {
        if values.is_empty() {
            return Distribution::default();
        }
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let rank = |q: f64| v[((q * n as f64).ceil() as usize).clamp(1, n) - 1];
        Distribution {
            count: n,
            min: v[0],
            median: v[(n - 1) / 2],
            mean: v.iter().sum::<f64>() / n as f64,
            p95: rank(0.95),
            max: v[n - 1],
        }
    }
}

/// What a demonstration strategy did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StrategyReport {
    /// Strategy name.
    pub name: String,
    /// Fills.
    pub fills: usize,
    /// Units bought and sold.
    pub volume: f64,
    /// Final position.
    pub position: f64,
    /// Commissions paid.
    pub commissions: f64,
    /// Cash plus position at the last mid, minus the starting cash.
    pub pnl: f64,
}

fn report(
    name: &str,
    sim: &Simulator,
    symbol: &str,
    last_mid: f64,
    start_cash: f64,
) -> StrategyReport {
    let prices = BTreeMap::from([(symbol.to_string(), last_mid)]);
    StrategyReport {
        name: name.into(),
        fills: sim.fills().len(),
        volume: sim.fills().iter().map(|f| f.qty).sum(),
        position: sim.position(symbol),
        commissions: sim.fills().iter().map(|f| f.commission).sum(),
        pnl: sim.portfolio_value(&prices) - start_cash,
    }
}

/// Liquidity taking on minute quote bars: hold +`size` after the mid rises, -`size`
/// after it falls, trading with market orders at the touch.
pub fn momentum_on_bars(
    bars: &[QuoteBar],
    symbol: &str,
    size: f64,
    scale: f64,
    config: SimConfig,
) -> StrategyReport {
    let start = 1_000_000.0;
    let mut sim = Simulator::new(start, config);
    let mut prev_mid: Option<f64> = None;
    let mut last_mid = 0.0;
    for b in bars
        .iter()
        .filter(|b| b.bid_close > 0 && b.ask_close > b.bid_close)
    {
        let (bid, ask) = (b.bid_close as f64 / scale, b.ask_close as f64 / scale);
        sim.on_quote(
            b.ms,
            symbol,
            Quote {
                bid,
                bid_size: b.bid_size as f64,
                ask,
                ask_size: b.ask_size as f64,
            },
        );
        let mid = (bid + ask) / 2.0;
        if let Some(p) = prev_mid {
            let target = if mid > p {
                size
            } else if mid < p {
                -size
            } else {
                sim.position(symbol)
            };
            let delta = target - sim.position(symbol);
            if delta != 0.0 {
                let side = if delta > 0.0 { Side::Buy } else { Side::Sell };
                sim.submit(b.ms, symbol, side, delta.abs(), None);
            }
        }
        prev_mid = Some(mid);
        last_mid = mid;
    }
    report("momentum_taker", &sim, symbol, last_mid, start)
}

/// The market maker's state: the simulator, the consolidated quotes, and its working
/// bid and ask (order id and price in ticks).
struct MarketMaker<'a> {
    sim: Simulator,
    book: Consolidated,
    bid: Option<(u64, i64)>,
    ask: Option<(u64, i64)>,
    symbol: &'a str,
    size: f64,
    max_position: f64,
    scale: f64,
    last_mid: f64,
}

impl MarketMaker<'_> {
    /// Withdraws both sides and posts again at the NBBO, within the position limits.
    fn requote(&mut self, ms: i64, bid: i64, ask: i64) {
        for id in [self.bid, self.ask].iter().flatten().map(|x| x.0) {
            self.sim.cancel(id);
        }
        let pos = self.sim.position(self.symbol);
        self.bid = (pos + self.size <= self.max_position).then(|| {
            (
                self.sim.submit(
                    ms,
                    self.symbol,
                    Side::Buy,
                    self.size,
                    Some(bid as f64 / self.scale),
                ),
                bid,
            )
        });
        self.ask = (pos - self.size >= -self.max_position).then(|| {
            (
                self.sim.submit(
                    ms,
                    self.symbol,
                    Side::Sell,
                    self.size,
                    Some(ask as f64 / self.scale),
                ),
                ask,
            )
        });
    }

    /// The NBBO when it is two-sided and not locked or crossed.
    fn tradable_nbbo(&self) -> Option<(i64, i64)> {
        match self.book.nbbo() {
            (Some(b), Some(a)) if a > b => Some((b, a)),
            _ => None,
        }
    }

    fn on_quote(&mut self, q: &QuoteTick) {
        self.book.apply(q);
        let Some((b, a)) = self.tradable_nbbo() else {
            return;
        };
        let (bid_size, ask_size) = self.book.nbbo_sizes();
        let before = self.sim.fills().len();
        let quote = Quote {
            bid: b as f64 / self.scale,
            bid_size: bid_size as f64,
            ask: a as f64 / self.scale,
            ask_size: ask_size as f64,
        };
        self.sim.on_quote(q.ms, self.symbol, quote);
        self.last_mid = (b + a) as f64 / 2.0 / self.scale;
        let moved = self.bid.is_none_or(|x| x.1 != b) || self.ask.is_none_or(|x| x.1 != a);
        if moved || self.sim.fills().len() != before {
            self.requote(q.ms, b, a);
        }
    }

    fn on_trade(&mut self, t: &TradeTick) {
        let before = self.sim.fills().len();
        self.sim
            .on_trade(t.ms, self.symbol, t.price as f64 / self.scale, t.qty as f64);
        if self.sim.fills().len() != before {
            if let Some((b, a)) = self.tradable_nbbo() {
                self.requote(t.ms, b, a);
            }
        }
    }
}

/// Market making on quote (and trade) ticks: keep one bid and one ask of `size` at the
/// NBBO when it is neither locked nor crossed, re-posted after fills and NBBO changes,
/// within +-`max_position`. Fills come from quotes crossing the orders and from the
/// day's trades (with queue tracking); quotes stamped in a trade's millisecond come first.
pub fn market_maker(
    quotes: &[QuoteTick],
    trades: &[TradeTick],
    symbol: &str,
    size: f64,
    max_position: f64,
    scale: f64,
    config: SimConfig,
) -> StrategyReport {
    let start = 1_000_000.0;
    let mut mm = MarketMaker {
        sim: Simulator::new(start, config),
        book: Consolidated::default(),
        bid: None,
        ask: None,
        symbol,
        size,
        max_position,
        scale,
        last_mid: 0.0,
    };
    let mut ti = 0;
    for q in quotes {
        while ti < trades.len() && trades[ti].ms < q.ms {
            mm.on_trade(&trades[ti]);
            ti += 1;
        }
        mm.on_quote(q);
    }
    for t in &trades[ti..] {
        mm.on_trade(t);
    }
    report("market_maker", &mm.sim, symbol, mm.last_mid, start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribution_by_hand() {
        let d = Distribution::of(&[4.0, 1.0, 3.0, 2.0]);
        assert_eq!(
            (d.count, d.min, d.median, d.mean, d.max),
            (4, 1.0, 2.0, 2.5, 4.0)
        );
        assert_eq!(d.p95, 4.0);
        assert_eq!(Distribution::of(&[]).count, 0);
    }
}
