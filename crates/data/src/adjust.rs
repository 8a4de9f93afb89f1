//! Split and dividend adjustment from QuantConnect-style factor files.
//!
//! A factor file has rows `date,price_factor,split_factor,reference_price` (no header),
//! ascending by date. The factor of a bar is taken from the first row whose date is on
//! or after the bar's date; the row `20501231,1,1,0` closes the file. Then
//!
//! * adjusted price = raw price x price_factor x split_factor,
//! * adjusted volume = raw volume / split_factor.
//!
//! Bars after the last row's date keep factor 1.

use std::path::Path;

use oxfolio_core::time::{day_number, Timestamp};
use oxfolio_core::{Bars, Field};

use crate::cell::{parse_number, Cell};
use crate::datefmt::DateFormat;
use crate::error::DataError;
use crate::problem::{Problem, ProblemKind};

/// One factor row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FactorRow {
    /// The last date this row applies to (midnight).
    pub date: Timestamp,
    /// Dividend factor.
    pub price_factor: f64,
    /// Split factor.
    pub split_factor: f64,
}

/// A parsed factor file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FactorFile {
    /// Rows ascending by date.
    pub rows: Vec<FactorRow>,
}

impl FactorFile {
    /// Reads and checks a factor file: every field parses, factors are positive, dates
    /// ascend. Errors name the line.
    pub fn read(path: &Path) -> Result<FactorFile, DataError> {
        let invalid = |line: u64, column: &str, kind, message: String| DataError::Invalid {
            path: path.into(),
            first: Box::new(Problem {
                line,
                column: Some(column.into()),
                kind,
                message,
            }),
            count: 1,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(path)
            .map_err(|e| DataError::Csv {
                path: path.into(),
                line: 0,
                message: e.to_string(),
            })?;
        let mut rows: Vec<FactorRow> = Vec::new();
        for record in reader.byte_records() {
            let record = record.map_err(|e| DataError::Csv {
                path: path.into(),
                line: e.position().map_or(0, csv::Position::line),
                message: e.to_string(),
            })?;
            let line = record.position().map_or(0, csv::Position::line);
            if record.len() < 3 {
                return Err(invalid(
                    line,
                    "date",
                    ProblemKind::FieldCount,
                    format!(
                        "{} fields, expected date,price_factor,split_factor[,reference_price]",
                        record.len()
                    ),
                ));
            }
            let raw_date = String::from_utf8_lossy(&record[0]).into_owned();
            let date = DateFormat::Compact.parse(&raw_date).ok_or_else(|| {
                invalid(
                    line,
                    "date",
                    ProblemKind::UnparsableDate,
                    format!("`{raw_date}` is not a YYYYMMDD date"),
                )
            })?;
            let factor = |col: usize, name: &str| match parse_number(&record[col]) {
                Cell::Value(v) if v > 0.0 => Ok(v),
                _ => Err(invalid(
                    line,
                    name,
                    ProblemKind::UnparsableNumber,
                    format!(
                        "`{}` is not a positive factor",
                        String::from_utf8_lossy(&record[col])
                    ),
                )),
            };
            let price_factor = factor(1, "price_factor")?;
            let split_factor = factor(2, "split_factor")?;
            if rows.last().is_some_and(|r| r.date >= date) {
                return Err(invalid(
                    line,
                    "date",
                    ProblemKind::Unsorted,
                    "factor dates must ascend".into(),
                ));
            }
            rows.push(FactorRow {
                date,
                price_factor,
                split_factor,
            });
        }
        if rows.is_empty() {
            return Err(DataError::EmptyFile { path: path.into() });
        }
        Ok(FactorFile { rows })
    }

    /// (price x split factor, split factor) for a bar's timestamp.
    pub fn factors_at(&self, ts: Timestamp) -> (f64, f64) {
        let day = day_number(ts);
        let i = self.rows.partition_point(|r| day_number(r.date) < day);
        self.rows.get(i).map_or((1.0, 1.0), |r| {
            (r.price_factor * r.split_factor, r.split_factor)
        })
    }

    /// Adjusted copy of raw bars (prices x factor, volume / split factor).
    pub fn adjust(&self, bars: &Bars) -> Bars {
        let mut out = bars.clone();
        let factors: Vec<(f64, f64)> = bars.ts.iter().map(|&t| self.factors_at(t)).collect();
        for field in Field::ALL {
            let Some(col) = out.column_mut(field) else {
                continue;
            };
            for (v, (price, split)) in col.iter_mut().zip(&factors) {
                if field == Field::Volume {
                    *v /= split;
                } else {
                    *v *= price;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxfolio_core::time::from_ymd;

    #[test]
    fn picks_first_row_on_or_after_the_bar() {
        let f = FactorFile {
            rows: vec![
                FactorRow {
                    date: from_ymd(2020, 8, 28).expect("d"),
                    price_factor: 0.99,
                    split_factor: 0.25,
                },
                FactorRow {
                    date: from_ymd(2050, 12, 31).expect("d"),
                    price_factor: 1.0,
                    split_factor: 1.0,
                },
            ],
        };
        let before = from_ymd(2020, 8, 28).expect("d");
        let after = from_ymd(2020, 8, 31).expect("d");
        assert_eq!(f.factors_at(before), (0.99 * 0.25, 0.25));
        assert_eq!(f.factors_at(after), (1.0, 1.0));
        let mut b = Bars::with_fields("AAPL", &[Field::Volume]);
        b.push(
            before,
            [f64::NAN, f64::NAN, f64::NAN, 400.0, 100.0, f64::NAN],
        );
        b.push(
            after,
            [f64::NAN, f64::NAN, f64::NAN, 130.0, 400.0, f64::NAN],
        );
        let a = f.adjust(&b);
        assert!((a.close[0] - 400.0 * 0.99 * 0.25).abs() < 1e-12);
        assert_eq!(a.volume.as_deref(), Some(&[400.0, 400.0][..]));
        assert_eq!(a.close[1], 130.0);
    }
}
