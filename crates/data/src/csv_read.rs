//! Reading market data from CSV: long, one-symbol OHLCV, and wide files of closes.

use std::collections::HashMap;
use std::path::Path;

use oxfolio_core::time::{floor_to_day, Timestamp};
use oxfolio_core::{Bars, Field};

use crate::cell::{cell_problem, parse_number, Cell};
use crate::datefmt::DateFormat;
use crate::error::DataError;
use crate::layout::{FileFormat, Layout, Role};
use crate::problem::{Problem, ProblemKind, SeriesReport};
use crate::validate::{check_row_values, order_rows, settle_row, ValidationOptions};

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

/// Rows of one series while reading: bars plus the line of each bar.
pub(crate) struct Raw {
    pub(crate) bars: Bars,
    pub(crate) lines: Vec<u64>,
    pub(crate) report: SeriesReport,
}

impl Raw {
    pub(crate) fn new(symbol: &str, fields: &[Field], file: &str) -> Raw {
        Raw {
            bars: Bars::with_fields(symbol, fields),
            lines: Vec::new(),
            report: SeriesReport {
                symbol: symbol.to_string(),
                file: file.to_string(),
                ..Default::default()
            },
        }
    }

    /// Orders, de-duplicates and counts; turns the raw rows into the final series.
    pub(crate) fn finish(mut self, options: &ValidationOptions) -> SeriesData {
        let kept = order_rows(&self.bars.ts, &self.lines, options, &mut self.report);
        if kept.len() != self.bars.len() || kept.windows(2).any(|w| w[0] > w[1]) {
            self.bars.permute(&kept);
        }
        if options.daily {
            for t in &mut self.bars.ts {
                *t = floor_to_day(*t);
            }
        }
        let report = &mut self.report;
        report.rows_kept = self.bars.len();
        report.zero_volume_rows = self
            .bars
            .volume
            .as_ref()
            .map_or(0, |v| v.iter().filter(|x| **x == 0.0).count());
        if options.back_adjusted {
            report.non_positive_accepted = self.bars.close.iter().filter(|x| **x <= 0.0).count();
        }
        report.sort_problems();
        SeriesData {
            bars: self.bars,
            report: self.report,
        }
    }
}

fn csv_error(path: &Path, e: &csv::Error) -> DataError {
    DataError::Csv {
        path: path.to_path_buf(),
        line: e.position().map_or(0, csv::Position::line),
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
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(csv_options.delimiter)
        .from_path(path)
        .map_err(|e| match e.into_kind() {
            csv::ErrorKind::Io(io) => DataError::io(path, io),
            other => DataError::Csv {
                path: path.to_path_buf(),
                line: 0,
                message: format!("{other:?}"),
            },
        })?;
    let mut header = csv::ByteRecord::new();
    let names: Vec<String> = if csv_options.header {
        if !reader
            .read_byte_record(&mut header)
            .map_err(|e| csv_error(path, &e))?
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
    let mut rest = Records {
        reader,
        record: csv::ByteRecord::new(),
        pending: true,
        path,
    };
    if !rest
        .reader
        .read_byte_record(&mut rest.record)
        .map_err(|e| csv_error(path, &e))?
    {
        return Err(DataError::EmptyFile { path: path.into() });
    }
    let file = path.display().to_string();
    let mut ctx = RowContext::new(path, &file, &layout, csv_options, validation);
    match layout.format {
        FileFormat::Wide => read_wide(&mut rest, &mut ctx),
        FileFormat::Long | FileFormat::Ohlcv => read_bars(&mut rest, &mut ctx),
    }
}

/// Data records read one at a time into one reused buffer (no allocation per row).
struct Records<'a> {
    reader: csv::Reader<std::fs::File>,
    record: csv::ByteRecord,
    /// The first data record was read ahead (to detect an empty file) and not yet served.
    pending: bool,
    path: &'a Path,
}

impl Records<'_> {
    /// The next record, or `None` at the end of the file.
    fn next_record(&mut self) -> Result<Option<&csv::ByteRecord>, DataError> {
        if std::mem::take(&mut self.pending) {
            return Ok(Some(&self.record));
        }
        let more = self
            .reader
            .read_byte_record(&mut self.record)
            .map_err(|e| csv_error(self.path, &e))?;
        Ok(more.then_some(&self.record))
    }
}

/// Appends bytes as text (invalid UTF-8 replaced, which then fails to parse as a date).
fn push_text(buf: &mut String, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(s) => buf.push_str(s),
        Err(_) => buf.push_str(&String::from_utf8_lossy(bytes)),
    }
}

/// True for a header cell that is a number or a date: the file has no header.
fn looks_like_data(cell: &str) -> bool {
    let cell = cell.trim_start_matches('\u{feff}');
    !cell.is_empty()
        && (matches!(parse_number(cell.as_bytes()), Cell::Value(_))
            || DateFormat::infer(cell).is_some())
}

