//! Generic column tables in Parquet or CSV: named columns of numbers or text, for results
//! and batch tools (option batches, run outputs). Numbers are written as DOUBLE in
//! Parquet (`NaN` for a missing value) and text as UTF-8; any numeric Parquet type reads
//! back as numbers. [`TableWriter`] streams a table out block by block.

use std::fmt::Write as _;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use parquet::data_type::{ByteArray, ByteArrayType, DoubleType};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::record::Field as PqField;
use parquet::schema::parser::parse_message_type;

use crate::error::DataError;

/// One column's values.
#[derive(Clone, Debug, PartialEq)]
pub enum Column {
    /// Numbers.
    Number(Vec<f64>),
    /// Text.
    Text(Vec<String>),
}

impl Column {
    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Column::Number(v) => v.len(),
            Column::Text(v) => v.len(),
        }
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Named columns of equal length.
pub type Table = Vec<(String, Column)>;

fn err(path: &Path, message: impl std::fmt::Display) -> DataError {
    DataError::Parquet {
        path: path.into(),
        message: message.to_string(),
    }
}

/// A borrowed run of one column's values (a block of rows).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ColumnRef<'a> {
    /// Numbers.
    Number(&'a [f64]),
    /// Text.
    Text(&'a [String]),
}

impl ColumnRef<'_> {
    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            ColumnRef::Number(v) => v.len(),
            ColumnRef::Text(v) => v.len(),
        }
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Numbers or text.
    pub fn kind(&self) -> Kind {
        match self {
            ColumnRef::Number(_) => Kind::Number,
            ColumnRef::Text(_) => Kind::Text,
        }
    }
}

impl Column {
    /// Values `range` of this column (which must lie inside it, as for a slice).
    pub fn slice(&self, range: std::ops::Range<usize>) -> ColumnRef<'_> {
        match self {
            Column::Number(v) => ColumnRef::Number(&v[range]),
            Column::Text(v) => ColumnRef::Text(&v[range]),
        }
    }

    /// The whole column.
    pub fn view(&self) -> ColumnRef<'_> {
        self.slice(0..self.len())
    }

    /// Numbers or text.
    pub fn kind(&self) -> Kind {
        self.view().kind()
    }
}

/// Whether a column holds numbers or text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Numbers.
    Number,
    /// Text.
    Text,
}

/// Writes a table block by block, so results of any size stream out in constant memory:
/// Parquet (a `.parquet` path: DOUBLE and UTF-8 columns, zstd, one row group per block)
/// or CSV (any other path: numbers in Rust's shortest round-trip form, `NaN` as an
/// empty cell).
pub struct TableWriter {
    path: std::path::PathBuf,
    names: Vec<String>,
    kinds: Vec<Kind>,
    sink: Sink,
}

enum Sink {
    Parquet(SerializedFileWriter<File>),
    Csv(csv::Writer<File>),
}

impl TableWriter {
    /// Creates `path` with the named columns (letters, digits and `_` in Parquet).
    pub fn create(path: &Path, columns: &[(String, Kind)]) -> Result<TableWriter, DataError> {
        let names: Vec<String> = columns.iter().map(|c| c.0.clone()).collect();
        let kinds: Vec<Kind> = columns.iter().map(|c| c.1).collect();
        let parquet = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
        let sink = if parquet {
            let mut schema = String::from("message table {\n");
            for (name, kind) in columns {
                if name.is_empty()
                    || !name
                        .chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                {
                    return Err(DataError::Input(format!(
                        "column name `{name}`: letters, digits and _ only"
                    )));
                }
                schema.push_str(&match kind {
                    Kind::Number => format!("  required double {name};\n"),
                    Kind::Text => format!("  required binary {name} (UTF8);\n"),
                });
            }
            schema.push('}');
            let schema = Arc::new(parse_message_type(&schema).map_err(|e| err(path, e))?);
            let props = Arc::new(
                WriterProperties::builder()
                    .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
                    .build(),
            );
            let file = File::create(path).map_err(|e| DataError::io(path, e))?;
            Sink::Parquet(SerializedFileWriter::new(file, schema, props).map_err(|e| err(path, e))?)
        } else {
            let file = File::create(path).map_err(|e| DataError::io(path, e))?;
            let mut w = csv::Writer::from_writer(file);
            w.write_record(&names).map_err(|e| csv_err(path, e))?;
            Sink::Csv(w)
        };
        Ok(TableWriter {
            path: path.into(),
            names,
            kinds,
            sink,
        })
    }

