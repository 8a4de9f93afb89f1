//! Errors of the dynamic optimisation crate.

use thiserror::Error;

/// What went wrong loading the futures universe, solving or backtesting.
#[derive(Debug, Error)]
pub enum DynoptError {
    /// A file could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A row or cell of a file is malformed.
    #[error("{path}, line {line}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// One-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// An instrument has no row in the instrument configuration.
    #[error("instrument {instrument} has no row in {config}")]
    MissingConfig {
        /// The instrument.
        instrument: String,
        /// The configuration file.
        config: String,
    },
    /// No FX rate converts an instrument's currency to the base currency.
    #[error("instrument {instrument} is priced in {currency} but there is no {currency}{base} rate file ({path})")]
    MissingFx {
        /// The instrument.
        instrument: String,
        /// Its currency.
        currency: String,
        /// The base currency.
        base: String,
        /// The file looked for.
        path: String,
    },
    /// The covariance matrix is not positive semi-definite.
    #[error("covariance is not positive semi-definite: {0}")]
    NotPsd(String),
    /// A malformed input or parameter.
    #[error("{0}")]
    Invalid(String),
}
