//! A data source described once (in a config file or by command-line flags) and loaded
//! the same way everywhere: a CSV or Parquet file, a folder of them, or a store.
//!
//! Loading runs, per series: read and validate, adjust with factor files (if asked),
//! resample (if asked), select the date range, filter symbols.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use oxfolio_core::time::{Period, Timestamp};
use oxfolio_core::Bars;

use crate::adjust::FactorFile;
use crate::csv_read::{read_csv, symbol_from_path, CsvOptions, FileData};
use crate::datefmt::DateFormat;
use crate::error::DataError;
use crate::layout::FileFormat;
use crate::parquet_io::read_parquet;
use crate::problem::{Repair, SeriesReport};
use crate::resample::{resample, ResampleOptions};
use crate::store::{abbreviate, Store};
use crate::validate::ValidationOptions;

/// Everything needed to load market data. Field names are the config keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// A file, a folder of files, or a store folder (`prices` is accepted as an alias).
    #[serde(alias = "prices")]
    pub path: PathBuf,
    /// `long`, `ohlcv` or `wide`; inferred from the header when absent.
    #[serde(default)]
    pub format: Option<FileFormat>,
    /// The first line is a header.
    #[serde(default = "yes")]
    pub header: bool,
    /// Column names (required without a header; overrides the header otherwise).
    #[serde(default)]
    pub columns: Option<Vec<String>>,
    /// Date format name or strftime pattern (see [`DateFormat`]).
    #[serde(default)]
    pub date_format: Option<String>,
    /// Prices are divided by this (10000 for QuantConnect files).
    #[serde(default = "one")]
    pub price_scale: f64,
    /// Field delimiter.
    #[serde(default = "comma")]
    pub delimiter: char,
    /// Cell texts that mean "missing" (for example `.` in FRED files).
    #[serde(default)]
    pub na_values: Vec<String>,
    /// Repairs allowed: `drop-row`, `sort`, `keep-last`, `keep-first`.
    #[serde(default)]
    pub repairs: Vec<String>,
    /// Series are back-adjusted (zero and negative prices valid).
    #[serde(default)]
    pub back_adjusted: bool,
    /// Data is daily: stamp rows at midnight, and two rows on one date are duplicates.
    #[serde(default)]
    pub daily: bool,
    /// Folder of factor files (`<symbol in lower case>.csv`) to adjust raw prices.
    #[serde(default)]
    pub factor_files: Option<PathBuf>,
    /// Resample to `daily`, `weekly` or `monthly` bars.
    #[serde(default)]
    pub resample: Option<Period>,
    /// When resampling, fold weekend rows into the preceding Friday.
    #[serde(default)]
    pub business_days: bool,
    /// Keep only these symbols (an unknown one is an error).
    #[serde(default)]
    pub symbols: Option<Vec<String>>,
    /// First date kept (inclusive), ISO.
    #[serde(default)]
    pub start: Option<String>,
    /// Last date kept (inclusive), ISO.
    #[serde(default)]
    pub end: Option<String>,
}

fn yes() -> bool {
    true
}
fn one() -> f64 {
    1.0
}
fn comma() -> char {
    ','
}

impl SourceSpec {
    /// A spec with defaults for everything but the path.
    pub fn new(path: impl Into<PathBuf>) -> SourceSpec {
        SourceSpec {
            path: path.into(),
            format: None,
            header: true,
            columns: None,
            date_format: None,
            price_scale: 1.0,
            delimiter: ',',
            na_values: Vec::new(),
            repairs: Vec::new(),
            back_adjusted: false,
            daily: false,
            factor_files: None,
            resample: None,
            business_days: false,
            symbols: None,
            start: None,
            end: None,
        }
    }

    /// Makes relative paths relative to `base` (the folder of the config file).
    pub fn resolve_paths(&mut self, base: &Path) {
        if self.path.is_relative() {
            self.path = base.join(&self.path);
        }
        if let Some(f) = &self.factor_files {
            if f.is_relative() {
                self.factor_files = Some(base.join(f));
            }
        }
    }

