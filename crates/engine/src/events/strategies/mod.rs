//! The shipped order-level strategies.

mod breakout;
mod build;
mod momentum;
mod signal_file;
mod sma_crossover;

pub use breakout::AtrBreakout;
pub use build::{build, is_event_kind, Shipped, EVENT_KINDS};
pub use momentum::{method_from_name, OptimizedMomentum};
pub use signal_file::SignalFile;
pub use sma_crossover::SmaCrossover;
