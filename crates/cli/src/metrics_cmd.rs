//! `oxfolio metrics --returns FILE | --equity FILE`.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;
use serde::Serialize;

use oxfolio_analytics::rolling::{rolling_sharpe, rolling_volatility};
use oxfolio_analytics::tables::{monthly_returns, yearly_returns, PeriodReturn};
use oxfolio_analytics::{compute, Metrics, MetricsOptions};
use oxfolio_core::time::format_timestamp;

use crate::metrics_table::print_metrics;
use crate::series::{equity_to_returns, read_series};
use crate::table::{num, pct, render};

/// `metrics` options.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["returns", "equity"])))]
pub struct MetricsArgs {
    /// CSV with a date column and a column of simple per-period returns.
    #[arg(long)]
    returns: Option<PathBuf>,
    /// CSV with a date column and a column of portfolio values (equity curve).
    #[arg(long)]
    equity: Option<PathBuf>,
    /// The value column (default: the first column that is not the date).
    #[arg(long)]
    column: Option<String>,
    /// The date column (default: the first column).
    #[arg(long)]
    date_column: Option<String>,
    /// Date format (default: inferred; see `data inspect --help`).
    #[arg(long)]
    date_format: Option<String>,
    /// Annual risk-free rate, e.g. 0.02 for 2%.
    #[arg(long, default_value_t = 0.0)]
    risk_free: f64,
    /// Periods per year, for annualisation.
    #[arg(long, default_value_t = 252.0)]
    periods_per_year: f64,
    /// Drop rows whose value is empty (for example the first row of pandas' pct_change)
    /// instead of failing; the count is reported.
    #[arg(long)]
    drop_missing: bool,
    /// Add monthly and yearly return tables.
    #[arg(long)]
    tables: bool,
    /// Add rolling Sharpe and volatility over this many periods (last value shown; all
    /// values in --json).
    #[arg(long)]
    rolling_window: Option<usize>,
    /// Machine-readable output: the metric names in snake_case as keys.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Output {
    #[serde(flatten)]
    metrics: Metrics,
    risk_free: f64,
    periods_per_year: f64,
    dropped_missing_rows: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    monthly_returns: Option<Vec<PeriodReturn>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    yearly_returns: Option<Vec<PeriodReturn>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rolling: Option<Rolling>,
}

#[derive(Serialize)]
struct Rolling {
    window: usize,
    dates: Vec<String>,
    sharpe: Vec<f64>,
    volatility: Vec<f64>,
}

/// Runs `metrics`.
pub fn run(args: &MetricsArgs) -> anyhow::Result<()> {
    let (path, is_equity) = match (&args.returns, &args.equity) {
        (Some(p), None) => (p, false),
        (None, Some(p)) => (p, true),
        _ => bail!("give exactly one of --returns and --equity"),
    };
    let series = read_series(
        path,
        args.date_column.as_deref(),
        args.column.as_deref(),
        args.date_format.as_deref(),
        args.drop_missing,
    )?;
    let (dates, returns, origin) = if is_equity {
        let (d, r) = equity_to_returns(&series, path)?;
        (d, r, series.dates.first().copied())
    } else {
        (series.dates.clone(), series.values.clone(), None)
    };
    let options = MetricsOptions {
        periods_per_year: args.periods_per_year,
        risk_free: args.risk_free,
    };
    let metrics = compute(&returns, Some(&dates), origin, &options)
        .with_context(|| path.display().to_string())?;
    let rolling = match args.rolling_window {
        Some(0) => bail!("--rolling-window must be at least 2"),
        Some(w) => Some(Rolling {
            window: w,
            dates: dates.iter().map(|d| format_timestamp(*d)).collect(),
            sharpe: rolling_sharpe(
                &returns,
                w,
                options.periods_per_year,
                options.risk_free_per_period(),
            ),
            volatility: rolling_volatility(&returns, w, options.periods_per_year),
        }),
        None => None,
    };
    let out = Output {
        metrics,
        risk_free: args.risk_free,
        periods_per_year: args.periods_per_year,
        dropped_missing_rows: series.dropped,
        monthly_returns: args.tables.then(|| monthly_returns(&returns, &dates)),
        yearly_returns: args.tables.then(|| yearly_returns(&returns, &dates)),
        rolling,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    print_metrics(&out.metrics);
    if series.dropped > 0 {
        println!("dropped {} rows with a missing value", series.dropped);
    }
    if let Some(r) = &out.rolling {
        println!(
            "rolling {}-period sharpe {} and volatility {} on {}",
            r.window,
            num(*r.sharpe.last().unwrap_or(&f64::NAN), 3),
            pct(*r.volatility.last().unwrap_or(&f64::NAN)),
            r.dates.last().cloned().unwrap_or_default()
        );
    }
    if let (Some(m), Some(y)) = (&out.monthly_returns, &out.yearly_returns) {
        print!("{}", monthly_table(m, y));
    }
    Ok(())
}

/// A year x month grid with the year's total in the last column.
pub fn monthly_table(monthly: &[PeriodReturn], yearly: &[PeriodReturn]) -> String {
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut header = vec!["year"];
    header.extend(months);
    header.push("year");
    let rows: Vec<Vec<String>> = yearly
        .iter()
        .map(|y| {
            let mut row = vec![y.year.to_string()];
            for m in 1..=12 {
                let v = monthly
                    .iter()
                    .find(|p| p.year == y.year && p.month == Some(m));
                row.push(v.map_or(String::new(), |p| format!("{:.1}", p.value * 100.0)));
            }
            row.push(format!("{:.1}", y.value * 100.0));
            row
        })
        .collect();
    format!("monthly returns (%)\n{}", render(&header, &rows))
}
