//! Errors of the optimisation crate.

use thiserror::Error;

/// What went wrong in an estimator or a solve.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum OptimError {
    /// An input is malformed (lengths, NaN, negative parameters).
    #[error("{0}")]
    Invalid(String),
    /// The constraints admit no solution; the message names the constraint.
    #[error("infeasible: {0}")]
    Infeasible(String),
    /// The solver stopped without a solution (status named).
    #[error("solver: {0}")]
    Solver(String),
    /// A result came back but is numerically unusable.
    #[error("numerical trouble: {0}")]
    Numerical(String),
}
