//! The simulation kernel. Today: the daily portfolio backtester (portfolio-level
//! strategies return targets; the engine turns them into fills), its execution model,
//! signal helpers and built-in strategies.

pub mod backtest;
pub mod builtin;
pub mod calendar;
pub mod config;
pub mod context;
pub mod costs;
pub mod error;
pub mod events;
pub mod execution;
pub mod indicators;
pub mod keys;
pub mod market;
pub mod output;
pub mod results;
pub mod signals;
pub mod strategy;
pub mod tables;
pub mod testing;
pub mod trades;

pub use backtest::Backtest;
pub use builtin::{Builtin, StrategyConfig};
pub use config::BacktestConfig;
pub use context::Context;
pub use error::{EngineError, StrategyError};
pub use market::Market;
pub use results::Results;
pub use strategy::{Decision, Strategy};
pub use trades::TradeList;
