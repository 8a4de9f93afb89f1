//! Options and futures pricing.
//!
//! * [`bsm`]: European options under Black-Scholes-Merton: price and Greeks.
//! * [`iv`]: implied volatility (Let's Be Rational).
//! * [`tree`]: American options on a CRR binomial tree.
//! * [`batch`]: many options in parallel.
//! * [`strategy`]: multi-leg option strategies and their payoff charts.
//! * [`futures`]: futures specifications, margins, P&L and roll schedules.

pub mod batch;
pub mod bsm;
pub mod error;
pub mod futures;
pub mod iv;
mod lanes;
pub mod strategy;
pub mod tree;

pub use bsm::{European, Greeks, OptionType};
pub use error::DerivError;
pub use iv::implied_volatility;
pub use tree::{binomial_price, Exercise};
