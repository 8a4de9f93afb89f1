//! A limit order book with price-time priority.
//!
//! | event | rule |
//! |---|---|
//! | limit order, GTC | trades against the opposite side while the best opposite price is at or better than its limit, at each resting order's price, oldest first within a level; the remainder rests at its limit, behind every order already there |
//! | limit order, IOC | trades as above; the remainder is cancelled |
//! | limit order, FOK | trades as above only if the whole quantity is available at acceptable prices; otherwise rejected with no trade |
//! | post-only | rejected if it would trade on arrival; otherwise rests |
//! | market order | trades against the opposite side at any price until filled or the side is empty; the remainder is cancelled, never rests |
//! | cancel | removes the resting order; an unknown id is an error |
//! | modify, size decrease at the same price | in place: keeps its time priority |
//! | modify, price change or size increase | cancel and replace: goes to the back of its (new) level, and trades first if the new price crosses |
//!
//! Resting orders are kept per price level in arrival order; an index from order id to
//! side and price makes cancels O(level length).

use std::collections::{BTreeMap, VecDeque};

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::error::BookError;
use crate::order::{
    Execution, Fill, NewOrder, OrderId, OrderKind, Price, Qty, Reject, Side, TimeInForce,
};

/// One resting order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Resting {
    /// Id.
    pub id: OrderId,
    /// Units left.
    pub qty: Qty,
}

/// The orders at one price, oldest first.
#[derive(Clone, Debug, Default, PartialEq)]
struct Level {
    orders: VecDeque<Resting>,
    total: Qty,
}

/// An aggregated price level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LevelView {
    /// Price in ticks.
    pub price: Price,
    /// Total resting units.
    pub qty: Qty,
    /// Number of orders.
    pub orders: usize,
}

/// Aggregated depth of both sides.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Depth {
    /// Bids, best (highest) first.
    pub bids: Vec<LevelView>,
    /// Asks, best (lowest) first.
    pub asks: Vec<LevelView>,
}

/// Running totals, for conservation checks: every unit that entered the book is
/// resting, traded or cancelled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Units of accepted orders (rejected orders are not counted).
    pub added: u128,
    /// Units traded, counted once per trade.
    pub traded: u128,
    /// Units cancelled (cancels, IOC and market remainders, the removed part of a
    /// modify).
    pub cancelled: u128,
}

/// A limit order book for one instrument.
#[derive(Clone, Debug, Default)]
pub struct OrderBook {
    bids: BTreeMap<Price, Level>,
    asks: BTreeMap<Price, Level>,
    index: FxHashMap<OrderId, (Side, Price)>,
    totals: Totals,
}

impl OrderBook {
    /// An empty book.
    pub fn new() -> OrderBook {
        OrderBook::default()
    }

    /// Highest bid: price and total units.
    pub fn best_bid(&self) -> Option<(Price, Qty)> {
        self.bids.iter().next_back().map(|(p, l)| (*p, l.total))
    }

    /// Lowest ask: price and total units.
    pub fn best_ask(&self) -> Option<(Price, Qty)> {
        self.asks.iter().next().map(|(p, l)| (*p, l.total))
    }

    /// Best ask minus best bid, in ticks.
    pub fn spread(&self) -> Option<Price> {
        Some(self.best_ask()?.0 - self.best_bid()?.0)
    }

    /// Mid price, in ticks (may be a half tick).
    pub fn mid(&self) -> Option<f64> {
        Some((self.best_ask()?.0 + self.best_bid()?.0) as f64 / 2.0)
    }

    /// The best `n` levels of each side.
    pub fn depth(&self, n: usize) -> Depth {
        let view = |(p, l): (&Price, &Level)| LevelView {
            price: *p,
            qty: l.total,
            orders: l.orders.len(),
        };
        Depth {
            bids: self.bids.iter().rev().take(n).map(view).collect(),
            asks: self.asks.iter().take(n).map(view).collect(),
        }
    }

