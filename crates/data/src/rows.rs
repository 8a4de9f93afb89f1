//! Row-level reading: parse each record of a chunk of a CSV file into series, checking
//! every value. Chunks are independent, so a large file is read by several threads and
//! the partial results appended in file order.

use std::collections::HashMap;
use std::path::Path;

use oxfolio_core::time::{floor_to_day, Timestamp};
use oxfolio_core::{Bars, Field};

use crate::cell::{cell_problem, parse_number, Cell};
use crate::csv_read::{csv_error, line_of, symbol_from_path, CsvOptions, FileData, SeriesData};
use crate::datefmt::DateFormat;
use crate::error::DataError;
use crate::layout::{Layout, Role};
use crate::problem::{Problem, ProblemKind, SeriesReport};
use crate::raw::Raw;
use crate::validate::{check_row_values, order_rows, settle_row, ValidationOptions};

/// Data records of one chunk of a file, read one at a time into one reused buffer (no
/// allocation per row).
pub(crate) struct Records<'a> {
    reader: csv::Reader<&'a [u8]>,
    chunk: &'a [u8],
    record: csv::ByteRecord,
    /// Lines of the file before this chunk, added to the reader's line numbers.
    line_offset: u64,
    path: &'a Path,
}

impl<'a> Records<'a> {
    /// Records of `chunk`, whose first line is line `line_offset + 1` of the file.
    pub(crate) fn new(
        builder: &csv::ReaderBuilder,
        chunk: &'a [u8],
        line_offset: u64,
        path: &'a Path,
    ) -> Self {
        Records {
            reader: builder.from_reader(chunk),
            chunk,
            record: csv::ByteRecord::new(),
            line_offset,
            path,
        }
    }

    /// The next record with its line in the file, or `None` at the end.
    pub(crate) fn next_record(&mut self) -> Result<Option<(u64, &csv::ByteRecord)>, DataError> {
        let more = self
            .reader
            .read_byte_record(&mut self.record)
            .map_err(|e| csv_error(self.path, &e, self.line_offset))?;
        let line = self.line_offset + self.record.position().map_or(0, |p| line_of(self.chunk, p));
        Ok(more.then_some((line, &self.record)))
    }
}

/// Appends bytes as text (invalid UTF-8 replaced, which then fails to parse as a date).
fn push_text(buf: &mut String, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(s) => buf.push_str(s),
        Err(_) => buf.push_str(&String::from_utf8_lossy(bytes)),
    }
}

/// A wide file's rows while reading: dates, lines and each symbol's cells.
pub(crate) struct Wide {
    file_report: SeriesReport,
    reports: Vec<SeriesReport>,
    ts: Vec<Timestamp>,
    lines: Vec<u64>,
    /// `cells[j]` holds symbol j's closes per kept row (NaN = empty or dropped).
    cells: Vec<Vec<f64>>,
}

/// What one chunk produced.
pub(crate) enum Accumulated {
    /// Series of a long or one-symbol file, in order of first appearance.
    Bars(Vec<Raw>),
    /// A wide file's rows.
    Wide(Box<Wide>),
}

impl Accumulated {
    /// Data rows read.
    pub(crate) fn rows_read(&self) -> usize {
        match self {
            Accumulated::Bars(series) => series.iter().map(|r| r.report.rows_read).sum(),
            Accumulated::Wide(w) => w.file_report.rows_read,
        }
    }

