//! Errors raised by the core types.

use thiserror::Error;

/// A core type was built from inconsistent parts.
#[derive(Debug, Error, PartialEq)]
pub enum CoreError {
    /// Two columns that must have the same length do not.
    #[error("column `{column}` has {found} values, expected {expected}")]
    Length {
        /// The column whose length is wrong.
        column: String,
        /// The length the other columns have.
        expected: usize,
        /// The length this column has.
        found: usize,
    },
    /// An input a core type cannot accept.
    #[error("{0}")]
    Invalid(String),
    /// A symbol was asked for that the panel does not hold.
    #[error("unknown symbol `{0}`")]
    UnknownSymbol(String),
}
