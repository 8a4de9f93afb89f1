//! A futures universe from pysystemtrade's file layout: `adjusted_prices_csv/NAME.csv`
//! (`DATETIME,price`, back-adjusted, any frequency), `fx_prices_csv/CCYUSD.csv`
//! (`DATETIME,PRICE`), `csvconfig/instrumentconfig.csv` (point size, currency, asset class,
//! commissions) and `csvconfig/spreadcosts.csv`.
//!
//! Resampling to daily closes: the close of a calendar date is the last non-empty price
//! stamped on it (files mix daily and intraday rows, and two FX sources interleave on one
//! date); rows on Saturdays and Sundays (evening sessions) are dropped; empty cells are
//! skipped. Every such step is counted in [`SeriesReport`]. Negative prices are valid
//! (back-adjusted series). On the union calendar, an instrument or FX rate without a close
//! on a date carries its last close (counted), and has no price before its first close.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

use crate::error::DynoptError;

/// One instrument's configuration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Instrument {
    /// Name (the price file's stem).
    pub name: String,
    /// Currency units per price point per contract.
    pub point_size: f64,
    /// Currency the instrument is priced in.
    pub currency: String,
    /// Asset class (Bond, Equity, FX, ...).
    pub asset_class: String,
    /// Commission per contract, in the instrument's currency.
    pub per_block: f64,
    /// Commission as a fraction of traded notional.
    pub percentage: f64,
    /// Commission per trade (order), in the instrument's currency.
    pub per_trade: f64,
    /// Half the bid-ask spread, in price points.
    pub spread_cost: f64,
}

impl Instrument {
    /// Cost of trading `contracts` at `price`, in the instrument's currency: spread plus
    /// the largest of the commission per contract, per trade and as a percentage
    /// (pysystemtrade's rule). Zero contracts cost nothing.
    pub fn trading_cost(&self, contracts: f64, price: f64) -> f64 {
        let contracts = contracts.abs();
        if contracts == 0.0 {
            return 0.0;
        }
        let spread = self.spread_cost * self.point_size * contracts;
        let notional = price.abs() * self.point_size * contracts;
        let commission = (self.per_block * contracts)
            .max(self.per_trade)
            .max(self.percentage * notional);
        spread + commission
    }
}

/// What resampling did to one file.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SeriesReport {
    /// Data rows read.
    pub rows: usize,
    /// Rows with an empty price cell, skipped.
    pub empty: usize,
    /// Rows stamped on a Saturday or Sunday, dropped.
    pub weekend: usize,
    /// Rows folded into a later row of the same date.
    pub same_day: usize,
    /// Daily closes kept.
    pub days: usize,
    /// Calendar days filled by carrying the last close (after assembly).
    pub carried: usize,
}

/// A daily series: dates ascending, one close each.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DailySeries {
    /// Dates.
    pub dates: Vec<NaiveDate>,
    /// Closes.
    pub closes: Vec<f64>,
    /// What resampling did.
    pub report: SeriesReport,
}

/// Reads a `DATETIME,price` file of any frequency into daily closes.
pub fn read_daily(path: &Path) -> Result<DailySeries, DynoptError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| DynoptError::Io {
        path: name.clone(),
        source,
    })?;
    let mut out = DailySeries::default();
    let mut last_stamp = String::new();
    for (k, line) in text.lines().enumerate().skip(1) {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        let parse = |message: String| DynoptError::Parse {
            path: name.clone(),
            line: k + 1,
            message,
        };
        out.report.rows += 1;
        let (stamp, value) = line
            .split_once(',')
            .ok_or_else(|| parse(format!("expected `DATETIME,price`, got {line:?}")))?;
        if stamp < last_stamp.as_str() {
            return Err(parse(format!(
                "timestamp {stamp} is earlier than the row before ({last_stamp}); the file must be sorted"
            )));
        }
        last_stamp.clear();
        last_stamp.push_str(stamp);
        let date = stamp
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .ok_or_else(|| {
                parse(format!(
                    "timestamp {stamp:?} does not start with YYYY-MM-DD"
                ))
            })?;
        let value = value.trim();
        if value.is_empty() {
            out.report.empty += 1;
            continue;
        }
        let price: f64 = value
            .parse()
            .ok()
            .filter(|p: &f64| p.is_finite())
            .ok_or_else(|| parse(format!("price {value:?} is not a finite number")))?;
        if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            out.report.weekend += 1;
            continue;
        }
        if out.dates.last() == Some(&date) {
            out.report.same_day += 1;
            if let Some(last) = out.closes.last_mut() {
                *last = price;
            }
        } else {
            out.dates.push(date);
            out.closes.push(price);
        }
    }
    out.report.days = out.dates.len();
    if out.dates.is_empty() {
        return Err(DynoptError::Parse {
            path: name,
            line: 1,
            message: "no prices".into(),
        });
    }
    Ok(out)
}