    /// Appends a block: one run of values per column, in the order given at creation,
    /// all of one length.
    pub fn write(&mut self, block: &[ColumnRef]) -> Result<(), DataError> {
        let path = self.path.as_path();
        if block.len() != self.names.len() {
            return Err(DataError::Input(format!(
                "{}: a block of {} columns for a table of {}",
                path.display(),
                block.len(),
                self.names.len()
            )));
        }
        let rows = block.first().map_or(0, ColumnRef::len);
        for ((name, kind), c) in self.names.iter().zip(&self.kinds).zip(block) {
            if c.len() != rows || c.kind() != *kind {
                return Err(DataError::Input(format!(
                    "{}: column `{name}` has {} values of {:?}, expected {rows} of {kind:?}",
                    path.display(),
                    c.len(),
                    c.kind()
                )));
            }
        }
        match &mut self.sink {
            Sink::Parquet(writer) => {
                let mut group = writer.next_row_group().map_err(|e| err(path, e))?;
                for c in block {
                    let mut col = group
                        .next_column()
                        .map_err(|e| err(path, e))?
                        .ok_or_else(|| err(path, "schema has fewer columns than the table"))?;
                    match c {
                        ColumnRef::Number(v) => {
                            col.typed::<DoubleType>().write_batch(v, None, None)
                        }
                        ColumnRef::Text(v) => {
                            let bytes: Vec<ByteArray> =
                                v.iter().map(|s| ByteArray::from(s.as_str())).collect();
                            col.typed::<ByteArrayType>().write_batch(&bytes, None, None)
                        }
                    }
                    .map_err(|e| err(path, e))?;
                    col.close().map_err(|e| err(path, e))?;
                }
                group.close().map_err(|e| err(path, e))?;
            }
            Sink::Csv(w) => {
                let mut cell = String::new();
                for r in 0..rows {
                    for c in block {
                        match c {
                            ColumnRef::Text(v) => w.write_field(&v[r]),
                            ColumnRef::Number(v) => {
                                cell.clear();
                                if !v[r].is_nan() {
                                    // Writing to a String cannot fail.
                                    let _ = write!(cell, "{}", v[r]);
                                }
                                w.write_field(&cell)
                            }
                        }
                        .map_err(|e| csv_err(path, e))?;
                    }
                    w.write_record(None::<&[u8]>)
                        .map_err(|e| csv_err(path, e))?;
                }
            }
        }
        Ok(())
    }

    /// Flushes and closes the file.
    pub fn finish(self) -> Result<(), DataError> {
        let path = self.path.as_path();
        match self.sink {
            Sink::Parquet(writer) => {
                writer.close().map_err(|e| err(path, e))?;
            }
            Sink::Csv(mut w) => w.flush().map_err(|e| DataError::io(path, e))?,
        }
        Ok(())
    }
}

fn csv_err(path: &Path, e: csv::Error) -> DataError {
    DataError::Csv {
        path: path.into(),
        line: e.position().map_or(0, csv::Position::line),
        message: e.to_string(),
    }
}

/// Writes a whole table in one block (see [`TableWriter`]).
pub fn write_table(path: &Path, table: &[(String, Column)]) -> Result<(), DataError> {
    let rows = table.first().map_or(0, |c| c.1.len());
    if let Some((name, c)) = table.iter().find(|(_, c)| c.len() != rows) {
        return Err(DataError::Input(format!(
            "column `{name}` has {} values, the first has {rows}",
            c.len()
        )));
    }
    let schema: Vec<(String, Kind)> = table.iter().map(|(n, c)| (n.clone(), c.kind())).collect();
    let mut writer = TableWriter::create(path, &schema)?;
    let block: Vec<ColumnRef> = table.iter().map(|(_, c)| c.view()).collect();
    writer.write(&block)?;
    writer.finish()
}

