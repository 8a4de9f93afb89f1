//! Errors of the run layer. Each names the file, key or phase involved.

use std::path::PathBuf;

use thiserror::Error;

use oxfolio_analytics::MetricsError;
use oxfolio_engine::EngineError;

/// What stopped a run.
#[derive(Debug, Error)]
pub enum RunError {
    /// A config file could not be read or parsed.
    #[error("{path}: {message}")]
    ConfigFile {
        /// The file.
        path: PathBuf,
        /// What was wrong (the parser's message on one line).
        message: String,
    },
    /// A config value is missing, out of range or not honoured by the strategy's level.
    #[error("config: {0}")]
    Config(String),
    /// The engine refused the data, the settings or a decision.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The dynamic optimisation's data or backtest failed.
    #[error(transparent)]
    Dynopt(#[from] oxfolio_dynopt::DynoptError),
    /// The metrics could not be computed from the run's returns.
    #[error("metrics: {0}")]
    Metrics(#[from] MetricsError),
    /// The run folder could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The resolved config or the metrics could not be serialised.
    #[error("cannot serialise {what}: {message}")]
    Serialise {
        /// What was being written (`config.toml`, `metrics.json`, ...).
        what: &'static str,
        /// The serialiser's message.
        message: String,
    },
}

impl RunError {
    /// An I/O error on `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> RunError {
        RunError::Io {
            path: path.into(),
            source,
        }
    }
}
