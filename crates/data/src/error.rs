//! Errors of the data layer. Each names the file and, where there is one, the line and
//! column, so a user can open the file at the right place.

use std::path::PathBuf;

use thiserror::Error;

use crate::problem::Problem;

/// Everything that can go wrong while reading, validating or storing market data.
#[derive(Debug, Error)]
pub enum DataError {
    /// The operating system refused a read or write.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file holds no data rows.
    #[error("{path}: the file is empty (no data rows)")]
    EmptyFile {
        /// The file.
        path: PathBuf,
    },
    /// The header (or the column names the user gave) does not fit the expected layout.
    #[error("{path}: line {line}: header does not match: {message}")]
    Header {
        /// The file.
        path: PathBuf,
        /// The header line (1-based).
        line: u64,
        /// What is missing or unexpected.
        message: String,
    },
    /// Validation found problems that no requested repair handles.
    #[error("{path}: {first}{more}", more = more_suffix(*count))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The first problem, in line order.
        first: Box<Problem>,
        /// How many problems there are in total.
        count: usize,
    },
    /// A CSV-level failure (bad quoting, invalid UTF-8 in a header).
    #[error("{path}: line {line}: {message}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// The line where it happened (1-based).
        line: u64,
        /// The CSV reader's message.
        message: String,
    },
    /// A Parquet file could not be read or written.
    #[error("{path}: parquet: {message}")]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The Parquet library's message.
        message: String,
    },
    /// The date format was not given and could not be inferred.
    #[error("{path}: line {line}: cannot infer the date format of `{sample}`; name it with a date format (iso, yyyymmdd, us, epoch-s, epoch-ms, epoch-us, epoch-ns or a strftime pattern)")]
    DateFormat {
        /// The file.
        path: PathBuf,
        /// The line of the sample.
        line: u64,
        /// The cell that could not be recognised.
        sample: String,
    },
    /// An option or configuration value is wrong.
    #[error("invalid {parameter}: {message}")]
    Config {
        /// The option or key.
        parameter: String,
        /// What was expected.
        message: String,
    },
    /// A symbol was asked for that the source does not hold.
    #[error("unknown symbol `{symbol}` in {source_name} (it holds: {available})")]
    UnknownSymbol {
        /// The requested symbol.
        symbol: String,
        /// The source searched.
        source_name: String,
        /// The symbols the source has (possibly abbreviated).
        available: String,
    },
    /// The same symbol came from two files.
    #[error("symbol `{symbol}` appears in both {first} and {second}")]
    DuplicateSymbol {
        /// The symbol.
        symbol: String,
        /// The first file.
        first: PathBuf,
        /// The second file.
        second: PathBuf,
    },
    /// The store's catalog is missing, corrupt, or disagrees with its files.
    #[error("store {path}: {message}")]
    Store {
        /// The store folder or catalog file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A computation got input it cannot handle (for example a non-positive price for a
    /// log return).
    #[error("{0}")]
    Input(String),
}

fn more_suffix(count: usize) -> String {
    if count > 1 {
        format!(
            " (and {} more problems; run `oxfolio data inspect` for all)",
            count - 1
        )
    } else {
        String::new()
    }
}

impl DataError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> DataError {
        DataError::Io {
            path: path.into(),
            source,
        }
    }
}
