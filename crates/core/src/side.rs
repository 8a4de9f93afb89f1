//! Which way an order trades and which way a position points: one definition for the
//! engine, the risk toolkit and the order book.

use serde::{Deserialize, Serialize};

/// Buy or sell: the side of an order or a fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Buys (bids in a book).
    Buy,
    /// Sells (asks in a book).
    Sell,
}

impl Side {
    /// The other side.
    pub fn opposite(self) -> Side {
        match self {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }

    /// +1 for a buy, -1 for a sell.
    pub fn sign(self) -> f64 {
        match self {
            Side::Buy => 1.0,
            Side::Sell => -1.0,
        }
    }

    /// The side of a signed quantity (positive buys); `None` for zero or NaN.
    pub fn of_quantity(quantity: f64) -> Option<Side> {
        if quantity > 0.0 {
            Some(Side::Buy)
        } else if quantity < 0.0 {
            Some(Side::Sell)
        } else {
            None
        }
    }
}

/// Long or short: the direction of a position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PositionSide {
    /// Profits when the price rises.
    Long,
    /// Profits when the price falls.
    Short,
}

impl PositionSide {
    /// +1 for long, -1 for short.
    pub fn sign(self) -> f64 {
        match self {
            PositionSide::Long => 1.0,
            PositionSide::Short => -1.0,
        }
    }

    /// `long` or `short`.
    pub fn name(self) -> &'static str {
        match self {
            PositionSide::Long => "long",
            PositionSide::Short => "short",
        }
    }

    /// The side of the order that opens such a position.
    pub fn entry(self) -> Side {
        match self {
            PositionSide::Long => Side::Buy,
            PositionSide::Short => Side::Sell,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sides_and_signs() {
        assert_eq!(Side::Buy.opposite(), Side::Sell);
        assert_eq!(Side::of_quantity(-3.0), Some(Side::Sell));
        assert_eq!(Side::of_quantity(0.0), None);
        assert_eq!(Side::of_quantity(f64::NAN), None);
        assert_eq!(PositionSide::Short.sign(), -1.0);
        assert_eq!(PositionSide::Short.entry(), Side::Sell);
        assert_eq!(PositionSide::Long.name(), "long");
    }
}
