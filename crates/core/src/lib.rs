//! Core types shared by every Oxfolio crate.
//!
//! * [`time`]: timestamps as `i64` nanoseconds since the Unix epoch, and date helpers.
//! * [`bars`]: one symbol's bars as columns ([`Bars`]).
//! * [`panel`]: many symbols aligned on one calendar ([`Panel`]), time-major columns.
//! * [`ledger`]: cash and holdings with contract multipliers ([`ledger::Ledger`]).
//! * [`side`]: buy or sell ([`Side`]), long or short ([`PositionSide`]).

pub mod bars;
pub mod error;
pub mod ledger;
pub mod memory;
pub mod panel;
pub mod side;
pub mod time;

pub use bars::{Bars, Field};
pub use error::CoreError;
pub use panel::Panel;
pub use side::{PositionSide, Side};
pub use time::Timestamp;