/// Reads every column of a flat Parquet file: text columns as text, numeric ones as
/// numbers (nulls become `NaN` in numbers and empty strings in text).
pub fn read_table(path: &Path) -> Result<Table, DataError> {
    let file = File::open(path).map_err(|e| DataError::io(path, e))?;
    let reader = SerializedFileReader::new(file).map_err(|e| err(path, e))?;
    let schema = reader.metadata().file_metadata().schema_descr();
    let names: Vec<String> = schema
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    // A column without rows takes its kind from the schema: byte arrays are text.
    let empty: Vec<Column> = schema
        .columns()
        .iter()
        .map(|c| match c.physical_type() {
            parquet::basic::Type::BYTE_ARRAY => Column::Text(Vec::new()),
            _ => Column::Number(Vec::new()),
        })
        .collect();
    let mut columns: Vec<Option<Column>> = vec![None; names.len()];
    for (r, row) in reader
        .get_row_iter(None)
        .map_err(|e| err(path, e))?
        .enumerate()
    {
        let row = row.map_err(|e| err(path, e))?;
        for (i, (_, field)) in row.get_column_iter().enumerate() {
            let number = match field {
                PqField::Double(v) => Some(*v),
                PqField::Float(v) => Some(f64::from(*v)),
                PqField::Long(v) => Some(*v as f64),
                PqField::Int(v) => Some(f64::from(*v)),
                PqField::Short(v) => Some(f64::from(*v)),
                PqField::Null => Some(f64::NAN),
                _ => None,
            };
            let slot = columns.get_mut(i).ok_or_else(|| {
                err(
                    path,
                    format!("row {} has more fields than the schema", r + 1),
                )
            })?;
            match (slot, number, field) {
                (slot @ None, Some(v), _) => *slot = Some(Column::Number(vec![v])),
                (slot @ None, None, f) => *slot = Some(Column::Text(vec![text(f)])),
                (Some(Column::Number(c)), Some(v), _) => c.push(v),
                (Some(Column::Text(c)), Some(_), PqField::Null) => c.push(String::new()),
                (Some(Column::Text(c)), _, f) => c.push(text(f)),
                (Some(Column::Number(_)), None, f) => {
                    return Err(err(
                        path,
                        format!(
                            "row {}, column `{}`: `{f}` is not a number",
                            r + 1,
                            names[i]
                        ),
                    ))
                }
            }
        }
    }
    Ok(names
        .into_iter()
        .zip(columns.into_iter().zip(empty))
        .map(|(n, (c, empty))| (n, c.unwrap_or(empty)))
        .collect())
}

fn text(f: &PqField) -> String {
    match f {
        PqField::Str(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_stream_block_by_block_to_parquet_and_csv() {
        let dir = tempfile::tempdir().expect("tmp");
        let schema = [
            ("x".to_string(), Kind::Number),
            ("label".to_string(), Kind::Text),
        ];
        let labels: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        for name in ["t.parquet", "t.csv"] {
            let path = dir.path().join(name);
            let mut w = TableWriter::create(&path, &schema).expect("create");
            w.write(&[
                ColumnRef::Number(&[1.5, f64::NAN]),
                ColumnRef::Text(&labels[..2]),
            ])
            .expect("block 1");
            w.write(&[ColumnRef::Number(&[0.1]), ColumnRef::Text(&labels[2..])])
                .expect("block 2");
            let e = w
                .write(&[
                    ColumnRef::Number(&[1.0, 2.0]),
                    ColumnRef::Text(&labels[..1]),
                ])
                .unwrap_err();
            assert!(e.to_string().contains("column `label` has 1 values"), "{e}");
            let e = w
                .write(&[ColumnRef::Text(&labels[..1]), ColumnRef::Text(&labels[..1])])
                .unwrap_err();
            assert!(e.to_string().contains("expected 1 of Number"), "{e}");
            assert!(w.write(&[ColumnRef::Number(&[1.0])]).is_err());
            w.finish().expect("finish");
            if name.ends_with(".csv") {
                let text = std::fs::read_to_string(&path).expect("csv");
                assert_eq!(text, "x,label\n1.5,a\n,b\n0.1,c\n");
            } else {
                let back = read_table(&path).expect("read");
                assert_eq!(back[1].1, Column::Text(labels.clone()));
                match &back[0].1 {
                    Column::Number(v) => {
                        assert!(v.len() == 3 && v[0] == 1.5 && v[1].is_nan() && v[2] == 0.1)
                    }
                    other => panic!("{other:?}"),
                }
            }
        }
    }

    #[test]
    fn an_empty_table_keeps_its_column_kinds() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("empty.parquet");
        let table: Table = vec![
            ("type".into(), Column::Text(Vec::new())),
            ("spot".into(), Column::Number(Vec::new())),
        ];
        write_table(&path, &table).expect("write");
        assert_eq!(read_table(&path).expect("read"), table);
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("t.parquet");
        let table: Table = vec![
            (
                "type".into(),
                Column::Text(vec!["call".into(), "put".into()]),
            ),
            ("spot".into(), Column::Number(vec![100.0, f64::NAN])),
        ];
        write_table(&path, &table).expect("write");
        let back = read_table(&path).expect("read");
        assert_eq!(back[0], table[0]);
        match &back[1].1 {
            Column::Number(v) => assert!(v[0] == 100.0 && v[1].is_nan()),
            other => panic!("{other:?}"),
        }
        assert!(write_table(&path, &[("bad name".into(), Column::Number(vec![]))]).is_err());
        assert!(write_table(
            &path,
            &[
                ("a".into(), Column::Number(vec![1.0])),
                ("b".into(), Column::Number(vec![]))
            ]
        )
        .is_err());
    }
}
