//! Orders, fills and their outcomes. Prices are integer ticks, quantities integers, so
//! price levels are exact keys.

use serde::Serialize;

use crate::error::BookError;

/// A price in ticks.
pub type Price = i64;
/// A quantity in units (shares, contracts, lots).
pub type Qty = u64;
/// An order id, unique among live orders.
pub type OrderId = u64;

/// Buy or sell (the one definition, shared with the engine and the risk toolkit).
pub use oxfolio_core::Side;

/// Limit or market.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum OrderKind {
    /// Trade at this price or better; the rest may rest.
    Limit(Price),
    /// Trade at any price; never rests.
    Market,
}

/// How long an order may live.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum TimeInForce {
    /// Good till cancelled: the remainder rests.
    Gtc,
    /// Immediate or cancel: the remainder is cancelled.
    Ioc,
    /// Fill or kill: all at once or nothing.
    Fok,
}

/// An order to submit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct NewOrder {
    /// Unique id.
    pub id: OrderId,
    /// Buy or sell.
    pub side: Side,
    /// Limit or market.
    pub kind: OrderKind,
    /// Quantity (> 0).
    pub qty: Qty,
    /// Time in force.
    pub tif: TimeInForce,
    /// Rejected instead of trading if it would take liquidity.
    pub post_only: bool,
}

impl NewOrder {
    /// A good-till-cancelled limit order.
    pub fn limit(id: OrderId, side: Side, price: Price, qty: Qty) -> NewOrder {
        NewOrder {
            id,
            side,
            kind: OrderKind::Limit(price),
            qty,
            tif: TimeInForce::Gtc,
            post_only: false,
        }
    }

    /// A market order.
    pub fn market(id: OrderId, side: Side, qty: Qty) -> NewOrder {
        NewOrder {
            id,
            side,
            kind: OrderKind::Market,
            qty,
            tif: TimeInForce::Ioc,
            post_only: false,
        }
    }

    /// The same order with another time in force.
    pub fn with_tif(self, tif: TimeInForce) -> NewOrder {
        NewOrder { tif, ..self }
    }

    /// The same order, post-only.
    pub fn post_only(self) -> NewOrder {
        NewOrder {
            post_only: true,
            ..self
        }
    }
}

/// One trade between a resting (maker) and an incoming (taker) order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Fill {
    /// The resting order.
    pub maker: OrderId,
    /// The incoming order.
    pub taker: OrderId,
    /// The maker's price.
    pub price: Price,
    /// Units traded.
    pub qty: Qty,
    /// The taker's side.
    pub taker_side: Side,
}

/// Why an order was refused whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reject {
    /// A post-only order that would have traded.
    PostOnlyWouldTrade,
    /// A fill-or-kill order that could not fill completely.
    FokCannotFill,
}

/// What happened to a submitted (or modified) order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Execution {
    /// The order.
    pub id: OrderId,
    /// Units traded now.
    pub filled: Qty,
    /// Units left resting in the book.
    pub resting: Qty,
    /// Units cancelled (the unfilled part of an IOC or market order).
    pub cancelled: Qty,
    /// Set when the whole order was refused.
    pub rejected: Option<Reject>,
}

/// Converts a decimal price to ticks; an error unless it is a whole number of ticks
/// (within 1e-6 of a tick, to absorb decimal representation).
pub fn to_ticks(price: f64, tick: f64) -> Result<Price, BookError> {
    let t = price / tick;
    let r = t.round();
    if !(price.is_finite() && tick.is_finite() && tick > 0.0) || (t - r).abs() > 1e-6 {
        return Err(BookError::OffTick { price, tick });
    }
    Ok(r as Price)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks() {
        assert_eq!(to_ticks(182.35, 0.01), Ok(18235));
        assert_eq!(to_ticks(0.1 + 0.2, 0.1), Ok(3));
        assert!(to_ticks(182.355, 0.01).is_err());
        assert!(to_ticks(f64::NAN, 0.01).is_err());
    }
}
