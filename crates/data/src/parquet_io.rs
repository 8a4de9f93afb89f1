//! Parquet files of bars: one-symbol files (the store's) and long files (many symbols).
//!
//! Schema written: `ts` INT64 `TIMESTAMP(NANOS, false)`, then one DOUBLE column per
//! present field (`open`, `high`, `low`, `close`, `volume`, `adj_close`), and for long
//! files a UTF-8 `symbol` column. The reader accepts other writers' files too: the time
//! column may be named `date`, `timestamp`, `datetime` or `ts` and be a DATE, a
//! TIMESTAMP (milli, micro or nano) or an ISO string; numbers may be any numeric type.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use parquet::basic::{LogicalType, TimeUnit};
use parquet::data_type::{ByteArray, ByteArrayType, DataType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::{SerializedFileWriter, SerializedRowGroupWriter};
use parquet::record::Field as PqField;
use parquet::schema::parser::parse_message_type;

use oxfolio_core::time::NANOS_PER_DAY;
use oxfolio_core::{Bars, Field};

use crate::csv_read::FileData;
use crate::datefmt::DateFormat;
use crate::error::DataError;
use crate::layout::{role_of, Role};
use crate::problem::{Problem, ProblemKind};
use crate::raw::Raw;
use crate::validate::{check_row_values, settle_row, ValidationOptions};

fn pq_err(path: &Path, e: impl std::fmt::Display) -> DataError {
    DataError::Parquet {
        path: path.into(),
        message: e.to_string(),
    }
}

fn schema_for(fields: &[Field], with_symbol: bool) -> String {
    let mut s = String::from("message bars {\n  required int64 ts (TIMESTAMP(NANOS,false));\n");
    if with_symbol {
        s.push_str("  required binary symbol (UTF8);\n");
    }
    for f in fields {
        s.push_str(&format!("  required double {};\n", f.name()));
    }
    s.push('}');
    s
}

/// Writes many series to one Parquet file (long layout when `with_symbol`; otherwise
/// exactly one series). All series must have the same fields.
fn write(path: &Path, series: &[&Bars], with_symbol: bool) -> Result<(), DataError> {
    let fields = series
        .first()
        .map(|b| b.fields())
        .unwrap_or_else(|| vec![Field::Close]);
    if let Some(b) = series.iter().find(|b| b.fields() != fields) {
        return Err(DataError::Input(format!(
            "cannot write `{}` to {}: its fields differ from the first series",
            b.symbol,
            path.display()
        )));
    }
    let schema = Arc::new(
        parse_message_type(&schema_for(&fields, with_symbol)).map_err(|e| pq_err(path, e))?,
    );
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
            .build(),
    );
    let file = File::create(path).map_err(|e| DataError::io(path, e))?;
    let mut writer = SerializedFileWriter::new(file, schema, props).map_err(|e| pq_err(path, e))?;
    let mut group = writer.next_row_group().map_err(|e| pq_err(path, e))?;
    let ts: Vec<i64> = series.iter().flat_map(|b| b.ts.iter().copied()).collect();
    write_column::<Int64Type>(&mut group, &ts, path)?;
    if with_symbol {
        let symbols: Vec<ByteArray> = series
            .iter()
            .flat_map(|b| std::iter::repeat_n(ByteArray::from(b.symbol.as_str()), b.len()))
            .collect();
        write_column::<ByteArrayType>(&mut group, &symbols, path)?;
    }
    for f in &fields {
        let values: Vec<f64> = series
            .iter()
            .flat_map(|b| b.column(*f).unwrap_or_default().iter().copied())
            .collect();
        write_column::<DoubleType>(&mut group, &values, path)?;
    }
    group.close().map_err(|e| pq_err(path, e))?;
    writer.close().map_err(|e| pq_err(path, e))?;
    Ok(())
}

