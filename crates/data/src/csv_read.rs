//! Reading market data from CSV: long, one-symbol OHLCV, and wide files of closes.

use std::path::Path;

use oxfolio_core::Bars;

use crate::cell::{parse_number, Cell};
use crate::datefmt::DateFormat;
use crate::error::DataError;
use crate::layout::{FileFormat, Layout};
use crate::problem::{Problem, SeriesReport};
use crate::rows::{accumulate_bars, accumulate_wide, Accumulated, Records, RowContext};
use crate::validate::ValidationOptions;

/// How to read a CSV file.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvOptions {
    /// The first line is a header.
    pub header: bool,
    /// Column names to use instead of the header (required when there is no header).
    pub columns: Option<Vec<String>>,
    /// How dates are written.
    pub date_format: DateFormat,
    /// Prices are divided by this (QuantConnect files store prices x 10000).
    pub price_scale: f64,
    /// Field delimiter.
    pub delimiter: u8,
    /// Force a file format instead of inferring it from the header.
    pub format: Option<FileFormat>,
    /// Symbol of a one-symbol file (default: the file name without extension, upper-case).
    pub symbol: Option<String>,
    /// Cell texts that mean "missing", like an empty cell (for example `.` in FRED files,
    /// `NA`).
    pub na_values: Vec<String>,
    /// Files with at least this many bytes of data are parsed by one thread per core,
    /// in chunks split at line ends (only when the file has no quoted fields).
    pub parallel_min_bytes: usize,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            header: true,
            columns: None,
            date_format: DateFormat::Auto,
            price_scale: 1.0,
            delimiter: b',',
            format: None,
            symbol: None,
            na_values: Vec::new(),
            parallel_min_bytes: 4 << 20,
        }
    }
}

/// One symbol's bars and what validation found.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesData {
    /// The bars kept.
    pub bars: Bars,
    /// What was checked, found and repaired.
    pub report: SeriesReport,
}

/// Everything read from one file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileData {
    /// One entry per symbol, ordered by symbol.
    pub series: Vec<SeriesData>,
    /// Findings that belong to no single symbol (a wide file's dates, rows without a
    /// symbol), under the name `(file)` or `(no symbol)`.
    pub other: Vec<SeriesReport>,
}

impl FileData {
    /// All reports, symbols first.
    pub fn reports(&self) -> impl Iterator<Item = &SeriesReport> {
        self.series.iter().map(|s| &s.report).chain(&self.other)
    }
}

/// Upper-case file stem: the default symbol of a one-symbol file.
pub fn symbol_from_path(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().to_uppercase())
        .unwrap_or_default()
}

pub(crate) fn csv_error(path: &Path, e: &csv::Error, line_offset: u64) -> DataError {
    DataError::Csv {
        path: path.to_path_buf(),
        line: line_offset + e.position().map_or(0, csv::Position::line),
        message: e.to_string(),
    }
}

