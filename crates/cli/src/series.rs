//! A dated numeric column from a CSV file (`date, value`), and the returns of an equity
//! curve, as `oxfolio metrics` and `oxfolio risk monitor` read them.

use std::path::Path;

use anyhow::{bail, Context};

use oxfolio_core::time::{format_timestamp, Timestamp};
use oxfolio_data::cell::{parse_number, Cell};
use oxfolio_data::{line_of, DateFormat};

/// A dated numeric column read from a CSV file.
pub struct Series {
    /// Dates.
    pub dates: Vec<Timestamp>,
    /// Values.
    pub values: Vec<f64>,
    /// Rows dropped because the value was empty (only with `drop_missing`).
    pub dropped: usize,
}

/// Reads `date, value` pairs from a CSV; every problem is an error naming file, line and
/// column.
pub fn read_series(
    path: &Path,
    date_column: Option<&str>,
    column: Option<&str>,
    date_format: Option<&str>,
    drop_missing: bool,
) -> anyhow::Result<Series> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(&bytes[..]);
    let headers: Vec<String> = reader
        .headers()
        .with_context(|| format!("{}: cannot read the header", path.display()))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
            .with_context(|| {
                format!(
                    "{}: no column `{name}` in [{}]",
                    path.display(),
                    headers.join(", ")
                )
            })
    };
    let date_i = date_column.map_or(Ok(0), find)?;
    let value_i = match column {
        Some(n) => find(n)?,
        None => (0..headers.len()).find(|&i| i != date_i).with_context(|| {
            format!("{}: needs a date column and a value column", path.display())
        })?,
    };
    let mut format = match date_format {
        Some(f) => {
            Some(DateFormat::parse_name(f).with_context(|| format!("unknown date format `{f}`"))?)
        }
        None => None,
    };
    let mut out = Series {
        dates: Vec::new(),
        values: Vec::new(),
        dropped: 0,
    };
    let (date_name, value_name) = (&headers[date_i], &headers[value_i]);
    for record in reader.records() {
        let record = record.with_context(|| format!("{}: malformed CSV", path.display()))?;
        let line = record.position().map_or(0, |p| line_of(&bytes, p));
        let at = |col: &str| format!("{}: line {line}, column `{col}`", path.display());
        if record.len() != headers.len() {
            bail!(
                "{}: line {line}: {} fields, but the header names {}",
                path.display(),
                record.len(),
                headers.len()
            );
        }
        let date_text = record[date_i].trim();
        let f = match &format {
            Some(f) => f,
            None => format.insert(DateFormat::infer(date_text).with_context(|| {
                format!(
                    "{}: cannot infer the date format of `{date_text}`; name it with --date-format",
                    at(date_name)
                )
            })?),
        };
        let date = f
            .parse(date_text)
            .with_context(|| format!("{}: `{date_text}` is not a date", at(date_name)))?;
        let value = match parse_number(record[value_i].as_bytes()) {
            Cell::Value(v) => v,
            Cell::Missing if drop_missing => {
                out.dropped += 1;
                continue;
            }
            Cell::Missing => bail!(
                "{}: missing value (use --drop-missing to drop such rows)",
                at(value_name)
            ),
            Cell::Unparsable | Cell::NonFinite => {
                bail!(
                    "{}: `{}` is not a finite number",
                    at(value_name),
                    record[value_i].trim()
                )
            }
        };
        if let Some(&prev) = out.dates.last() {
            if date <= prev {
                bail!(
                    "{}: date {} is not after the previous row's {} (dates must be unique and ascending)",
                    at(date_name),
                    format_timestamp(date),
                    format_timestamp(prev)
                );
            }
        }
        out.dates.push(date);
        out.values.push(value);
    }
    if out.values.is_empty() {
        bail!("{}: the file is empty (no data rows)", path.display());
    }
    Ok(out)
}

/// Simple returns of an equity curve; an error names the first non-positive value.
pub fn equity_to_returns(
    equity: &Series,
    path: &Path,
) -> anyhow::Result<(Vec<Timestamp>, Vec<f64>)> {
    if let Some(i) = equity.values.iter().position(|v| *v <= 0.0) {
        bail!(
            "{}: equity on {} is {} (must be positive to compute returns)",
            path.display(),
            format_timestamp(equity.dates[i]),
            equity.values[i]
        );
    }
    if equity.values.len() < 2 {
        bail!(
            "{}: an equity curve needs at least two rows",
            path.display()
        );
    }
    let returns = equity
        .values
        .windows(2)
        .map(|w| w[1] / w[0] - 1.0)
        .collect();
    Ok((equity.dates[1..].to_vec(), returns))
}
