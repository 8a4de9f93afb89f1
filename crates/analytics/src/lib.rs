//! Performance metrics and risk measures of a return series.
//!
//! Every metric's definition is in the doc comment where it is computed and in
//! `docs/METRICS.md`. Conventions: returns are simple per-period returns; annualisation
//! uses `periods_per_year` (default 252); the annual risk-free rate is turned into a
//! per-period rate by compounding, `(1 + rf)^(1 / periods_per_year) - 1`; drawdowns and
//! VaR are reported as returns, so losses are negative numbers.

pub mod chart;
pub mod drawdown;
pub mod error;
pub mod metrics;
pub mod report;
pub mod rolling;
pub mod stats;
pub mod tables;

pub use error::MetricsError;
pub use metrics::{compute, Metrics, MetricsOptions};