    /// Every resting order of one side, best level first, oldest first within a level
    /// (the L3 view).
    pub fn orders(&self, side: Side) -> Vec<(Price, Resting)> {
        fn flatten<'a>(
            (p, l): (&'a Price, &'a Level),
        ) -> impl Iterator<Item = (Price, Resting)> + 'a {
            l.orders.iter().map(move |o| (*p, *o))
        }
        match side {
            Side::Buy => self.bids.iter().rev().flat_map(flatten).collect(),
            Side::Sell => self.asks.iter().flat_map(flatten).collect(),
        }
    }

    /// Side and price of a resting order.
    pub fn locate(&self, id: OrderId) -> Option<(Side, Price)> {
        self.index.get(&id).copied()
    }

    /// Number of resting orders.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when nothing rests.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Running totals of units added, traded and cancelled.
    pub fn totals(&self) -> Totals {
        self.totals
    }

    /// Units resting on both sides.
    pub fn resting_qty(&self) -> u128 {
        self.bids
            .values()
            .chain(self.asks.values())
            .map(|l| u128::from(l.total))
            .sum()
    }

    /// Submits an order, appending its trades to `fills`.
    pub fn submit_into(
        &mut self,
        order: NewOrder,
        fills: &mut Vec<Fill>,
    ) -> Result<Execution, BookError> {
        if order.qty == 0 {
            return Err(BookError::InvalidOrder {
                id: order.id,
                message: "quantity must be positive".into(),
            });
        }
        if let OrderKind::Limit(p) = order.kind {
            if p <= 0 {
                return Err(BookError::InvalidOrder {
                    id: order.id,
                    message: format!("limit price {p} must be positive"),
                });
            }
        }
        if self.index.contains_key(&order.id) {
            return Err(BookError::DuplicateId(order.id));
        }
        let mut exec = Execution {
            id: order.id,
            filled: 0,
            resting: 0,
            cancelled: 0,
            rejected: None,
        };
        let limit = match order.kind {
            OrderKind::Limit(p) => Some(p),
            OrderKind::Market => None,
        };
        let crosses = |p: Price| match (order.side, limit) {
            (_, None) => true,
            (Side::Buy, Some(l)) => p <= l,
            (Side::Sell, Some(l)) => p >= l,
        };
        let best_opposite = match order.side {
            Side::Buy => self.best_ask().map(|x| x.0),
            Side::Sell => self.best_bid().map(|x| x.0),
        };
        if order.post_only && best_opposite.is_some_and(crosses) {
            exec.rejected = Some(Reject::PostOnlyWouldTrade);
            return Ok(exec);
        }
        if order.tif == TimeInForce::Fok
            && self.available(order.side, &crosses, order.qty) < order.qty
        {
            exec.rejected = Some(Reject::FokCannotFill);
            return Ok(exec);
        }
        self.totals.added += u128::from(order.qty);
        let mut remaining = order.qty;
        let opposite = match order.side {
            Side::Buy => &mut self.asks,
            Side::Sell => &mut self.bids,
        };
        while remaining > 0 {
            let entry = match order.side {
                Side::Buy => opposite.first_entry(),
                Side::Sell => opposite.last_entry(),
            };
            let Some(mut entry) = entry else { break };
            let price = *entry.key();
            if !crosses(price) {
                break;
            }
            let level = entry.get_mut();
            while remaining > 0 {
                let Some(front) = level.orders.front_mut() else {
                    break;
                };
                let q = remaining.min(front.qty);
                fills.push(Fill {
                    maker: front.id,
                    taker: order.id,
                    price,
                    qty: q,
                    taker_side: order.side,
                });
                front.qty -= q;
                level.total -= q;
                remaining -= q;
                exec.filled += q;
                if front.qty == 0 {
                    let id = front.id;
                    level.orders.pop_front();
                    self.index.remove(&id);
                }
            }
            if level.orders.is_empty() {
                entry.remove();
            }
        }
        self.totals.traded += u128::from(exec.filled);
        match (limit, order.tif) {
            (Some(p), TimeInForce::Gtc) if remaining > 0 => {
                let own = match order.side {
                    Side::Buy => &mut self.bids,
                    Side::Sell => &mut self.asks,
                };
                let level = own.entry(p).or_default();
                level.orders.push_back(crate::book::Resting {
                    id: order.id,
                    qty: remaining,
                });
                level.total += remaining;
                self.index.insert(order.id, (order.side, p));
                exec.resting = remaining;
            }
            _ => {
                exec.cancelled = remaining;
                self.totals.cancelled += u128::from(remaining);
            }
        }
        Ok(exec)
    }

    /// Submits an order and returns its execution with its trades.
    pub fn submit(&mut self, order: NewOrder) -> Result<(Execution, Vec<Fill>), BookError> {
        let mut fills = Vec::new();
        let e = self.submit_into(order, &mut fills)?;
        Ok((e, fills))
    }

    /// Units available to an order of `side` at prices it accepts, up to `wanted`.
    fn available(&self, side: Side, crosses: &dyn Fn(Price) -> bool, wanted: Qty) -> Qty {
        let mut sum: Qty = 0;
        let mut take = |(p, l): (&Price, &Level)| {
            if crosses(*p) && sum < wanted {
                sum = sum.saturating_add(l.total);
                true
            } else {
                false
            }
        };
        match side {
            Side::Buy => {
                for lvl in self.asks.iter() {
                    if !take(lvl) {
                        break;
                    }
                }
            }
            Side::Sell => {
                for lvl in self.bids.iter().rev() {
                    if !take(lvl) {
                        break;
                    }
                }
            }
        }
        sum
    }

    /// Cancels a resting order; returns the units removed.
    pub fn cancel(&mut self, id: OrderId) -> Result<Qty, BookError> {
        let (side, price) = self.index.remove(&id).ok_or(BookError::UnknownOrder(id))?;
        let book = match side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        };
        let Some(level) = book.get_mut(&price) else {
            return Err(BookError::UnknownOrder(id));
        };
        let Some(pos) = level.orders.iter().position(|o| o.id == id) else {
            return Err(BookError::UnknownOrder(id));
        };
        let qty = level.orders[pos].qty;
        level.orders.remove(pos);
        level.total -= qty;
        if level.orders.is_empty() {
            book.remove(&price);
        }
        self.totals.cancelled += u128::from(qty);
        Ok(qty)
    }

    /// Changes a resting order's price and/or quantity (see the module table). A new
    /// quantity of zero cancels.
    pub fn modify_into(
        &mut self,
        id: OrderId,
        new_price: Price,
        new_qty: Qty,
        fills: &mut Vec<Fill>,
    ) -> Result<Execution, BookError> {
        let (side, price) = self.locate(id).ok_or(BookError::UnknownOrder(id))?;
        if new_price <= 0 {
            return Err(BookError::InvalidOrder {
                id,
                message: format!("limit price {new_price} must be positive"),
            });
        }
        if new_qty == 0 {
            let q = self.cancel(id)?;
            return Ok(Execution {
                id,
                filled: 0,
                resting: 0,
                cancelled: q,
                rejected: None,
            });
        }
        let book = match side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        };
        let level = book.get_mut(&price).ok_or(BookError::UnknownOrder(id))?;
        let pos = level
            .orders
            .iter()
            .position(|o| o.id == id)
            .ok_or(BookError::UnknownOrder(id))?;
        let current = level.orders[pos].qty;
        if new_price == price && new_qty <= current {
            let cut = current - new_qty;
            level.orders[pos].qty = new_qty;
            level.total -= cut;
            self.totals.cancelled += u128::from(cut);
            return Ok(Execution {
                id,
                filled: 0,
                resting: new_qty,
                cancelled: cut,
                rejected: None,
            });
        }
        self.cancel(id)?;
        // The old quantity left the book as a cancel; the replacement enters as new.
        self.submit_into(NewOrder::limit(id, side, new_price, new_qty), fills)
    }

    /// [`OrderBook::modify_into`] returning the trades.
    pub fn modify(
        &mut self,
        id: OrderId,
        new_price: Price,
        new_qty: Qty,
    ) -> Result<(Execution, Vec<Fill>), BookError> {
        let mut fills = Vec::new();
        let e = self.modify_into(id, new_price, new_qty, &mut fills)?;
        Ok((e, fills))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> OrderBook {
        let mut b = OrderBook::new();
        for (id, side, p, q) in [
            (1, Side::Buy, 99, 10),
            (2, Side::Buy, 99, 5),
            (3, Side::Buy, 98, 7),
            (4, Side::Sell, 101, 4),
            (5, Side::Sell, 102, 6),
        ] {
            b.submit(NewOrder::limit(id, side, p, q)).expect("ok");
        }
        b
    }

    #[test]
    fn matching_walks_levels_in_price_time_order() {
        let mut b = book();
        assert_eq!(
            (b.best_bid(), b.best_ask(), b.spread()),
            (Some((99, 15)), Some((101, 4)), Some(2))
        );
        let (e, fills) = b
            .submit(NewOrder::limit(10, Side::Sell, 98, 20))
            .expect("ok");
        assert_eq!(
            fills
                .iter()
                .map(|f| (f.maker, f.price, f.qty))
                .collect::<Vec<_>>(),
            vec![(1, 99, 10), (2, 99, 5), (3, 98, 5)]
        );
        assert_eq!((e.filled, e.resting, e.cancelled), (20, 0, 0));
        assert_eq!(b.best_bid(), Some((98, 2)));
    }

    #[test]
    fn market_ioc_fok_post_only() {
        let mut b = book();
        let (e, _) = b.submit(NewOrder::market(10, Side::Buy, 15)).expect("ok");
        assert_eq!((e.filled, e.cancelled, e.resting), (10, 5, 0));
        assert!(b.best_ask().is_none());
        let mut b = book();
        let (e, _) = b
            .submit(NewOrder::limit(11, Side::Buy, 101, 9).with_tif(TimeInForce::Ioc))
            .expect("ok");
        assert_eq!((e.filled, e.cancelled), (4, 5));
        assert!(b.locate(11).is_none());
        let (e, f) = b
            .submit(NewOrder::limit(12, Side::Buy, 102, 7).with_tif(TimeInForce::Fok))
            .expect("ok");
        assert_eq!((e.rejected, f.len()), (Some(Reject::FokCannotFill), 0));
        let (e, _) = b
            .submit(NewOrder::limit(13, Side::Buy, 102, 6).with_tif(TimeInForce::Fok))
            .expect("ok");
        assert_eq!(e.filled, 6);
        let (e, _) = b
            .submit(NewOrder::limit(14, Side::Buy, 100, 1).post_only())
            .expect("ok");
        assert_eq!(e.resting, 1);
        let (e, _) = b
            .submit(NewOrder::limit(15, Side::Sell, 100, 1).post_only())
            .expect("ok");
        assert_eq!(e.rejected, Some(Reject::PostOnlyWouldTrade));
    }

    #[test]
    fn modify_keeps_or_loses_priority() {
        let mut b = book();
        b.modify(1, 99, 8).expect("decrease");
        assert_eq!(b.orders(Side::Buy)[0], (99, Resting { id: 1, qty: 8 }));
        b.modify(1, 99, 12).expect("increase");
        assert_eq!(b.orders(Side::Buy)[0], (99, Resting { id: 2, qty: 5 }));
        assert_eq!(b.orders(Side::Buy)[1], (99, Resting { id: 1, qty: 12 }));
        let (e, fills) = b.modify(3, 101, 7).expect("crossing reprice");
        assert_eq!((e.filled, e.resting, fills[0].maker), (4, 3, 4));
        assert_eq!(b.cancel(999), Err(BookError::UnknownOrder(999)));
        assert_eq!(
            b.submit(NewOrder::limit(2, Side::Buy, 90, 1)).map(|_| ()),
            Err(BookError::DuplicateId(2))
        );
        assert!(b.submit(NewOrder::limit(50, Side::Buy, 90, 0)).is_err());
        let t = b.totals();
        assert_eq!(t.added, t.traded * 2 + t.cancelled + b.resting_qty());
    }
}
