//! Command-line flags that describe a data source; they override the config's `[data]`.

use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, ValueEnum};

use oxfolio_core::time::Period;
use oxfolio_data::source::SourceSpec;
use oxfolio_data::FileFormat;

use crate::config::Config;

/// File shapes accepted by `--format`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    /// date, symbol, open, high, low, close, volume rows.
    Long,
    /// One symbol's OHLCV (any column order), or a date and a close/price column.
    Ohlcv,
    /// A date column and one column of closes per symbol.
    Wide,
}

/// Resampling periods accepted by `--resample`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum PeriodArg {
    /// One bar per calendar day.
    Daily,
    /// One bar per Monday-to-Sunday week.
    Weekly,
    /// One bar per calendar month.
    Monthly,
}

/// Where the data is and how to read it.
#[derive(Clone, Debug, Default, Args)]
pub struct SourceArgs {
    /// A CSV or Parquet file, a folder of them, or a store folder (default: the config's
    /// [data] path).
    pub source: Option<PathBuf>,
    /// File shape (default: inferred from the header).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// The first line is data, not a header (name the columns with --columns).
    #[arg(long)]
    pub no_header: bool,
    /// Column names, comma-separated (replaces the header).
    #[arg(long, value_delimiter = ',')]
    pub columns: Option<Vec<String>>,
    /// Date format: iso, yyyymmdd, us, epoch-s, epoch-ms, epoch-us, epoch-ns, or a
    /// strftime pattern such as %d.%m.%Y (default: inferred).
    #[arg(long)]
    pub date_format: Option<String>,
    /// Divide prices by this (QuantConnect files: 10000).
    #[arg(long)]
    pub price_scale: Option<f64>,
    /// Field delimiter.
    #[arg(long)]
    pub delimiter: Option<char>,
    /// Cell texts that mean "missing", comma-separated (for example . for FRED files).
    #[arg(long, value_delimiter = ',')]
    pub na_values: Vec<String>,
    /// Repairs to apply instead of failing: drop-row, sort, keep-last, keep-first
    /// (comma-separated or repeated).
    #[arg(long = "repair", value_delimiter = ',')]
    pub repairs: Vec<String>,
    /// The series are back-adjusted futures prices: zero and negative prices are valid.
    #[arg(long)]
    pub back_adjusted: bool,
    /// The data is daily: two rows on one date are duplicates.
    #[arg(long)]
    pub daily: bool,
    /// Adjust raw prices with factor files from this folder (<symbol>.csv).
    #[arg(long)]
    pub factor_files: Option<PathBuf>,
    /// Resample to daily, weekly or monthly bars.
    #[arg(long, value_enum)]
    pub resample: Option<PeriodArg>,
    /// When resampling, fold weekend rows into the preceding Friday (pandas "B").
    #[arg(long)]
    pub business_days: bool,
    /// Only these symbols (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub symbols: Option<Vec<String>>,
    /// First date kept (YYYY-MM-DD).
    #[arg(long)]
    pub start: Option<String>,
    /// Last date kept (YYYY-MM-DD, inclusive).
    #[arg(long)]
    pub end: Option<String>,
}

impl SourceArgs {
    /// The source spec: the config's [data] with these flags on top.
    pub fn spec(&self, config: &Config) -> anyhow::Result<SourceSpec> {
        let mut spec = match (&self.source, &config.data) {
            (Some(path), Some(base)) => SourceSpec {
                path: path.clone(),
                ..base.clone()
            },
            (Some(path), None) => SourceSpec::new(path),
            (None, Some(base)) => base.clone(),
            (None, None) => {
                bail!("no data source: give a file or folder, or a --config with a [data] section")
            }
        };
        if let Some(f) = self.format {
            spec.format = Some(match f {
                FormatArg::Long => FileFormat::Long,
                FormatArg::Ohlcv => FileFormat::Ohlcv,
                FormatArg::Wide => FileFormat::Wide,
            });
        }
        if self.no_header {
            spec.header = false;
        }
        if let Some(c) = &self.columns {
            spec.columns = Some(c.clone());
        }
        if let Some(d) = &self.date_format {
            spec.date_format = Some(d.clone());
        }
        if let Some(s) = self.price_scale {
            spec.price_scale = s;
        }
        if let Some(d) = self.delimiter {
            spec.delimiter = d;
        }
        spec.repairs.extend(self.repairs.iter().cloned());
        spec.na_values.extend(self.na_values.iter().cloned());
        spec.back_adjusted |= self.back_adjusted;
        spec.daily |= self.daily;
        if let Some(f) = &self.factor_files {
            spec.factor_files = Some(f.clone());
        }
        if let Some(p) = self.resample {
            spec.resample = Some(match p {
                PeriodArg::Daily => Period::Daily,
                PeriodArg::Weekly => Period::Weekly,
                PeriodArg::Monthly => Period::Monthly,
            });
        }
        spec.business_days |= self.business_days;
        if let Some(s) = &self.symbols {
            spec.symbols = Some(s.clone());
        }
        if let Some(s) = &self.start {
            spec.start = Some(s.clone());
        }
        if let Some(e) = &self.end {
            spec.end = Some(e.clone());
        }
        if !spec.path.exists() {
            bail!("{}: no such file or folder", spec.path.display());
        }
        Ok(spec)
    }
}
