//! Market data for Oxfolio: read, validate, align, transform and store bars.
//!
//! * Readers: [`read_csv`] (long, one-symbol OHLCV, wide closes), [`parquet_io`] (long
//!   Parquet), [`source::load`] for a file, a folder or a store described by a
//!   [`source::SourceSpec`].
//! * Validation: [`validate`] lists every check and the repair that may be named for it;
//!   every finding lands in a [`SeriesReport`].
//! * Transformations: [`align`], [`returns`], [`resample`], [`adjust`], [`adv`].
//! * Storage: [`store`] writes Parquet files plus a catalog and loads them back.

pub mod adjust;
pub mod adv;
pub mod align;
pub mod cell;
pub mod csv_read;
pub mod datefmt;
pub mod error;
pub mod inspect;
pub mod layout;
pub mod parquet_io;
pub mod problem;
mod raw;
pub mod resample;
pub mod returns;
mod rows;
pub mod source;
pub mod store;
pub mod table;
pub mod validate;

pub use csv_read::{into_checked, line_of, read_csv, CsvOptions, FileData, SeriesData};
pub use datefmt::DateFormat;
pub use error::DataError;
pub use layout::FileFormat;
pub use problem::{Problem, ProblemKind, Repair, SeriesReport};
pub use validate::ValidationOptions;
