//! Errors of the metrics functions.

use thiserror::Error;

/// Input a metric cannot be computed from.
#[derive(Debug, Error, PartialEq)]
pub enum MetricsError {
    /// No returns at all.
    #[error("no returns: need at least one period")]
    Empty,
    /// A return is NaN or infinite.
    #[error("return at position {index} (date {date}) is not finite: {value}")]
    NonFinite {
        /// 0-based position in the series.
        index: usize,
        /// The date, or `?` when there are no dates.
        date: String,
        /// The value.
        value: f64,
    },
    /// An option is out of range.
    #[error("invalid {parameter}: {message}")]
    Option {
        /// The option.
        parameter: &'static str,
        /// What is expected.
        message: String,
    },
}