    /// The CSV options this spec implies.
    pub fn csv_options(&self) -> Result<CsvOptions, DataError> {
        let date_format = match &self.date_format {
            None => DateFormat::Auto,
            Some(name) => DateFormat::parse_name(name).ok_or_else(|| DataError::Config {
                parameter: "date_format".into(),
                message: format!("unknown format `{name}` (iso, yyyymmdd, us, epoch-s, epoch-ms, epoch-us, epoch-ns, or a strftime pattern with %)"),
            })?,
        };
        if !self.delimiter.is_ascii() {
            return Err(DataError::Config {
                parameter: "delimiter".into(),
                message: format!("`{}` is not a single ASCII character", self.delimiter),
            });
        }
        Ok(CsvOptions {
            header: self.header,
            columns: self.columns.clone(),
            date_format,
            price_scale: self.price_scale,
            delimiter: self.delimiter as u8,
            format: self.format,
            na_values: self.na_values.clone(),
            ..CsvOptions::default()
        })
    }

    /// The validation options this spec implies.
    pub fn validation(&self) -> Result<ValidationOptions, DataError> {
        let mut repairs = std::collections::BTreeSet::new();
        for name in &self.repairs {
            let r = Repair::parse(name).ok_or_else(|| DataError::Config {
                parameter: "repairs".into(),
                message: format!("unknown repair `{name}` (drop-row, sort, keep-last, keep-first)"),
            })?;
            repairs.insert(r);
        }
        if repairs.contains(&Repair::KeepLast) && repairs.contains(&Repair::KeepFirst) {
            return Err(DataError::Config {
                parameter: "repairs".into(),
                message: "keep-last and keep-first exclude each other".into(),
            });
        }
        Ok(ValidationOptions {
            repairs,
            back_adjusted: self.back_adjusted,
            daily: self.daily,
        })
    }

    /// The date range as timestamps.
    pub fn range(&self) -> Result<(Option<Timestamp>, Option<Timestamp>), DataError> {
        let parse = |key: &str, v: &Option<String>| -> Result<Option<Timestamp>, DataError> {
            v.as_ref()
                .map(|s| {
                    DateFormat::Iso.parse(s).ok_or_else(|| DataError::Config {
                        parameter: key.into(),
                        message: format!("`{s}` is not an ISO date (YYYY-MM-DD)"),
                    })
                })
                .transpose()
        };
        let start = parse("start", &self.start)?;
        // An end date includes the whole day.
        let end = parse("end", &self.end)?.map(|e| {
            if oxfolio_core::time::is_midnight(e) {
                e + oxfolio_core::time::NANOS_PER_DAY - 1
            } else {
                e
            }
        });
        if let (Some(s), Some(e)) = (start, end) {
            if s > e {
                return Err(DataError::Config {
                    parameter: "start".into(),
                    message: "start is after end".into(),
                });
            }
        }
        Ok((start, end))
    }
}

/// The files a path stands for: itself, or the data files of a folder sorted by name.
pub fn data_files(path: &Path) -> Result<Vec<PathBuf>, DataError> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path).map_err(|e| DataError::io(path, e))?;
    let mut files = Vec::new();
    for entry in entries {
        let p = entry.map_err(|e| DataError::io(path, e))?.path();
        let hidden = p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        let ext = p.extension().map(|e| e.to_string_lossy().to_lowercase());
        if p.is_file() && !hidden && matches!(ext.as_deref(), Some("csv" | "txt" | "parquet")) {
            files.push(p);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(DataError::Input(format!(
            "{}: no .csv, .txt or .parquet files",
            path.display()
        )));
    }
    Ok(files)
}

/// Reads and validates one file (CSV or Parquet by extension). Problems are recorded in
/// the reports, not raised.
pub fn read_file(path: &Path, spec: &SourceSpec) -> Result<FileData, DataError> {
    let validation = spec.validation()?;
    let started = std::time::Instant::now();
    let is_parquet = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    let data = if is_parquet {
        read_parquet(path, &symbol_from_path(path), &validation)?
    } else {
        read_csv(path, &spec.csv_options()?, &validation)?
    };
    for r in data.reports() {
        tracing::debug!(file = %path.display(), symbol = %r.symbol, rows = r.rows_read, kept = r.rows_kept, problems = r.problem_count(), "read");
        if !r.repairs.is_empty() {
            tracing::info!(file = %path.display(), symbol = %r.symbol, repairs = ?r.repairs, "repaired");
        }
    }
    tracing::debug!(file = %path.display(), elapsed_ms = started.elapsed().as_millis() as u64, "file done");
    Ok(data)
}

