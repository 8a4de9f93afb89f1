//! Errors of the risk toolkit.

use thiserror::Error;

/// Input the risk toolkit cannot work with.
#[derive(Debug, Error, PartialEq)]
pub enum RiskError {
    /// A parameter is out of range or not a finite number.
    #[error("invalid {parameter}: {message}")]
    Parameter {
        /// The parameter (flag or config key).
        parameter: String,
        /// What was expected, and what was given.
        message: String,
    },
    /// An equity curve or return series with no usable values.
    #[error("{0} is empty")]
    Empty(&'static str),
    /// A configuration file could not be parsed.
    #[error("risk config: {0}")]
    Config(String),
    /// A position that does not exist, or exists already.
    #[error("position `{0}`: {1}")]
    Position(String, String),
}

impl RiskError {
    /// A parameter error.
    pub fn param(parameter: &str, message: impl Into<String>) -> RiskError {
        RiskError::Parameter {
            parameter: parameter.to_string(),
            message: message.into(),
        }
    }
}

/// Checks that `value` is finite.
pub fn finite(parameter: &str, value: f64) -> Result<f64, RiskError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(RiskError::param(
            parameter,
            format!("must be a finite number, got {value}"),
        ))
    }
}

/// Checks that `value` is a finite number in [0, 1].
pub fn fraction(parameter: &str, value: f64) -> Result<f64, RiskError> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(RiskError::param(
            parameter,
            format!("must be between 0 and 1, got {value}"),
        ))
    }
}

/// Checks that `value` is a finite number above zero.
pub fn positive(parameter: &str, value: f64) -> Result<f64, RiskError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(RiskError::param(
            parameter,
            format!("must be a positive number, got {value}"),
        ))
    }
}

/// Checks that `value` is a finite number at or above zero.
pub fn non_negative(parameter: &str, value: f64) -> Result<f64, RiskError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(RiskError::param(
            parameter,
            format!("must be zero or more, got {value}"),
        ))
    }
}
