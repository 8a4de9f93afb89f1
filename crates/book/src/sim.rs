//! A tick-driven execution simulator: our orders against recorded market data.
//!
//! | event | rule |
//! |---|---|
//! | market order, quote known | fills at once, whole quantity, at the touch (ask for a buy, bid for a sell) worsened by `slippage_ticks` |
//! | market order, no quote yet | waits for the first quote, then as above |
//! | limit order crossing the touch on arrival | fills at once at the touch (price improvement) |
//! | resting limit buy, later quote with ask <= limit | fills at the limit |
//! | resting limit buy, trade printed below the limit | fills at the limit (the market traded through) |
//! | resting limit buy, trade at the limit, no queue tracking | fills at the limit |
//! | resting limit buy, trade at the limit, queue tracking | the trade's size first consumes the volume ahead (the bid size displayed at the limit when the order joined it; 0 when it improved the bid); what is left fills the order, up to its size |
//! | sells | mirror images |
//!
//! Commission per fill = max(`min_commission`, `per_share` x units + `bps` x notional /
//! 10,000). Cash moves by the fill's notional and the commission; positions are signed.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::order::Side;

/// Costs and options of the simulator.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SimConfig {
    /// Price tick, for slippage.
    pub tick: f64,
    /// Market orders fill this many ticks worse than the touch.
    pub slippage_ticks: f64,
    /// Commission per unit.
    pub per_share: f64,
    /// Commission in basis points of notional.
    pub bps: f64,
    /// Smallest commission per fill.
    pub min_commission: f64,
    /// Resting orders wait for the volume ahead of them to trade.
    pub queue_tracking: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            tick: 0.01,
            slippage_ticks: 0.0,
            per_share: 0.0,
            bps: 0.0,
            min_commission: 0.0,
            queue_tracking: true,
        }
    }
}

/// A quote: best bid and ask with their sizes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Quote {
    /// Best bid.
    pub bid: f64,
    /// Units at the bid.
    pub bid_size: f64,
    /// Best ask.
    pub ask: f64,
    /// Units at the ask.
    pub ask_size: f64,
}

/// One of our fills.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SimFill {
    /// Time (nanoseconds, or whatever clock the data uses).
    pub time: i64,
    /// Order id.
    pub order: u64,
    /// Symbol.
    pub symbol: String,
    /// Buy or sell.
    pub side: Side,
    /// Units.
    pub qty: f64,
    /// Price.
    pub price: f64,
    /// Commission paid.
    pub commission: f64,
    /// True when our order provided liquidity (a resting limit).
    pub maker: bool,
}

#[derive(Clone, Debug, PartialEq)]
struct SimOrder {
    id: u64,
    symbol: String,
    side: Side,
    remaining: f64,
    limit: Option<f64>,
    queue_ahead: f64,
}

/// The simulator's state.
#[derive(Clone, Debug, PartialEq)]
pub struct Simulator {
    config: SimConfig,
    cash: f64,
    positions: BTreeMap<String, f64>,
    quotes: BTreeMap<String, Quote>,
    open: Vec<SimOrder>,
    fills: Vec<SimFill>,
    next_id: u64,
}

impl Simulator {
    /// A simulator with `cash` and no positions.
    pub fn new(cash: f64, config: SimConfig) -> Simulator {
        Simulator {
            config,
            cash,
            positions: BTreeMap::new(),
            quotes: BTreeMap::new(),
            open: Vec::new(),
            fills: Vec::new(),
            next_id: 1,
        }
    }

    /// Cash.
    pub fn cash(&self) -> f64 {
        self.cash
    }

    /// Signed position in a symbol.
    pub fn position(&self, symbol: &str) -> f64 {
        self.positions.get(symbol).copied().unwrap_or(0.0)
    }

    /// Every fill so far (the trades table).
    pub fn fills(&self) -> &[SimFill] {
        &self.fills
    }

    /// Orders still open.
    pub fn open_orders(&self) -> usize {
        self.open.len()
    }

    /// Cash plus positions valued at `prices` (a missing price values at the last mid).
    pub fn portfolio_value(&self, prices: &BTreeMap<String, f64>) -> f64 {
        self.cash
            + self
                .positions
                .iter()
                .map(|(s, q)| {
                    let p = prices
                        .get(s)
                        .copied()
                        .or_else(|| self.quotes.get(s).map(|q| (q.bid + q.ask) / 2.0))
                        .unwrap_or(0.0);
                    q * p
                })
                .sum::<f64>()
    }

