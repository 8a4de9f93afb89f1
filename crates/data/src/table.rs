//! Generic column tables in Parquet: named columns of numbers or text, for results and
//! batch tools (option batches, run outputs). Numbers are written as DOUBLE (`NaN` for a
//! missing value), text as UTF-8; any numeric Parquet type reads back as numbers.

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

/// Writes a table (one row group, zstd).
pub fn write_table(path: &Path, table: &[(String, Column)]) -> Result<(), DataError> {
    let rows = table.first().map_or(0, |c| c.1.len());
    if let Some((name, c)) = table.iter().find(|(_, c)| c.len() != rows) {
        return Err(DataError::Input(format!(
            "column `{name}` has {} values, the first has {rows}",
            c.len()
        )));
    }
    let mut schema = String::from("message table {\n");
    for (name, c) in table {
        if !name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
            || name.is_empty()
        {
            return Err(DataError::Input(format!(
                "column name `{name}`: letters, digits and _ only"
            )));
        }
        schema.push_str(&match c {
            Column::Number(_) => format!("  required double {name};\n"),
            Column::Text(_) => format!("  required binary {name} (UTF8);\n"),
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
    let mut writer = SerializedFileWriter::new(file, schema, props).map_err(|e| err(path, e))?;
    let mut group = writer.next_row_group().map_err(|e| err(path, e))?;
    for (_, c) in table {
        let mut col = group
            .next_column()
            .map_err(|e| err(path, e))?
            .ok_or_else(|| err(path, "schema has fewer columns than the table"))?;
        match c {
            Column::Number(v) => col.typed::<DoubleType>().write_batch(v, None, None),
            Column::Text(v) => {
                let bytes: Vec<ByteArray> = v.iter().map(|s| ByteArray::from(s.as_str())).collect();
                col.typed::<ByteArrayType>().write_batch(&bytes, None, None)
            }
        }
        .map_err(|e| err(path, e))?;
        col.close().map_err(|e| err(path, e))?;
    }
    group.close().map_err(|e| err(path, e))?;
    writer.close().map_err(|e| err(path, e))?;
    Ok(())
}

/// Reads every column of a flat Parquet file: text columns as text, numeric ones as
/// numbers (nulls become `NaN` in numbers and empty strings in text).
pub fn read_table(path: &Path) -> Result<Table, DataError> {
    let file = File::open(path).map_err(|e| DataError::io(path, e))?;
    let reader = SerializedFileReader::new(file).map_err(|e| err(path, e))?;
    let names: Vec<String> = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_string())
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
        .zip(columns)
        .map(|(n, c)| (n, c.unwrap_or(Column::Number(Vec::new()))))
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