/// Writes the next column of a row group.
fn write_column<T: DataType>(
    group: &mut SerializedRowGroupWriter<'_, File>,
    values: &[T::T],
    path: &Path,
) -> Result<(), DataError> {
    let mut col = group
        .next_column()
        .map_err(|e| pq_err(path, e))?
        .ok_or_else(|| pq_err(path, "schema has fewer columns than written"))?;
    col.typed::<T>()
        .write_batch(values, None, None)
        .map_err(|e| pq_err(path, e))?;
    col.close().map_err(|e| pq_err(path, e))
}

/// Writes one symbol's bars (the store's file layout).
pub fn write_bars(path: &Path, bars: &Bars) -> Result<(), DataError> {
    write(path, &[bars], false)
}

/// Writes many symbols' bars in long layout.
pub fn write_long(path: &Path, series: &[Bars]) -> Result<(), DataError> {
    let refs: Vec<&Bars> = series.iter().collect();
    write(path, &refs, true)
}

/// How the time column is stored.
#[derive(Clone, Copy)]
enum TimeKind {
    Nanos,
    Other,
}

fn time_value(field: &PqField, kind: TimeKind) -> Option<i64> {
    match (field, kind) {
        (PqField::Long(v), TimeKind::Nanos) => Some(*v),
        (PqField::TimestampMillis(v), _) => v.checked_mul(1_000_000),
        (PqField::TimestampMicros(v), _) => v.checked_mul(1_000),
        (PqField::Date(d), _) => i64::from(*d).checked_mul(NANOS_PER_DAY),
        (PqField::Str(s), _) => DateFormat::Auto.parse(s),
        _ => None,
    }
}

fn number_value(field: &PqField) -> Option<f64> {
    Some(match field {
        PqField::Double(v) => *v,
        PqField::Float(v) => f64::from(*v),
        PqField::Long(v) => *v as f64,
        PqField::Int(v) => f64::from(*v),
        PqField::Short(v) => f64::from(*v),
        PqField::ULong(v) => *v as f64,
        PqField::UInt(v) => f64::from(*v),
        PqField::Str(s) => s.trim().parse().ok()?,
        _ => return None,
    })
}

