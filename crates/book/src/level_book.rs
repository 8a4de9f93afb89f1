//! An aggregated (L2) book: total quantity per price level, as vendors publish it
//! (snapshots plus incremental updates where a quantity of zero deletes the level).
//! Prices and quantities stay decimal here, as the feeds give them.

use std::collections::BTreeMap;

use serde::Serialize;

/// Price key: the decimal price scaled to integer nano-units, so levels are exact.
fn key(price: f64) -> i64 {
    (price * 1e9).round() as i64
}

/// An aggregated book.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LevelBook {
    bids: BTreeMap<i64, (f64, f64)>,
    asks: BTreeMap<i64, (f64, f64)>,
}

/// Which side a level update is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BookSide {
    /// Bids.
    Bid,
    /// Asks.
    Ask,
}

impl LevelBook {
    /// An empty book.
    pub fn new() -> LevelBook {
        LevelBook::default()
    }

    /// Sets a level's quantity; zero deletes it.
    pub fn set(&mut self, side: BookSide, price: f64, qty: f64) {
        let book = match side {
            BookSide::Bid => &mut self.bids,
            BookSide::Ask => &mut self.asks,
        };
        if qty == 0.0 {
            book.remove(&key(price));
        } else {
            book.insert(key(price), (price, qty));
        }
    }

    /// Removes every level.
    pub fn clear(&mut self) {
        self.bids.clear();
        self.asks.clear();
    }

    /// Best bid (price, quantity).
    pub fn best_bid(&self) -> Option<(f64, f64)> {
        self.bids.values().next_back().copied()
    }

    /// Best ask (price, quantity).
    pub fn best_ask(&self) -> Option<(f64, f64)> {
        self.asks.values().next().copied()
    }

    /// Best ask minus best bid.
    pub fn spread(&self) -> Option<f64> {
        Some(self.best_ask()?.0 - self.best_bid()?.0)
    }

    /// Numbers of bid and ask levels.
    pub fn levels(&self) -> (usize, usize) {
        (self.bids.len(), self.asks.len())
    }

    /// Total quantity of the best `n` levels of each side.
    pub fn depth(&self, n: usize) -> (f64, f64) {
        (
            self.bids.values().rev().take(n).map(|l| l.1).sum(),
            self.asks.values().take(n).map(|l| l.1).sum(),
        )
    }

    /// True when the best bid is at or above the best ask.
    pub fn is_crossed(&self) -> bool {
        self.spread().is_some_and(|s| s <= 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_and_delete_levels() {
        let mut b = LevelBook::new();
        b.set(BookSide::Bid, 100.1, 2.0);
        b.set(BookSide::Bid, 100.2, 1.0);
        b.set(BookSide::Ask, 100.3, 5.0);
        assert_eq!(b.best_bid(), Some((100.2, 1.0)));
        assert!((b.spread().expect("spread") - 0.1).abs() < 1e-9);
        b.set(BookSide::Bid, 0.1 + 100.1, 0.0);
        assert_eq!(b.best_bid(), Some((100.1, 2.0)));
        assert_eq!(b.depth(5), (2.0, 5.0));
    }
}
