//! The run layer: the config schema, one entry point that runs any config (either
//! strategy level, the built-ins, a trades file) or a caller's own strategy, and returns
//! an [`Outcome`] holding results, metrics and what the report needs; and
//! [`Outcome::write_folder`], which writes the run folder. The command line, and every
//! other front end, is a thin caller of this crate.
//!
//! ```no_run
//! use oxfolio_run::{run, Config};
//! # fn main() -> Result<(), oxfolio_run::RunError> {
//! let config = Config::load(Some(std::path::Path::new("examples/backtest.toml")))?;
//! let mut outcome = run(&config)?;
//! outcome.write_folder(std::path::Path::new("out/backtest"))?;
//! # Ok(()) }
//! ```

pub mod config;
pub mod dynopt;
pub mod error;
pub mod format;
pub mod level;
pub mod order_level;
mod order_report;
pub mod outcome;
pub mod portfolio;
mod portfolio_report;
pub mod runner;
pub mod timings;

pub use config::{read_file, Config, LoggingConfig};
pub use error::RunError;
pub use level::{refuse_ignored_keys, Level};
pub use order_level::{EventRunMetrics, OrderRun};
pub use outcome::{LevelRun, Outcome};
pub use portfolio::{PortfolioRun, RunMetrics};
pub use runner::{load_market, run, run_order_strategy, run_strategy, run_with_progress};
pub use timings::Timings;