/// Writes daily closes as `DATETIME,price` (dates only), the layout [`read_daily`] reads.
pub fn write_daily(path: &Path, series: &DailySeries, header: &str) -> Result<(), DynoptError> {
    let mut text = format!("DATETIME,{header}\n");
    for (d, p) in series.dates.iter().zip(&series.closes) {
        text.push_str(&format!("{d},{p}\n"));
    }
    std::fs::write(path, text).map_err(|source| DynoptError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// What to load.
#[derive(Clone, Debug, PartialEq)]
pub struct UniverseSpec {
    /// The folder in pysystemtrade's layout.
    pub dir: PathBuf,
    /// Instruments to load; empty means every price file.
    pub instruments: Vec<String>,
    /// First date kept (inclusive).
    pub start: Option<NaiveDate>,
    /// Last date kept (inclusive).
    pub end: Option<NaiveDate>,
    /// Currency of the account.
    pub base_currency: String,
}

/// Instruments aligned on one calendar, prices and FX time-major (`t * n + i`).
#[derive(Clone, Debug)]
pub struct Universe {
    /// Instrument configurations, by dense index.
    pub instruments: Vec<Instrument>,
    /// The union calendar.
    pub dates: Vec<NaiveDate>,
    /// Back-adjusted closes; NaN before an instrument's first close.
    pub prices: Vec<f64>,
    /// Base-currency value of one unit of each instrument's currency.
    pub fx: Vec<f64>,
    /// Resampling and carrying, per instrument.
    pub price_reports: Vec<SeriesReport>,
    /// Resampling and carrying, per FX file (by currency).
    pub fx_reports: BTreeMap<String, SeriesReport>,
}

impl Universe {
    /// Number of instruments.
    pub fn n(&self) -> usize {
        self.instruments.len()
    }

    /// Loads and aligns the universe.
    pub fn load(spec: &UniverseSpec) -> Result<Self, DynoptError> {
        let names = if spec.instruments.is_empty() {
            price_files(&spec.dir.join("adjusted_prices_csv"))?
        } else {
            spec.instruments.clone()
        };
        if names.is_empty() {
            return Err(DynoptError::Invalid(format!(
                "no instruments: {} has no price files",
                spec.dir.join("adjusted_prices_csv").display()
            )));
        }
        if let Some(k) = (1..names.len()).find(|&k| names[..k].contains(&names[k])) {
            return Err(DynoptError::Invalid(format!(
                "instrument {} is listed twice",
                names[k]
            )));
        }
        let mut configs = read_config(&spec.dir.join("csvconfig"))?;
        let mut instruments = Vec::with_capacity(names.len());
        for name in &names {
            match configs.remove(name) {
                Some(config) => instruments.push(config?),
                None => {
                    return Err(DynoptError::MissingConfig {
                        instrument: name.clone(),
                        config: spec
                            .dir
                            .join("csvconfig/instrumentconfig.csv")
                            .display()
                            .to_string(),
                    })
                }
            }
        }
        let mut series = Vec::with_capacity(names.len());
        for name in &names {
            let path = spec
                .dir
                .join("adjusted_prices_csv")
                .join(format!("{name}.csv"));
            series.push(clip(read_daily(&path)?, spec.start, spec.end));
        }
        let mut fx_series: BTreeMap<String, DailySeries> = BTreeMap::new();
        for instrument in &instruments {
            let currency = &instrument.currency;
            if *currency == spec.base_currency || fx_series.contains_key(currency) {
                continue;
            }
            let path = spec
                .dir
                .join("fx_prices_csv")
                .join(format!("{currency}{}.csv", spec.base_currency));
            if !path.exists() {
                return Err(DynoptError::MissingFx {
                    instrument: instrument.name.clone(),
                    currency: currency.clone(),
                    base: spec.base_currency.clone(),
                    path: path.display().to_string(),
                });
            }
            fx_series.insert(
                currency.clone(),
                clip(read_daily(&path)?, spec.start, spec.end),
            );
        }
        let mut dates: Vec<NaiveDate> = series
            .iter()
            .flat_map(|s| s.dates.iter().copied())
            .collect();
        dates.sort_unstable();
        dates.dedup();
        if dates.is_empty() {
            return Err(DynoptError::Invalid(
                "no prices inside the date range".into(),
            ));
        }
        let n = names.len();
        let mut prices = vec![f64::NAN; dates.len() * n];
        let mut price_reports = Vec::with_capacity(n);
        for (i, s) in series.iter_mut().enumerate() {
            s.report.carried = spread(s, &dates, |t, v| prices[t * n + i] = v);
            price_reports.push(s.report.clone());
        }
        let mut fx = vec![1.0; dates.len() * n];
        let mut fx_reports = BTreeMap::new();
        for (currency, s) in &mut fx_series {
            let mut column = vec![f64::NAN; dates.len()];
            s.report.carried = spread(s, &dates, |t, v| column[t] = v);
            for (i, instrument) in instruments.iter().enumerate() {
                if instrument.currency == *currency {
                    for (t, v) in column.iter().enumerate() {
                        fx[t * n + i] = *v;
                    }
                }
            }
            fx_reports.insert(currency.clone(), s.report.clone());
        }
        for (i, instrument) in instruments.iter().enumerate() {
            let first_price = (0..dates.len()).find(|&t| prices[t * n + i].is_finite());
            if let Some(t) = first_price.filter(|&t| !fx[t * n + i].is_finite()) {
                let first_fx = (t..dates.len()).find(|&u| fx[u * n + i].is_finite());
                return Err(DynoptError::Invalid(format!(
                    "instrument {} has prices from {} but its {}{} rate starts {}; set a later start",
                    instrument.name,
                    dates[t],
                    instrument.currency,
                    spec.base_currency,
                    first_fx.map_or("never".to_string(), |u| dates[u].to_string())
                )));
            }
        }
        Ok(Universe {
            instruments,
            dates,
            prices,
            fx,
            price_reports,
            fx_reports,
        })
    }
}

/// Keeps the dates in `[start, end]`.
fn clip(mut s: DailySeries, start: Option<NaiveDate>, end: Option<NaiveDate>) -> DailySeries {
    let keep: Vec<bool> = s
        .dates
        .iter()
        .map(|d| start.is_none_or(|a| *d >= a) && end.is_none_or(|b| *d <= b))
        .collect();
    let mut k = 0;
    s.dates.retain(|_| {
        k += 1;
        keep[k - 1]
    });
    k = 0;
    s.closes.retain(|_| {
        k += 1;
        keep[k - 1]
    });
    s
}

/// Writes `s` onto `calendar` through `set(t, value)`, carrying the last close over
/// dates it lacks; returns the number of carried dates.
fn spread(s: &DailySeries, calendar: &[NaiveDate], mut set: impl FnMut(usize, f64)) -> usize {
    let (mut k, mut carried, mut last) = (0, 0, None);
    for (t, date) in calendar.iter().enumerate() {
        while k < s.dates.len() && s.dates[k] < *date {
            last = Some(s.closes[k]);
            k += 1;
        }
        if k < s.dates.len() && s.dates[k] == *date {
            last = Some(s.closes[k]);
            k += 1;
            set(t, s.closes[k - 1]);
        } else if let Some(v) = last {
            carried += 1;
            set(t, v);
        }
    }
    carried
}

/// Stems of the `.csv` files in `dir`, sorted.
fn price_files(dir: &Path) -> Result<Vec<String>, DynoptError> {
    let entries = std::fs::read_dir(dir).map_err(|source| DynoptError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            name.strip_suffix(".csv").map(str::to_string)
        })
        .collect();
    names.sort();
    Ok(names)
}

/// Reads `instrumentconfig.csv` and `spreadcosts.csv` (a missing spread is zero); a
/// malformed row is an error only for an instrument that is asked for.
fn read_config(
    dir: &Path,
) -> Result<BTreeMap<String, Result<Instrument, DynoptError>>, DynoptError> {
    let spreads: BTreeMap<String, f64> = read_table(&dir.join("spreadcosts.csv"))?
        .into_iter()
        .map(|(line, row, path)| {
            let value = number(&row, "SpreadCost", &path, line)?;
            Ok((text(&row, "Instrument", &path, line)?, value))
        })
        .collect::<Result<_, DynoptError>>()?;
    let mut out = BTreeMap::new();
    for (line, row, path) in read_table(&dir.join("instrumentconfig.csv"))? {
        let name = text(&row, "Instrument", &path, line)?;
        let instrument = parse_instrument(&name, &row, &path, line, &spreads);
        out.insert(name, instrument);
    }
    Ok(out)
}

fn parse_instrument(
    name: &str,
    row: &Row,
    path: &str,
    line: usize,
    spreads: &BTreeMap<String, f64>,
) -> Result<Instrument, DynoptError> {
    let instrument = Instrument {
        point_size: number(row, "Pointsize", path, line)?,
        currency: text(row, "Currency", path, line)?,
        asset_class: text(row, "AssetClass", path, line)?,
        per_block: number(row, "PerBlock", path, line)?,
        percentage: number(row, "Percentage", path, line)?,
        per_trade: number(row, "PerTrade", path, line)?,
        spread_cost: spreads.get(name).copied().unwrap_or(0.0),
        name: name.to_string(),
    };
    if instrument.point_size <= 0.0 {
        return Err(DynoptError::Parse {
            path: path.to_string(),
            line,
            message: format!("Pointsize of {name} must be positive"),
        });
    }
    Ok(instrument)
}

type Row = BTreeMap<String, String>;

/// Rows of a CSV file with a header, each with its line number and the file name.
fn read_table(path: &Path) -> Result<Vec<(usize, Row, String)>, DynoptError> {
    let name = path.display().to_string();
    let mut reader = csv::Reader::from_path(path).map_err(|e| DynoptError::Parse {
        path: name.clone(),
        line: 1,
        message: e.to_string(),
    })?;
    let header = reader
        .headers()
        .map_err(|e| DynoptError::Parse {
            path: name.clone(),
            line: 1,
            message: e.to_string(),
        })?
        .clone();
    let mut rows = Vec::new();
    for (k, record) in reader.records().enumerate() {
        let record = record.map_err(|e| DynoptError::Parse {
            path: name.clone(),
            line: k + 2,
            message: e.to_string(),
        })?;
        let row = header
            .iter()
            .zip(record.iter())
            .map(|(h, v)| (h.to_string(), v.to_string()))
            .collect();
        rows.push((k + 2, row, name.clone()));
    }
    Ok(rows)
}

fn text(row: &Row, column: &str, path: &str, line: usize) -> Result<String, DynoptError> {
    row.get(column)
        .filter(|v| !v.is_empty())
        .cloned()
        .ok_or_else(|| DynoptError::Parse {
            path: path.to_string(),
            line,
            message: format!("column {column} is missing or empty"),
        })
}

fn number(row: &Row, column: &str, path: &str, line: usize) -> Result<f64, DynoptError> {
    let raw = text(row, column, path, line)?;
    raw.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| DynoptError::Parse {
            path: path.to_string(),
            line,
            message: format!("column {column} is {raw:?}, not a finite number"),
        })
}
