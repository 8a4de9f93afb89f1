//! Replaying recorded market data: QuantConnect (Lean) equity quote and trade ticks and
//! minute quote bars, Binance depth snapshots and updates, Tardis book snapshots and
//! incremental L2.

pub mod binance;
pub mod lean;
pub mod nbbo;
pub mod stats;
pub mod tardis;

use crate::error::BookError;

/// Opens a file for one of the parsers, naming it in the error.
pub(crate) fn open(path: &std::path::Path) -> Result<std::fs::File, BookError> {
    std::fs::File::open(path).map_err(|e| BookError::Data {
        path: path.display().to_string(),
        line: 0,
        message: e.to_string(),
    })
}

/// Reads CSV records from `input` (named `name` in errors), with 1-based line numbers,
/// calling `row` for each; `row` errors become errors naming the source and line.
pub(crate) fn for_each_record(
    input: impl std::io::Read,
    name: &str,
    has_header: bool,
    mut row: impl FnMut(u64, &csv::StringRecord) -> Result<(), String>,
) -> Result<(), BookError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(has_header)
        .flexible(true)
        .from_reader(input);
    let mut record = csv::StringRecord::new();
    let mut line = if has_header { 1 } else { 0 };
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                line += 1;
                row(line, &record).map_err(|message| BookError::Data {
                    path: name.to_string(),
                    line,
                    message,
                })?;
            }
            Err(e) => {
                return Err(BookError::Data {
                    path: name.to_string(),
                    line: line + 1,
                    message: e.to_string(),
                })
            }
        }
    }
    Ok(())
}

/// Parses field `i` of a record as `T`, naming the field when it fails.
pub(crate) fn field<T: std::str::FromStr>(
    r: &csv::StringRecord,
    i: usize,
    name: &str,
) -> Result<T, String> {
    let cell = r
        .get(i)
        .ok_or_else(|| format!("missing field {} ({name})", i + 1))?
        .trim();
    cell.parse()
        .map_err(|_| format!("field {} ({name}): `{cell}` is not a valid value", i + 1))
}
