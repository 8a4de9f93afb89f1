//! Limit order book, tick-driven execution simulator and market-data replay.
//!
//! * [`book`]: an order-level book with price-time priority (integer ticks and units).
//! * [`level_book`]: an aggregated (L2) book for vendor depth feeds.
//! * [`sim`]: our orders against recorded quotes and trades.
//! * [`replay`]: readers and replays of real data (QuantConnect ticks and minute quotes,
//!   Binance depth, Tardis books), the consolidated NBBO, and demonstration strategies.

pub mod book;
pub mod error;
pub mod level_book;
pub mod order;
pub mod replay;
pub mod sim;

pub use book::OrderBook;
pub use error::BookError;
pub use order::{NewOrder, OrderKind, Side, TimeInForce};
