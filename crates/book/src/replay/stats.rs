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

/// Our working bid and ask: order id and price in ticks.
type Quoted = (Option<(u64, i64)>, Option<(u64, i64)>);

/// Market making on quote and trade ticks: keep one bid and one ask of `size` at the
/// NBBO (re-posted after fills and NBBO changes), within +-`max_position`; fills come
/// from the day's trades with queue tracking.
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
    let mut sim = Simulator::new(start, config);
    let mut book = Consolidated::default();
    let mut quoted: Quoted = (None, None);
    let mut last_mid = 0.0;
    let mut qi = 0;
    let requote = |sim: &mut Simulator, ms: i64, bid: i64, ask: i64, quoted: &mut Quoted| {
        let pos = sim.position(symbol);
        let open_ids: Vec<u64> = [quoted.0, quoted.1].iter().flatten().map(|x| x.0).collect();
        let stale_bid = quoted.0.is_none_or(|(_, p)| p != bid);
        let stale_ask = quoted.1.is_none_or(|(_, p)| p != ask);
        if stale_bid || stale_ask {
            for id in open_ids {
                sim.cancel(id);
            }
            *quoted = (None, None);
            if pos + size <= max_position {
                quoted.0 = Some((
                    sim.submit(ms, symbol, Side::Buy, size, Some(bid as f64 / scale)),
                    bid,
                ));
            }
            if pos - size >= -max_position {
                quoted.1 = Some((
                    sim.submit(ms, symbol, Side::Sell, size, Some(ask as f64 / scale)),
                    ask,
                ));
            }
        }
    };
    for t in trades {
        while qi < quotes.len() && quotes[qi].ms <= t.ms {
            let q = &quotes[qi];
            book.apply(q);
            if let (Some(b), Some(a)) = book.nbbo() {
                if a > b {
                    let quote = Quote {
                        bid: b as f64 / scale,
                        bid_size: q.bid_size as f64,
                        ask: a as f64 / scale,
                        ask_size: q.ask_size as f64,
                    };
                    sim.on_quote(q.ms, symbol, quote);
                    last_mid = (b + a) as f64 / 2.0 / scale;
                    requote(&mut sim, q.ms, b, a, &mut quoted);
                }
            }
            qi += 1;
        }
        let before = sim.fills().len();
        sim.on_trade(t.ms, symbol, t.price as f64 / scale, t.qty as f64);
        if sim.fills().len() != before {
            // A side filled: withdraw the other and post both again at the current NBBO.
            for id in [quoted.0, quoted.1].iter().flatten().map(|x| x.0) {
                sim.cancel(id);
            }
            quoted = (None, None);
            if let (Some(b), Some(a)) = book.nbbo() {
                if a > b {
                    requote(&mut sim, t.ms, b, a, &mut quoted);
                }
            }
        }
    }
    report("market_maker", &sim, symbol, last_mid, start)
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