/// Reads one CSV file of market data, validating every row. Rows with problems are
/// repaired when the user named a repair, otherwise recorded in the reports; use
/// [`crate::into_checked`] to turn recorded problems into an error.
pub fn read_csv(
    path: &Path,
    csv_options: &CsvOptions,
    validation: &ValidationOptions,
) -> Result<FileData, DataError> {
    if !(csv_options.price_scale.is_finite() && csv_options.price_scale > 0.0) {
        return Err(DataError::Config {
            parameter: "price_scale".into(),
            message: format!("must be a positive number, got {}", csv_options.price_scale),
        });
    }
    let bytes = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    let builder = {
        let mut b = csv::ReaderBuilder::new();
        b.has_headers(false)
            .flexible(true)
            .delimiter(csv_options.delimiter);
        b
    };
    let mut reader = builder.from_reader(&bytes[..]);
    let mut header = csv::ByteRecord::new();
    let names: Vec<String> = if csv_options.header {
        if !reader
            .read_byte_record(&mut header)
            .map_err(|e| csv_error(path, &e, 0))?
        {
            return Err(DataError::EmptyFile { path: path.into() });
        }
        match &csv_options.columns {
            Some(c) => c.clone(),
            None => {
                let names: Vec<String> = header
                    .iter()
                    .map(|b| String::from_utf8_lossy(b).trim().to_string())
                    .collect();
                if let Some(cell) = names.iter().find(|n| looks_like_data(n)) {
                    return Err(DataError::Header {
                        path: path.into(),
                        line: 1,
                        message: format!("the first line looks like data (`{cell}`), not a header: say there is no header and name the columns (for example date,open,high,low,close,volume)"),
                    });
                }
                names
            }
        }
    } else {
        match &csv_options.columns {
            Some(c) => c.clone(),
            None => {
                return Err(DataError::Header {
                    path: path.into(),
                    line: 1,
                    message: "the file has no header: name the columns (for example date,open,high,low,close,volume)".into(),
                })
            }
        }
    };
    let layout =
        Layout::from_names(names, csv_options.format).map_err(|message| DataError::Header {
            path: path.into(),
            line: 1,
            message,
        })?;
    let mut data_start = usize::try_from(reader.position().byte()).unwrap_or(bytes.len());
    // The reader stops inside a CRLF line end; start the data on the next line so that
    // counting line ends before a chunk gives the file's line numbers.
    while matches!(bytes.get(data_start), Some(b'\r' | b'\n')) {
        data_start += 1;
    }
    let file = path.display().to_string();
    let context = || RowContext::new(path, &file, &layout, csv_options, validation);
    // Infer the date format once, from the first non-empty date, so every chunk uses it.
    let mut probe = context();
    let mut records = Records::new(
        &builder,
        &bytes[data_start..],
        line_count(&bytes[..data_start]),
        path,
    );
    while probe.date_format.is_none() {
        let Some((line, record)) = records.next_record()? else {
            break;
        };
        // A missing or unparsable date here is reported when its chunk is read.
        let _ = probe.timestamp(record, line)?;
    }
    let chunks = chunk_bounds(&bytes, data_start, csv_options.parallel_min_bytes);
    let read_chunk = |(start, end): (usize, usize)| -> Result<Accumulated, DataError> {
        let mut ctx = context();
        ctx.date_format.clone_from(&probe.date_format);
        let mut records = Records::new(
            &builder,
            &bytes[start..end],
            line_count(&bytes[..start]),
            path,
        );
        match layout.format {
            FileFormat::Wide => accumulate_wide(&mut records, &mut ctx),
            FileFormat::Long | FileFormat::Ohlcv => accumulate_bars(&mut records, &mut ctx),
        }
    };
    let mut parts = if chunks.len() == 1 {
        vec![read_chunk(chunks[0])]
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = chunks
                .iter()
                .map(|&c| scope.spawn(move || read_chunk(c)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(DataError::Input(format!(
                            "{}: a reader thread failed",
                            path.display()
                        )))
                    })
                })
                .collect::<Vec<_>>()
        })
    }
    .into_iter();
    let mut all = parts
        .next()
        .unwrap_or_else(|| Err(DataError::EmptyFile { path: path.into() }))?;
    for part in parts {
        all.append(part?);
    }
    if all.rows_read() == 0 {
        return Err(DataError::EmptyFile { path: path.into() });
    }
    Ok(all.finish(validation))
}

/// The 1-based line of a record that the csv reader placed at `position` in `bytes`.
/// After a CRLF line end the reader reports the next record as starting at the `\n` it
/// has not yet counted: that record is on the following line.
pub fn line_of(bytes: &[u8], position: &csv::Position) -> u64 {
    let pending_newline = usize::try_from(position.byte())
        .ok()
        .and_then(|b| bytes.get(b))
        .is_some_and(|c| *c == b'\n');
    position.line() + u64::from(pending_newline)
}

/// Number of line ends in `bytes`.
fn line_count(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == b'\n').count() as u64
}

/// Byte ranges of the data to read: one, or (for a large file with no quotes, which
/// could hide a line end inside a field) one per core, each ending at a line end.
fn chunk_bounds(bytes: &[u8], data_start: usize, parallel_min_bytes: usize) -> Vec<(usize, usize)> {
    let len = bytes.len();
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(8);
    if threads < 2 || len - data_start < parallel_min_bytes || bytes[data_start..].contains(&b'"') {
        return vec![(data_start, len)];
    }
    let mut bounds = vec![data_start];
    for k in 1..threads {
        let target = data_start + (len - data_start) * k / threads;
        let cut = bytes[target..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(len, |p| target + p + 1);
        if cut > *bounds.last().unwrap_or(&data_start) && cut < len {
            bounds.push(cut);
        }
    }
    bounds.push(len);
    bounds.windows(2).map(|w| (w[0], w[1])).collect()
}

/// True for a header cell that is a number or a date: the file has no header.
fn looks_like_data(cell: &str) -> bool {
    let cell = cell.trim_start_matches('\u{feff}');
    !cell.is_empty()
        && (matches!(parse_number(cell.as_bytes()), Cell::Value(_))
            || DateFormat::infer(cell).is_some())
}

/// Fails with the first recorded problem of any report, or passes the data through.
pub fn into_checked(data: FileData, path: &Path) -> Result<FileData, DataError> {
    let mut first: Option<&Problem> = None;
    let mut count = 0;
    for report in data.reports() {
        count += report.problem_count();
        if let Some(p) = report.problems.first() {
            if first.is_none_or(|f| p.line < f.line) {
                first = Some(p);
            }
        }
    }
    match first {
        Some(p) => Err(DataError::Invalid {
            path: path.into(),
            first: Box::new(p.clone()),
            count,
        }),
        None => Ok(data),
    }
}
