//! Futures contracts: specifications, margins, notional and P&L, roll schedules, and the
//! QuantConnect (Lean) symbol-properties and margin files.
//!
//! * notional = price x multiplier x abs(contracts)
//! * P&L = (exit - entry) x multiplier x contracts (contracts signed: + long, - short)
//! * tick value = tick size x multiplier
//! * initial margin to open = initial x abs(contracts); a margin call when account
//!   equity falls below maintenance x abs(contracts)
//! * quarterly expiries: the third Friday of March, June, September and December
//! * roll date: `n` business days (Monday-Friday) before expiry

use std::path::Path;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

use crate::error::DerivError;

/// A futures contract specification.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FutureSpec {
    /// Exchange (cme, cbot, eurex, ...).
    pub market: String,
    /// Root symbol (ES, ZN, ...).
    pub symbol: String,
    /// What it is written on.
    pub underlying: String,
    /// Instrument type (`future`).
    pub kind: String,
    /// Expiry, for a specific contract month.
    pub expiry: Option<NaiveDate>,
    /// Units of underlying per contract (price to money).
    pub multiplier: f64,
    /// Minimum price move.
    pub tick_size: f64,
    /// Currency of prices and P&L.
    pub currency: String,
    /// Initial margin per contract, when known.
    pub initial_margin: Option<f64>,
    /// Maintenance margin per contract, when known.
    pub maintenance_margin: Option<f64>,
}

impl FutureSpec {
    /// Notional value of `contracts` at `price`.
    pub fn notional(&self, price: f64, contracts: f64) -> f64 {
        price * self.multiplier * contracts.abs()
    }

    /// Profit or loss of `contracts` (signed) from `entry` to `exit`.
    pub fn pnl(&self, entry: f64, exit: f64, contracts: f64) -> f64 {
        (exit - entry) * self.multiplier * contracts
    }

    /// Money per tick per contract.
    pub fn tick_value(&self) -> f64 {
        self.tick_size * self.multiplier
    }

    /// The nearest price on the tick grid.
    pub fn round_to_tick(&self, price: f64) -> f64 {
        (price / self.tick_size).round() * self.tick_size
    }

    /// Initial margin to open `contracts`.
    pub fn initial_margin_for(&self, contracts: f64) -> Result<f64, DerivError> {
        self.initial_margin
            .map(|m| m * contracts.abs())
            .ok_or_else(|| DerivError::Parameter {
                parameter: "initial_margin",
                message: format!("unknown for {}", self.symbol),
            })
    }

    /// True when `equity` is below the maintenance margin of `contracts`.
    pub fn margin_call(&self, equity: f64, contracts: f64) -> Result<bool, DerivError> {
        self.maintenance_margin
            .map(|m| equity < m * contracts.abs())
            .ok_or_else(|| DerivError::Parameter {
                parameter: "maintenance_margin",
                message: format!("unknown for {}", self.symbol),
            })
    }
}

fn data_error(path: &Path, line: u64, message: String) -> DerivError {
    DerivError::Parameter {
        parameter: "file",
        message: format!("{}: line {line}: {message}", path.display()),
    }
}

/// Loads the futures rows of a Lean `symbol-properties-database.csv` (comment lines and
/// other instrument types are skipped). Errors name the line.
pub fn load_lean_specs(path: &Path) -> Result<Vec<FutureSpec>, DerivError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .comment(Some(b'#'))
        .from_path(path)
        .map_err(|e| data_error(path, 0, e.to_string()))?;
    let mut out = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| data_error(path, 0, e.to_string()))?;
        let line = rec.position().map_or(0, csv::Position::line);
        if rec.get(2).map(str::trim) != Some("future") {
            continue;
        }
        let num = |i: usize, name: &str| -> Result<f64, DerivError> {
            let c = rec.get(i).unwrap_or("").trim();
            c.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v > 0.0)
                .ok_or_else(|| {
                    data_error(path, line, format!("{name} `{c}` is not a positive number"))
                })
        };
        out.push(FutureSpec {
            market: rec.get(0).unwrap_or("").trim().to_string(),
            symbol: rec.get(1).unwrap_or("").trim().to_string(),
            underlying: rec.get(3).unwrap_or("").trim().to_string(),
            kind: "future".into(),
            expiry: None,
            multiplier: num(5, "contract_multiplier")?,
            tick_size: num(6, "minimum_price_variation")?,
            currency: rec.get(4).unwrap_or("").trim().to_string(),
            initial_margin: None,
            maintenance_margin: None,
        });
    }
    Ok(out)
}

