//! The risk toolkit: each part works on its own and plugs into the backtesters and, later,
//! paper trading.
//!
//! * [`var`]: historical, Gaussian and Cornish-Fisher VaR and CVaR.
//! * [`monitor`]: thresholds and alerts over an equity curve and positions, with history.
//! * [`sizing`]: fixed fractional, Kelly, confidence-scaled and volatility-target sizers.
//! * [`stops`]: hard, trailing (percent or ATR), take-profit and time stops.
//! * [`manager`]: drawdown zones, daily loss limit, heat, pre-trade validation, positions.
//! * [`config`]: all of it from YAML or TOML.

pub mod config;
pub mod error;
pub mod manager;
pub mod monitor;
pub mod sizing;
pub mod stops;
pub mod var;

pub use config::RiskManagement;
pub use error::RiskError;