    /// Submits a market order (`limit` None) or a limit order; returns its id.
    pub fn submit(
        &mut self,
        time: i64,
        symbol: &str,
        side: Side,
        qty: f64,
        limit: Option<f64>,
    ) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let queue_ahead = match (limit, self.quotes.get(symbol)) {
            (Some(l), Some(q)) => match side {
                Side::Buy if l == q.bid => q.bid_size,
                Side::Sell if l == q.ask => q.ask_size,
                _ => 0.0,
            },
            _ => 0.0,
        };
        self.open.push(SimOrder {
            id,
            symbol: symbol.to_string(),
            side,
            remaining: qty,
            limit,
            queue_ahead,
        });
        if let Some(q) = self.quotes.get(symbol).copied() {
            self.match_quote(time, symbol, &q, true);
        }
        id
    }

    /// Cancels an open order; false when it is not open.
    pub fn cancel(&mut self, id: u64) -> bool {
        let before = self.open.len();
        self.open.retain(|o| o.id != id);
        self.open.len() != before
    }

    /// A new best bid and ask for `symbol`.
    pub fn on_quote(&mut self, time: i64, symbol: &str, quote: Quote) {
        self.quotes.insert(symbol.to_string(), quote);
        self.match_quote(time, symbol, &quote, false);
    }

    /// A trade printed in the market.
    pub fn on_trade(&mut self, time: i64, symbol: &str, price: f64, size: f64) {
        let mut fills = Vec::new();
        for o in self.open.iter_mut().filter(|o| o.symbol == symbol) {
            let Some(limit) = o.limit else { continue };
            let through = match o.side {
                Side::Buy => price < limit,
                Side::Sell => price > limit,
            };
            let at = price == limit;
            let qty = if through {
                o.remaining
            } else if at && !self.config.queue_tracking {
                o.remaining.min(size)
            } else if at {
                let left = size - o.queue_ahead;
                o.queue_ahead = (o.queue_ahead - size).max(0.0);
                left.max(0.0).min(o.remaining)
            } else {
                0.0
            };
            if qty > 0.0 {
                o.remaining -= qty;
                fills.push((o.id, o.side, qty, limit));
            }
        }
        for (id, side, qty, p) in fills {
            self.record(time, id, symbol, side, qty, p, true);
        }
        self.open.retain(|o| o.remaining > 0.0);
    }

    fn match_quote(&mut self, time: i64, symbol: &str, q: &Quote, arrival: bool) {
        let slip = self.config.slippage_ticks * self.config.tick;
        let mut fills = Vec::new();
        for o in self.open.iter_mut().filter(|o| o.symbol == symbol) {
            let (touch, touch_ok) = match o.side {
                Side::Buy => (q.ask, q.ask > 0.0),
                Side::Sell => (q.bid, q.bid > 0.0),
            };
            if !touch_ok {
                continue;
            }
            let price = match o.limit {
                None => Some(match o.side {
                    Side::Buy => touch + slip,
                    Side::Sell => touch - slip,
                }),
                Some(l) => {
                    let crossed = match o.side {
                        Side::Buy => touch <= l,
                        Side::Sell => touch >= l,
                    };
                    // On arrival a marketable limit takes the touch; later the market
                    // comes to the resting order at its limit.
                    crossed.then_some(if arrival { touch } else { l })
                }
            };
            if let Some(p) = price {
                fills.push((o.id, o.side, o.remaining, p, o.limit.is_some() && !arrival));
                o.remaining = 0.0;
            }
        }
        for (id, side, qty, p, maker) in fills {
            self.record(time, id, symbol, side, qty, p, maker);
        }
        self.open.retain(|o| o.remaining > 0.0);
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        time: i64,
        order: u64,
        symbol: &str,
        side: Side,
        qty: f64,
        price: f64,
        maker: bool,
    ) {
        let c = &self.config;
        let commission = (c.per_share * qty + c.bps * qty * price / 1e4).max(c.min_commission);
        let signed = match side {
            Side::Buy => qty,
            Side::Sell => -qty,
        };
        self.cash -= signed * price + commission;
        *self.positions.entry(symbol.to_string()).or_default() += signed;
        self.fills.push(SimFill {
            time,
            order,
            symbol: symbol.to_string(),
            side,
            qty,
            price,
            commission,
            maker,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quote(bid: f64, ask: f64) -> Quote {
        Quote {
            bid,
            bid_size: 300.0,
            ask,
            ask_size: 200.0,
        }
    }

    #[test]
    fn market_orders_take_the_touch_plus_slippage() {
        let cfg = SimConfig {
            slippage_ticks: 1.0,
            per_share: 0.005,
            min_commission: 1.0,
            ..SimConfig::default()
        };
        let mut s = Simulator::new(10_000.0, cfg);
        s.submit(0, "X", Side::Buy, 100.0, None);
        assert_eq!(s.fills().len(), 0, "no quote yet");
        s.on_quote(1, "X", quote(10.00, 10.02));
        assert_eq!(s.fills()[0].price, 10.03);
        // 100 x 0.005 = 0.5, below the minimum of 1.
        assert_eq!(s.fills()[0].commission, 1.0);
        assert!((s.cash() - (10_000.0 - 1_003.0 - 1.0)).abs() < 1e-9);
        assert_eq!(s.position("X"), 100.0);
        let v = s.portfolio_value(&BTreeMap::from([("X".to_string(), 10.5)]));
        assert!((v - (8_996.0 + 1_050.0)).abs() < 1e-9);
    }

    #[test]
    fn resting_limits_wait_for_the_queue() {
        let mut s = Simulator::new(0.0, SimConfig::default());
        s.on_quote(0, "X", quote(10.00, 10.02));
        // Joins a bid of 300: 300 must trade first.
        s.submit(1, "X", Side::Buy, 100.0, Some(10.00));
        s.on_trade(2, "X", 10.00, 250.0);
        assert!(s.fills().is_empty());
        s.on_trade(3, "X", 10.00, 80.0);
        assert_eq!(s.fills()[0].qty, 30.0);
        s.on_trade(4, "X", 9.99, 1.0);
        assert_eq!(
            s.fills()[1].qty,
            70.0,
            "a trade through the limit fills the rest"
        );
        assert_eq!(s.position("X"), 100.0);
        // A limit that improves the bid has no queue ahead; a quote crossing it fills it.
        s.submit(5, "X", Side::Sell, 50.0, Some(10.01));
        s.on_quote(6, "X", quote(10.01, 10.03));
        assert_eq!(s.fills()[2].price, 10.01);
        assert!(s.fills()[2].maker);
        assert_eq!(s.open_orders(), 0);
        // A marketable limit fills at the touch.
        s.submit(7, "X", Side::Buy, 10.0, Some(10.05));
        assert_eq!(s.fills()[3].price, 10.03);
        assert!(!s.fills()[3].maker);
        let id = s.submit(8, "X", Side::Buy, 10.0, Some(9.0));
        assert!(s.cancel(id) && !s.cancel(id));
    }
}
