//! Errors of the derivatives crate.

use thiserror::Error;

/// Inputs a pricing function cannot use.
#[derive(Debug, Error, PartialEq)]
pub enum DerivError {
    /// A parameter out of its domain.
    #[error("invalid {parameter}: {message}")]
    Parameter {
        /// The parameter.
        parameter: &'static str,
        /// What is expected.
        message: String,
    },
    /// An option price outside the no-arbitrage bounds, or at intrinsic value.
    #[error("price {price} has no implied volatility: {message}")]
    NoImpliedVol {
        /// The price given.
        price: f64,
        /// Which bound it breaks.
        message: String,
    },
}

pub(crate) fn check_positive(parameter: &'static str, v: f64) -> Result<f64, DerivError> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(DerivError::Parameter {
            parameter,
            message: format!("must be a positive number, got {v}"),
        })
    }
}

pub(crate) fn check_finite(parameter: &'static str, v: f64) -> Result<f64, DerivError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(DerivError::Parameter {
            parameter,
            message: format!("must be a finite number, got {v}"),
        })
    }
}
