//! Errors of the simulation kernel.

use thiserror::Error;

use oxfolio_core::CoreError;
use oxfolio_data::DataError;
use oxfolio_optim::OptimError;

/// A strategy's own failure, reported with the date it happened.
#[derive(Debug, Error, Clone, PartialEq)]
#[error("{0}")]
pub struct StrategyError(pub String);

impl StrategyError {
    /// An error with a message.
    pub fn new(message: impl Into<String>) -> StrategyError {
        StrategyError(message.into())
    }
}

/// What went wrong in a backtest. Every message names the date, symbol or key involved.
#[derive(Debug, Error)]
pub enum EngineError {
    /// A config value is out of range or inconsistent with the data.
    #[error("config: {0}")]
    Config(String),
    /// The market data cannot be backtested (shape, range, prices).
    #[error("data: {0}")]
    Data(String),
    /// A strategy returned a decision the engine cannot execute.
    #[error("{date}: {message}")]
    Decision {
        /// Date of the decision.
        date: String,
        /// What was wrong.
        message: String,
    },
    /// The strategy itself failed.
    #[error("{date}: strategy `{strategy}` failed: {error}")]
    Strategy {
        /// Date of the decision.
        date: String,
        /// Strategy name.
        strategy: String,
        /// The strategy's error (shown in the message, so not chained as a source).
        error: StrategyError,
    },
    /// The risk overlay or the alpha step could not be solved.
    #[error("{date}: {error}")]
    Optimisation {
        /// Date of the decision.
        date: String,
        /// The solver's error (shown in the message, so not chained as a source).
        error: OptimError,
    },
    /// The data could not be loaded.
    #[error(transparent)]
    Load(#[from] DataError),
    /// An order operation the state machine forbids.
    #[error("order: {0}")]
    Order(#[from] crate::events::order::OrderError),
    /// The ledger refused a fill.
    #[error("ledger: {0}")]
    Ledger(#[from] CoreError),
}
