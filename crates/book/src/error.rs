//! Errors of the order book, the simulator and the replays.

use thiserror::Error;

/// Something the book or a replay cannot accept.
#[derive(Debug, Error, PartialEq)]
pub enum BookError {
    /// An order id already in use.
    #[error("order {0} already exists")]
    DuplicateId(u64),
    /// An order id that is not resting in the book.
    #[error("order {0} is not in the book")]
    UnknownOrder(u64),
    /// A zero quantity or a non-positive limit price.
    #[error("order {id}: {message}")]
    InvalidOrder {
        /// The order.
        id: u64,
        /// What is wrong.
        message: String,
    },
    /// A price that is not a whole number of ticks.
    #[error("price {price} is not a multiple of the tick size {tick}")]
    OffTick {
        /// The price.
        price: f64,
        /// The tick size.
        tick: f64,
    },
    /// A market-data file that cannot be read.
    #[error("{path}: line {line}: {message}")]
    Data {
        /// The file.
        path: String,
        /// The 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// Updates that do not follow on from the book they are applied to.
    #[error("sequence gap: {0}")]
    Sequence(String),
}