/// Reads a Parquet file of bars (long layout if it has a symbol column, otherwise one
/// symbol named `default_symbol`), validating each row like the CSV reader. Problem
/// lines are 1-based row numbers.
pub fn read_parquet(
    path: &Path,
    default_symbol: &str,
    validation: &ValidationOptions,
) -> Result<FileData, DataError> {
    let file = File::open(path).map_err(|e| DataError::io(path, e))?;
    let reader = SerializedFileReader::new(file).map_err(|e| pq_err(path, e))?;
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let mut time_col = None;
    let mut symbol_col = None;
    let mut fields: Vec<(Field, usize)> = Vec::new();
    let mut time_kind = TimeKind::Other;
    for (i, col) in schema.columns().iter().enumerate() {
        let role = match col.name() {
            "ts" => Role::Date,
            name => role_of(name, 1),
        };
        match role {
            Role::Date => {
                time_col = Some(i);
                if let Some(LogicalType::Timestamp(t)) = col.logical_type_ref() {
                    if t.unit == TimeUnit::NANOS {
                        time_kind = TimeKind::Nanos;
                    }
                }
            }
            Role::Symbol => symbol_col = Some(i),
            Role::Field(f) => fields.push((f, i)),
            Role::Time | Role::Ignore => {}
        }
    }
    let header_err = |message: String| DataError::Header {
        path: path.into(),
        line: 0,
        message,
    };
    let names: Vec<String> = schema
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    let time_col = time_col.ok_or_else(|| {
        header_err(format!(
            "no date/timestamp column among [{}]",
            names.join(", ")
        ))
    })?;
    if !fields.iter().any(|(f, _)| *f == Field::Close) {
        return Err(header_err(format!(
            "no close column among [{}]",
            names.join(", ")
        )));
    }
    fields.sort();
    let present_fields: Vec<Field> = fields.iter().map(|(f, _)| *f).collect();
    let mut present = [false; 6];
    for f in &present_fields {
        present[*f as usize] = true;
    }
    let file_name = path.display().to_string();
    let mut series: BTreeMap<String, Raw> = BTreeMap::new();
    let rows = reader.get_row_iter(None).map_err(|e| pq_err(path, e))?;
    let mut problems = Vec::new();
    let mut n = 0u64;
    for row in rows {
        let row = row.map_err(|e| pq_err(path, e))?;
        n += 1;
        let cols: Vec<&PqField> = row.get_column_iter().map(|(_, f)| f).collect();
        let symbol = match symbol_col.map(|c| cols[c]) {
            Some(PqField::Str(s)) => s.clone(),
            Some(_) => String::new(),
            None => default_symbol.to_string(),
        };
        let raw = series.entry(symbol.clone()).or_insert_with(|| {
            Raw::new(
                if symbol.is_empty() {
                    "(no symbol)"
                } else {
                    &symbol
                },
                &present_fields,
                &file_name,
            )
        });
        raw.report.rows_read += 1;
        let ts = time_value(cols[time_col], time_kind);
        if ts.is_none() {
            problems.push(Problem {
                line: n,
                column: Some(names[time_col].clone()),
                kind: if matches!(cols[time_col], PqField::Null) {
                    ProblemKind::MissingValue
                } else {
                    ProblemKind::UnparsableDate
                },
                message: format!("`{}` is not a timestamp", cols[time_col]),
            });
        }
        let mut values = [f64::NAN; 6];
        for &(f, c) in &fields {
            match number_value(cols[c]) {
                Some(v) if v.is_finite() => values[f as usize] = v,
                other => problems.push(Problem {
                    line: n,
                    column: Some(names[c].clone()),
                    kind: match (cols[c], other) {
                        (PqField::Null, _) => ProblemKind::MissingValue,
                        (_, Some(_)) => ProblemKind::NonFinite,
                        _ => ProblemKind::UnparsableNumber,
                    },
                    message: format!("`{}` is not a finite number", cols[c]),
                }),
            }
        }
        if problems.is_empty() {
            check_row_values(
                &values,
                &present,
                validation.back_adjusted,
                n,
                &mut problems,
            );
        }
        if settle_row(&mut problems, validation, &mut raw.report) {
            if let Some(ts) = ts {
                raw.bars.push(ts, values);
                raw.lines.push(n);
            }
        }
    }
    if n == 0 {
        return Err(DataError::EmptyFile { path: path.into() });
    }
    let mut out = FileData::default();
    for (_, raw) in series {
        let data = raw.finish(validation);
        if data.report.symbol == "(no symbol)" {
            out.other.push(data.report);
        } else {
            out.series.push(data);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("long.parquet");
        let mut a = Bars::with_fields("A", &[Field::Volume]);
        a.push(
            NANOS_PER_DAY,
            [f64::NAN, f64::NAN, f64::NAN, 1.5, 10.0, f64::NAN],
        );
        a.push(
            2 * NANOS_PER_DAY,
            [f64::NAN, f64::NAN, f64::NAN, 1.75, 0.0, f64::NAN],
        );
        let mut b = Bars::with_fields("B", &[Field::Volume]);
        b.push(
            NANOS_PER_DAY,
            [f64::NAN, f64::NAN, f64::NAN, 20.0, 5.0, f64::NAN],
        );
        write_long(&path, &[a.clone(), b.clone()]).expect("write");
        let data = read_parquet(&path, "X", &ValidationOptions::default()).expect("read");
        assert_eq!(data.series.len(), 2);
        assert_eq!(data.series[0].bars, a);
        assert_eq!(data.series[1].bars, b);
        assert_eq!(data.series[0].report.zero_volume_rows, 1);
    }

    #[test]
    fn corrupt_file_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("bad.parquet");
        std::fs::write(&path, b"not parquet at all").expect("write");
        let e = read_parquet(&path, "X", &ValidationOptions::default()).expect_err("corrupt");
        assert!(e.to_string().contains("bad.parquet: parquet:"), "{e}");
    }
}