/// Margin requirements over time: step changes from a Lean margins file.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MarginSchedule {
    /// (effective date, initial, maintenance), ascending.
    pub steps: Vec<(NaiveDate, f64, f64)>,
}

impl MarginSchedule {
    /// Reads `date,initial,maintenance` rows (`YYYYMMDD`), which must ascend.
    pub fn load(path: &Path) -> Result<MarginSchedule, DerivError> {
        let mut reader =
            csv::Reader::from_path(path).map_err(|e| data_error(path, 0, e.to_string()))?;
        let mut steps: Vec<(NaiveDate, f64, f64)> = Vec::new();
        for rec in reader.records() {
            let rec = rec.map_err(|e| data_error(path, 0, e.to_string()))?;
            let line = rec.position().map_or(0, csv::Position::line);
            let d = rec.get(0).unwrap_or("").trim();
            let date = NaiveDate::parse_from_str(d, "%Y%m%d")
                .map_err(|_| data_error(path, line, format!("`{d}` is not a YYYYMMDD date")))?;
            let num = |i: usize| {
                rec.get(i)
                    .and_then(|c| c.trim().parse::<f64>().ok())
                    .filter(|v| v.is_finite() && *v >= 0.0)
            };
            let (Some(initial), Some(maintenance)) = (num(1), num(2)) else {
                return Err(data_error(
                    path,
                    line,
                    "initial and maintenance must be non-negative numbers".into(),
                ));
            };
            if steps.last().is_some_and(|s| s.0 >= date) {
                return Err(data_error(path, line, "dates must ascend".into()));
            }
            steps.push((date, initial, maintenance));
        }
        Ok(MarginSchedule { steps })
    }

    /// (initial, maintenance) in force on `date`: the latest step on or before it.
    pub fn at(&self, date: NaiveDate) -> Option<(f64, f64)> {
        let i = self.steps.partition_point(|s| s.0 <= date);
        i.checked_sub(1).map(|i| (self.steps[i].1, self.steps[i].2))
    }
}

/// The third Friday of a month.
pub fn third_friday(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Fri, 3)
}

/// The next `count` quarterly expiries (third Fridays of Mar, Jun, Sep, Dec) on or after
/// `from`.
pub fn quarterly_expiries(from: NaiveDate, count: usize) -> Vec<NaiveDate> {
    let mut out = Vec::with_capacity(count);
    let (mut y, mut m) = (from.year(), from.month());
    while out.len() < count {
        if m % 3 == 0 {
            if let Some(d) = third_friday(y, m).filter(|d| *d >= from) {
                out.push(d);
            }
        }
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    out
}

/// The date `business_days` weekdays before `expiry` (holidays not considered).
pub fn roll_date(expiry: NaiveDate, business_days: u32) -> NaiveDate {
    let mut d = expiry;
    let mut left = business_days;
    while left > 0 {
        d = d.pred_opt().unwrap_or(d);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn es() -> FutureSpec {
        FutureSpec {
            market: "cme".into(),
            symbol: "ES".into(),
            underlying: "E-mini S&P 500".into(),
            kind: "future".into(),
            expiry: third_friday(2024, 3),
            multiplier: 50.0,
            tick_size: 0.25,
            currency: "USD".into(),
            initial_margin: Some(12_000.0),
            maintenance_margin: Some(11_000.0),
        }
    }

    #[test]
    fn money_by_hand() {
        let f = es();
        assert_eq!(f.notional(4_800.0, -2.0), 480_000.0);
        assert_eq!(f.pnl(4_800.0, 4_812.5, 2.0), 1_250.0);
        assert_eq!(f.pnl(4_800.0, 4_812.5, -2.0), -1_250.0);
        assert_eq!(f.tick_value(), 12.5);
        assert_eq!(f.round_to_tick(4_800.13), 4_800.25);
        assert_eq!(f.initial_margin_for(-3.0), Ok(36_000.0));
        assert_eq!(f.margin_call(21_000.0, 2.0), Ok(true));
        assert_eq!(f.margin_call(22_000.0, 2.0), Ok(false));
    }

    #[test]
    fn expiries_and_rolls() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).expect("date");
        assert_eq!(
            quarterly_expiries(d(2024, 1, 10), 3),
            vec![d(2024, 3, 15), d(2024, 6, 21), d(2024, 9, 20)]
        );
        assert_eq!(quarterly_expiries(d(2024, 3, 16), 1), vec![d(2024, 6, 21)]);
        // Five business days before Friday 2024-03-15 is Friday 2024-03-08.
        assert_eq!(roll_date(d(2024, 3, 15), 5), d(2024, 3, 8));
        assert_eq!(roll_date(d(2024, 3, 18), 1), d(2024, 3, 15));
    }
}