/// What every row parser needs.
struct RowContext<'a> {
    path: &'a Path,
    file: &'a str,
    layout: &'a Layout,
    csv: &'a CsvOptions,
    validation: &'a ValidationOptions,
    date_format: Option<DateFormat>,
    date_col: usize,
    time_col: Option<usize>,
    date_buf: String,
}

impl<'a> RowContext<'a> {
    fn new(
        path: &'a Path,
        file: &'a str,
        layout: &'a Layout,
        csv: &'a CsvOptions,
        validation: &'a ValidationOptions,
    ) -> Self {
        RowContext {
            path,
            file,
            layout,
            csv,
            validation,
            date_format: match &csv.date_format {
                DateFormat::Auto => None,
                f => Some(f.clone()),
            },
            date_col: layout.index(Role::Date).unwrap_or(0),
            time_col: layout.index(Role::Time),
            date_buf: String::new(),
        }
    }

    /// Parses the date (and time) of a record; a problem when it fails.
    fn timestamp(
        &mut self,
        record: &csv::ByteRecord,
        line: u64,
    ) -> Result<Result<Timestamp, Problem>, DataError> {
        let raw = record.get(self.date_col).unwrap_or_default();
        let raw = raw.strip_prefix("\u{feff}".as_bytes()).unwrap_or(raw);
        self.date_buf.clear();
        push_text(&mut self.date_buf, raw.trim_ascii());
        if let Some(tc) = self.time_col {
            let t = record.get(tc).unwrap_or_default();
            self.date_buf.push(' ');
            push_text(&mut self.date_buf, t.trim_ascii());
        }
        let column = self.layout.names[self.date_col].clone();
        if raw.trim_ascii().is_empty() {
            return Ok(Err(Problem {
                line,
                column: Some(column),
                kind: ProblemKind::MissingValue,
                message: "missing date".into(),
            }));
        }
        let format = match &self.date_format {
            Some(f) => f,
            None => {
                let inferred =
                    DateFormat::infer(&self.date_buf).ok_or_else(|| DataError::DateFormat {
                        path: self.path.into(),
                        line,
                        sample: self.date_buf.clone(),
                    })?;
                self.date_format.insert(inferred)
            }
        };
        Ok(format.parse(&self.date_buf).ok_or_else(|| Problem {
            line,
            column: Some(column),
            kind: ProblemKind::UnparsableDate,
            message: format!("`{}` is not a date in the format {format:?}", self.date_buf),
        }))
    }

    fn field_count_problem(&self, record: &csv::ByteRecord, line: u64) -> Option<Problem> {
        let expected = self.layout.names.len();
        (record.len() != expected).then(|| Problem {
            line,
            column: None,
            kind: ProblemKind::FieldCount,
            message: format!(
                "{} fields, but the header names {expected} columns",
                record.len()
            ),
        })
    }
}

fn read_bars(records: &mut Records<'_>, ctx: &mut RowContext<'_>) -> Result<FileData, DataError> {
    let fields = ctx.layout.field_columns();
    let present_fields: Vec<Field> = fields.iter().map(|(f, _)| *f).collect();
    let mut present = [false; 6];
    for (k, f) in Field::ALL.into_iter().enumerate() {
        present[k] = present_fields.contains(&f);
    }
    let symbol_col = ctx.layout.index(Role::Symbol);
    let default_symbol = ctx
        .csv
        .symbol
        .clone()
        .unwrap_or_else(|| symbol_from_path(ctx.path));
    let mut series: Vec<Raw> = Vec::new();
    let mut by_symbol: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut last: Option<(Vec<u8>, usize)> = None;
    let mut problems: Vec<Problem> = Vec::new();
    let scale = ctx.csv.price_scale;
    while let Some(record) = records.next_record()? {
        let line = record.position().map_or(0, csv::Position::line);
        // Which series does the row belong to?
        let key: &[u8] = match symbol_col {
            Some(c) => record.get(c).unwrap_or_default().trim_ascii(),
            None => default_symbol.as_bytes(),
        };
        let s = match &last {
            Some((k, i)) if k.as_slice() == key => *i,
            _ => {
                let i = *by_symbol.entry(key.to_vec()).or_insert_with(|| {
                    let name = if key.is_empty() {
                        "(no symbol)".to_string()
                    } else {
                        String::from_utf8_lossy(key).into_owned()
                    };
                    series.push(Raw::new(&name, &present_fields, ctx.file));
                    series.len() - 1
                });
                last = Some((key.to_vec(), i));
                i
            }
        };
        let raw = &mut series[s];
        raw.report.rows_read += 1;
        if let Some(p) = ctx.field_count_problem(record, line) {
            problems.push(p);
            settle_row(&mut problems, ctx.validation, &mut raw.report);
            continue;
        }
        let ts = match ctx.timestamp(record, line)? {
            Ok(t) => Some(t),
            Err(p) => {
                problems.push(p);
                None
            }
        };
        if key.is_empty() {
            problems.push(Problem {
                line,
                column: symbol_col.map(|c| ctx.layout.names[c].clone()),
                kind: ProblemKind::MissingValue,
                message: "missing symbol".into(),
            });
        }
        let mut values = [f64::NAN; 6];
        for &(field, col) in &fields {
            let bytes = record.get(col).unwrap_or_default();
            let cell = parse_number(bytes);
            match cell {
                Cell::Value(v) => {
                    let k = field as usize;
                    values[k] = if field.is_price() { v / scale } else { v };
                }
                _ => problems.extend(cell_problem(cell, bytes, line, &ctx.layout.names[col])),
            }
        }
        if problems.is_empty() {
            check_row_values(
                &values,
                &present,
                ctx.validation.back_adjusted,
                line,
                &mut problems,
            );
        }
        if !settle_row(&mut problems, ctx.validation, &mut raw.report) {
            continue;
        }
        if let Some(ts) = ts {
            raw.bars.push(ts, values);
            raw.lines.push(line);
        }
    }
    let mut out = FileData::default();
    for raw in series {
        let data = raw.finish(ctx.validation);
        if data.report.symbol == "(no symbol)" {
            out.other.push(data.report);
        } else {
            out.series.push(data);
        }
    }
    out.series
        .sort_by(|a, b| a.report.symbol.cmp(&b.report.symbol));
    Ok(out)
}