/// Applies the spec's adjustment, resampling and date range to one series.
pub fn transform(bars: Bars, spec: &SourceSpec) -> Result<Bars, DataError> {
    let mut bars = bars;
    if let Some(dir) = &spec.factor_files {
        let path = dir.join(format!("{}.csv", bars.symbol.to_lowercase()));
        if !path.is_file() {
            return Err(DataError::Input(format!(
                "no factor file for `{}`: expected {}",
                bars.symbol,
                path.display()
            )));
        }
        bars = FactorFile::read(&path)?.adjust(&bars);
    }
    if let Some(period) = spec.resample {
        bars = resample(
            &bars,
            ResampleOptions {
                period,
                business_days: spec.business_days,
            },
        );
    }
    let (start, end) = spec.range()?;
    if start.is_some() || end.is_some() {
        bars = bars.select_range(start, end);
    }
    Ok(bars)
}

/// Loaded, validated, transformed series with their reports, ordered by symbol.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dataset {
    /// The series.
    pub series: Vec<Bars>,
    /// Validation report of each series (parallel to `series`).
    pub reports: Vec<SeriesReport>,
    /// The file each series came from (parallel to `series`).
    pub sources: Vec<PathBuf>,
    /// Reports about whole files (a wide file's dates), with their repairs.
    pub file_reports: Vec<SeriesReport>,
}

/// Loads a source strictly: any unrepaired problem is an error naming file, line and
/// column.
pub fn load(spec: &SourceSpec) -> Result<Dataset, DataError> {
    spec.validation()?;
    spec.range()?;
    if Store::is_store(&spec.path) {
        let store = Store::open(&spec.path, false)?;
        let (start, end) = spec.range()?;
        let series = store.load(spec.symbols.as_deref(), start, end)?;
        let sources = series.iter().map(|_| spec.path.clone()).collect();
        let reports = series
            .iter()
            .map(|b| SeriesReport {
                symbol: b.symbol.clone(),
                file: spec.path.display().to_string(),
                rows_read: b.len(),
                rows_kept: b.len(),
                ..Default::default()
            })
            .collect();
        return Ok(Dataset {
            series,
            reports,
            sources,
            file_reports: Vec::new(),
        });
    }
    let mut dataset = Dataset::default();
    let mut seen: Vec<String> = Vec::new();
    for file in data_files(&spec.path)? {
        let data = crate::csv_read::into_checked(read_file(&file, spec)?, &file)?;
        for s in data.series {
            if let Some(i) = dataset
                .series
                .iter()
                .position(|b| b.symbol == s.bars.symbol)
            {
                return Err(DataError::DuplicateSymbol {
                    symbol: s.bars.symbol,
                    first: dataset.sources[i].clone(),
                    second: file,
                });
            }
            seen.push(s.bars.symbol.clone());
            if spec
                .symbols
                .as_ref()
                .is_some_and(|w| !w.contains(&s.bars.symbol))
            {
                continue;
            }
            dataset.series.push(transform(s.bars, spec)?);
            dataset.reports.push(s.report);
            dataset.sources.push(file.clone());
        }
        dataset.file_reports.extend(data.other);
    }
    if let Some(wanted) = &spec.symbols {
        if let Some(missing) = wanted.iter().find(|w| !seen.contains(w)) {
            seen.sort();
            return Err(DataError::UnknownSymbol {
                symbol: missing.clone(),
                source_name: spec.path.display().to_string(),
                available: abbreviate(&seen),
            });
        }
    }
    let mut order: Vec<usize> = (0..dataset.series.len()).collect();
    order.sort_by(|&a, &b| dataset.series[a].symbol.cmp(&dataset.series[b].symbol));
    Ok(Dataset {
        series: order.iter().map(|&i| dataset.series[i].clone()).collect(),
        reports: order.iter().map(|&i| dataset.reports[i].clone()).collect(),
        sources: order.iter().map(|&i| dataset.sources[i].clone()).collect(),
        file_reports: dataset.file_reports,
    })
}
