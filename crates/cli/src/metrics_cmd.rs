//! `oxfolio metrics --returns FILE | --equity FILE`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use serde::Serialize;

use oxfolio_analytics::rolling::{rolling_sharpe, rolling_volatility};
use oxfolio_analytics::tables::{monthly_returns, yearly_returns, PeriodReturn};
use oxfolio_analytics::{compute, Metrics, MetricsOptions};
use oxfolio_core::time::{format_timestamp, Timestamp};
use oxfolio_data::cell::{parse_number, Cell};
use oxfolio_data::{line_of, DateFormat};

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

/// Prints the metrics summary as a two-column table.
pub fn print_metrics(m: &Metrics) {
    let rows: Vec<Vec<String>> = [
        ("start", m.start.clone().unwrap_or("-".into())),
        ("end", m.end.clone().unwrap_or("-".into())),
        ("periods", m.periods.to_string()),
        ("total_return", pct(m.total_return)),
        ("cagr", pct(m.cagr)),
        ("annual_volatility", pct(m.annual_volatility)),
        ("sharpe", num(m.sharpe, 3)),
        ("sortino", num(m.sortino, 3)),
        ("max_drawdown", pct(m.max_drawdown)),
        (
            "longest_drawdown_periods",
            m.longest_drawdown_periods.to_string(),
        ),
        (
            "longest_drawdown_days",
            m.longest_drawdown_days
                .map_or("-".into(), |d| d.to_string()),
        ),
        ("calmar", num(m.calmar, 3)),
        ("var_95", pct(m.var_95)),
        ("cvar_95", pct(m.cvar_95)),
        ("var_99", pct(m.var_99)),
        ("cvar_99", pct(m.cvar_99)),
        ("gaussian_var_95", pct(m.gaussian_var_95)),
        ("gaussian_var_99", pct(m.gaussian_var_99)),
        ("skew", num(m.skew, 3)),
        ("kurtosis", num(m.kurtosis, 3)),
        ("best_period", pct(m.best_period)),
        ("worst_period", pct(m.worst_period)),
        ("win_rate", pct(m.win_rate)),
        (
            "profit_factor",
            m.profit_factor.map_or("-".into(), |p| num(p, 3)),
        ),
        ("tail_ratio", num(m.tail_ratio, 3)),
    ]
    .into_iter()
    .map(|(k, v)| vec![k.to_string(), v])
    .collect();
    print!("{}", render(&["metric", "value"], &rows));
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