fn read_wide(records: &mut Records<'_>, ctx: &mut RowContext<'_>) -> Result<FileData, DataError> {
    let symbol_cols: Vec<usize> = (0..ctx.layout.names.len())
        .filter(|&c| c != ctx.date_col)
        .collect();
    let mut file_report = SeriesReport {
        symbol: "(file)".into(),
        file: ctx.file.to_string(),
        ..Default::default()
    };
    let mut reports: Vec<SeriesReport> = symbol_cols
        .iter()
        .map(|&c| SeriesReport {
            symbol: ctx.layout.names[c].clone(),
            file: ctx.file.to_string(),
            ..Default::default()
        })
        .collect();
    let mut ts = Vec::new();
    let mut lines = Vec::new();
    // cells[j] holds symbol j's closes per kept row (NaN = empty or dropped).
    let mut cells: Vec<Vec<f64>> = vec![Vec::new(); symbol_cols.len()];
    let mut problems = Vec::new();
    let no_ohlc = [false, false, false, true, false, false];
    while let Some(record) = records.next_record()? {
        let line = record.position().map_or(0, csv::Position::line);
        file_report.rows_read += 1;
        if let Some(p) = ctx.field_count_problem(record, line) {
            problems.push(p);
        }
        let t = if problems.is_empty() {
            match ctx.timestamp(record, line)? {
                Ok(t) => Some(t),
                Err(p) => {
                    problems.push(p);
                    None
                }
            }
        } else {
            None
        };
        if !settle_row(&mut problems, ctx.validation, &mut file_report) {
            continue;
        }
        let Some(t) = t else { continue };
        ts.push(t);
        lines.push(line);
        for (j, &c) in symbol_cols.iter().enumerate() {
            let bytes = record.get(c).unwrap_or_default();
            let report = &mut reports[j];
            report.rows_read += 1;
            let value = match parse_number(bytes) {
                Cell::Missing => {
                    report.missing_cells += 1;
                    f64::NAN
                }
                Cell::Value(v) => {
                    let v = v / ctx.csv.price_scale;
                    let values = [f64::NAN, f64::NAN, f64::NAN, v, f64::NAN, f64::NAN];
                    check_row_values(
                        &values,
                        &no_ohlc,
                        ctx.validation.back_adjusted,
                        line,
                        &mut problems,
                    );
                    for p in &mut problems {
                        p.column = Some(ctx.layout.names[c].clone());
                    }
                    v
                }
                cell => {
                    problems.extend(cell_problem(cell, bytes, line, &ctx.layout.names[c]));
                    f64::NAN
                }
            };
            let kept = settle_row(&mut problems, ctx.validation, report);
            cells[j].push(if kept { value } else { f64::NAN });
        }
    }
    let kept = order_rows(&ts, &lines, ctx.validation, &mut file_report);
    let mut out = FileData::default();
    for (j, mut report) in reports.into_iter().enumerate() {
        let mut bars = Bars::with_fields(report.symbol.clone(), &[]);
        for &i in &kept {
            let v = cells[j][i];
            if !v.is_nan() {
                let t = if ctx.validation.daily {
                    floor_to_day(ts[i])
                } else {
                    ts[i]
                };
                bars.push(t, [f64::NAN, f64::NAN, f64::NAN, v, f64::NAN, f64::NAN]);
            }
        }
        report.rows_kept = bars.len();
        if ctx.validation.back_adjusted {
            report.non_positive_accepted = bars.close.iter().filter(|x| **x <= 0.0).count();
        }
        report.sort_problems();
        out.series.push(SeriesData { bars, report });
    }
    out.series
        .sort_by(|a, b| a.report.symbol.cmp(&b.report.symbol));
    file_report.rows_kept = kept.len();
    file_report.sort_problems();
    if file_report.problem_count() > 0 || !file_report.repairs.is_empty() {
        out.other.push(file_report);
    }
    Ok(out)
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