    /// Appends the result of the chunk that follows this one in the file.
    pub(crate) fn append(&mut self, later: Accumulated) {
        match (self, later) {
            (Accumulated::Bars(a), Accumulated::Bars(b)) => {
                let mut index: HashMap<String, usize> = a
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (r.report.symbol.clone(), i))
                    .collect();
                for raw in b {
                    match index.get(&raw.report.symbol) {
                        Some(&i) => a[i].append(raw),
                        None => {
                            index.insert(raw.report.symbol.clone(), a.len());
                            a.push(raw);
                        }
                    }
                }
            }
            (Accumulated::Wide(a), Accumulated::Wide(b)) => {
                let mut b = *b;
                a.file_report.merge(b.file_report);
                for (x, y) in a.reports.iter_mut().zip(b.reports) {
                    x.merge(y);
                }
                a.ts.append(&mut b.ts);
                a.lines.append(&mut b.lines);
                for (x, y) in a.cells.iter_mut().zip(b.cells.iter_mut()) {
                    x.append(y);
                }
            }
            // Every chunk of a file has the file's layout.
            _ => {}
        }
    }

    /// Orders, de-duplicates and counts every series.
    pub(crate) fn finish(self, validation: &ValidationOptions) -> FileData {
        match self {
            Accumulated::Bars(series) => {
                let mut out = FileData::default();
                for raw in series {
                    let data = raw.finish(validation);
                    if data.report.symbol == "(no symbol)" {
                        out.other.push(data.report);
                    } else {
                        out.series.push(data);
                    }
                }
                out.series
                    .sort_by(|a, b| a.report.symbol.cmp(&b.report.symbol));
                out
            }
            Accumulated::Wide(w) => w.finish(validation),
        }
    }
}

impl Wide {
    fn finish(mut self, validation: &ValidationOptions) -> FileData {
        let kept = order_rows(&self.ts, &self.lines, validation, &mut self.file_report);
        let mut out = FileData::default();
        for (j, mut report) in self.reports.into_iter().enumerate() {
            let mut bars = Bars::with_fields(report.symbol.clone(), &[]);
            for &i in &kept {
                let v = self.cells[j][i];
                if !v.is_nan() {
                    let t = if validation.daily {
                        floor_to_day(self.ts[i])
                    } else {
                        self.ts[i]
                    };
                    bars.push(t, [f64::NAN, f64::NAN, f64::NAN, v, f64::NAN, f64::NAN]);
                }
            }
            report.rows_kept = bars.len();
            if validation.back_adjusted {
                report.non_positive_accepted = bars.close.iter().filter(|x| **x <= 0.0).count();
            }
            report.sort_problems();
            out.series.push(SeriesData { bars, report });
        }
        out.series
            .sort_by(|a, b| a.report.symbol.cmp(&b.report.symbol));
        self.file_report.rows_kept = kept.len();
        self.file_report.sort_problems();
        if self.file_report.problem_count() > 0 || !self.file_report.repairs.is_empty() {
            out.other.push(self.file_report);
        }
        out
    }
}

/// What every row parser needs.
pub(crate) struct RowContext<'a> {
    pub(crate) path: &'a Path,
    file: &'a str,
    layout: &'a Layout,
    csv: &'a CsvOptions,
    validation: &'a ValidationOptions,
    pub(crate) date_format: Option<DateFormat>,
    date_col: usize,
    time_col: Option<usize>,
    date_buf: String,
}

impl<'a> RowContext<'a> {
    pub(crate) fn new(
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
    pub(crate) fn timestamp(
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
        let column = || Some(self.layout.names[self.date_col].clone());
        if raw.trim_ascii().is_empty() {
            return Ok(Err(Problem {
                line,
                column: column(),
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
            column: Some(self.layout.names[self.date_col].clone()),
            kind: ProblemKind::UnparsableDate,
            message: format!("`{}` is not a date in the format {format:?}", self.date_buf),
        }))
    }

    /// Parses a numeric cell; the user's missing-value markers count as empty.
    fn cell(&self, bytes: &[u8]) -> Cell {
        let trimmed = bytes.trim_ascii();
        if self.csv.na_values.iter().any(|na| na.as_bytes() == trimmed) {
            Cell::Missing
        } else {
            parse_number(trimmed)
        }
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

/// Reads the records of a long or one-symbol file.
pub(crate) fn accumulate_bars(
    records: &mut Records<'_>,
    ctx: &mut RowContext<'_>,
) -> Result<Accumulated, DataError> {
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
    while let Some((line, record)) = records.next_record()? {
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
            let cell = ctx.cell(bytes);
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
    Ok(Accumulated::Bars(series))
}

/// Reads the records of a wide file.
pub(crate) fn accumulate_wide(
    records: &mut Records<'_>,
    ctx: &mut RowContext<'_>,
) -> Result<Accumulated, DataError> {
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
    while let Some((line, record)) = records.next_record()? {
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
            let value = match ctx.cell(bytes) {
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
    Ok(Accumulated::Wide(Box::new(Wide {
        file_report,
        reports,
        ts,
        lines,
        cells,
    })))
}
