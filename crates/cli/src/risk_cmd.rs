//! `oxfolio risk size` and `oxfolio risk monitor`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use oxfolio_risk::monitor::{
    Alert, Level, MonitorConfig, PositionValue, RiskMonitor, RiskSnapshot,
};
use oxfolio_risk::sizing::{
    ConfidenceScaled, FixedFractional, Kelly, Side, Size, SizerConfig, SizingRequest,
    VolatilityTarget,
};
use oxfolio_risk::var::VarMethod;
use oxfolio_risk::{RiskError, RiskManagement};

use crate::series::read_series;
use crate::table::{num, pct, render};

/// Risk subcommands.
#[derive(Debug, Subcommand)]
pub enum RiskCommand {
    /// Size a position: fixed fractional, Kelly, confidence-scaled or volatility target.
    Size(SizeArgs),
    /// Evaluate an equity curve (and current positions) against risk thresholds.
    Monitor(MonitorArgs),
}

/// Sizing methods accepted by `--method`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Method {
    /// Capital x risk fraction / distance to the stop, capped by a maximum position.
    FixedFractional,
    /// f* = W - (1 - W) / R, scaled by the Kelly fraction and clamped.
    Kelly,
    /// Fixed fractional with the risk fraction scaled by model confidence.
    Confidence,
    /// Position value = capital x target volatility / asset volatility, capped.
    VolatilityTarget,
}

/// Sides accepted by `--side`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SideArg {
    /// Buy.
    Long,
    /// Sell short.
    Short,
}

/// `risk size` options.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct SizeArgs {
    /// Sizing method.
    #[arg(long, value_enum)]
    method: Method,
    /// Capital (equity) to size against.
    #[arg(long)]
    capital: Option<f64>,
    /// Entry price.
    #[arg(long)]
    entry: Option<f64>,
    /// Stop price (long when below the entry, short when above).
    #[arg(long)]
    stop: Option<f64>,
    /// The intended side; an error if the stop is on the wrong side for it.
    #[arg(long, value_enum)]
    side: Option<SideArg>,
    /// Fraction of capital risked to the stop.
    #[arg(long)]
    risk_fraction: Option<f64>,
    /// Largest position value as a fraction of capital.
    #[arg(long, default_value_t = 1.0)]
    max_position_fraction: f64,
    /// Trading unit.
    #[arg(long, default_value_t = 1.0)]
    lot: f64,
    /// Kelly: win rate.
    #[arg(long)]
    win_rate: Option<f64>,
    /// Kelly: average win over average loss.
    #[arg(long)]
    win_loss_ratio: Option<f64>,
    /// Kelly: a CSV of past trade PnLs (one column `pnl`) instead of the two statistics.
    #[arg(long)]
    trades: Option<PathBuf>,
    /// Kelly: fraction of full Kelly.
    #[arg(long, default_value_t = 1.0)]
    kelly_fraction: f64,
    /// Kelly: below this win rate the size is zero.
    #[arg(long, default_value_t = 0.0)]
    min_win_rate: f64,
    /// Kelly: largest fraction of capital.
    #[arg(long, default_value_t = 1.0)]
    max_fraction: f64,
    /// Confidence: the model's confidence.
    #[arg(long)]
    confidence: Option<f64>,
    /// Confidence: risk fraction at the minimum confidence.
    #[arg(long)]
    base_risk_fraction: Option<f64>,
    /// Confidence: risk fraction at confidence 1.
    #[arg(long)]
    max_risk_fraction: Option<f64>,
    /// Confidence: below this, size zero.
    #[arg(long, default_value_t = 0.0)]
    min_confidence: f64,
    /// Volatility target: annualised target volatility.
    #[arg(long)]
    target_volatility: Option<f64>,
    /// Volatility target: the asset's annualised volatility.
    #[arg(long)]
    asset_volatility: Option<f64>,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

/// `risk monitor` options.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct MonitorArgs {
    /// CSV with a date column and an equity column.
    #[arg(long)]
    equity: PathBuf,
    /// CSV of current positions: `symbol,value` (market value, negative for shorts).
    #[arg(long)]
    positions: Option<PathBuf>,
    /// Risk config (YAML or TOML, `risk_management.monitor` section) for the thresholds.
    #[arg(long)]
    risk_config: Option<PathBuf>,
    /// Critical drawdown (overrides the config).
    #[arg(long)]
    max_drawdown: Option<f64>,
    /// Critical one-period loss (overrides the config).
    #[arg(long)]
    daily_loss_limit: Option<f64>,
    /// VaR confidence (overrides the config).
    #[arg(long)]
    var_confidence: Option<f64>,
    /// Critical VaR as a loss fraction (overrides the config).
    #[arg(long)]
    var_limit: Option<f64>,
    /// VaR method: historical, gaussian or cornish-fisher.
    #[arg(long, value_enum)]
    var_method: Option<VarMethodArg>,
    /// Critical largest position fraction (overrides the config).
    #[arg(long)]
    position_limit: Option<f64>,
    /// Write the history of evaluations (one per date) as CSV here.
    #[arg(long)]
    history: Option<PathBuf>,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

/// VaR methods accepted by `--var-method`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum VarMethodArg {
    /// Empirical quantile.
    Historical,
    /// Normal.
    Gaussian,
    /// Normal corrected for skewness and kurtosis.
    CornishFisher,
}

/// Runs a risk subcommand.
pub fn run(cmd: RiskCommand) -> anyhow::Result<()> {
    match cmd {
        RiskCommand::Size(a) => size(&a),
        RiskCommand::Monitor(a) => monitor(&a),
    }
}

fn required(v: Option<f64>, flag: &str) -> anyhow::Result<f64> {
    v.with_context(|| format!("--{flag} is required by this method"))
}

#[derive(Serialize)]
struct SizeOutput {
    method: &'static str,
    #[serde(flatten)]
    size: Size,
}

fn print_size(method: &'static str, s: &Size, json: bool) -> anyhow::Result<()> {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&SizeOutput { method, size: *s })?
        );
        return Ok(());
    }
    let rows = vec![
        vec![
            "shares".into(),
            num(s.shares, 6)
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string(),
        ],
        vec!["side".into(), s.side.name().into()],
        vec![
            "binding_constraint".into(),
            serde_json::to_value(s.binding_constraint)?
                .as_str()
                .unwrap_or("")
                .to_string(),
        ],
        vec!["capital_at_risk".into(), num(s.capital_at_risk, 2)],
        vec!["position_value".into(), num(s.position_value, 2)],
    ];
    print!("{}", render(&["", method], &rows));
    Ok(())
}

fn size(a: &SizeArgs) -> anyhow::Result<()> {
    let side = a.side.map(|s| match s {
        SideArg::Long => Side::Long,
        SideArg::Short => Side::Short,
    });
    let sizer = match a.method {
        Method::Kelly => return kelly(a),
        Method::FixedFractional => SizerConfig::FixedFractional(FixedFractional {
            risk_fraction: required(a.risk_fraction, "risk-fraction")?,
            max_position_fraction: a.max_position_fraction,
            lot_size: a.lot,
        }),
        Method::Confidence => SizerConfig::Confidence(ConfidenceScaled {
            base_risk_fraction: required(a.base_risk_fraction, "base-risk-fraction")?,
            max_risk_fraction: required(a.max_risk_fraction, "max-risk-fraction")?,
            min_confidence: a.min_confidence,
            max_position_fraction: a.max_position_fraction,
            lot_size: a.lot,
        }),
        Method::VolatilityTarget => SizerConfig::VolatilityTarget(VolatilityTarget {
            target_volatility: required(a.target_volatility, "target-volatility")?,
            max_position_fraction: a.max_position_fraction,
            lot_size: a.lot,
        }),
    };
    let name = match a.method {
        Method::FixedFractional => "fixed_fractional",
        Method::Confidence => "confidence",
        _ => "volatility_target",
    };
    let request = SizingRequest {
        capital: required(a.capital, "capital")?,
        entry: required(a.entry, "entry")?,
        stop: a.stop,
        confidence: a.confidence,
        asset_volatility: a.asset_volatility,
        side,
    };
    let flag = |e: RiskError| match e {
        RiskError::Parameter { parameter, .. } if parameter == "stop" && request.stop.is_none() => {
            anyhow::anyhow!("--stop is required by this method")
        }
        RiskError::Parameter { parameter, .. }
            if parameter == "confidence" && request.confidence.is_none() =>
        {
            anyhow::anyhow!("--confidence is required by this method")
        }
        RiskError::Parameter { parameter, .. }
            if parameter == "asset_volatility" && request.asset_volatility.is_none() =>
        {
            anyhow::anyhow!("--asset-volatility is required by this method")
        }
        other => other.into(),
    };
    let s = sizer.size(&request).map_err(flag)?;
    print_size(name, &s, a.json)
}

#[derive(Serialize)]
struct KellyOutput {
    method: &'static str,
    win_rate: f64,
    win_loss_ratio: f64,
    kelly_fraction_raw: f64,
    kelly_fraction_clamped: f64,
    kelly_fraction: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    shares: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    position_value: Option<f64>,
}

fn kelly(a: &SizeArgs) -> anyhow::Result<()> {
    let k = Kelly {
        kelly_fraction: a.kelly_fraction,
        min_win_rate: a.min_win_rate,
        max_fraction: a.max_fraction,
    };
    let r = match &a.trades {
        Some(path) => {
            let [pnl] = read_columns(path, ["pnl"])?;
            let pnls = pnl
                .iter()
                .map(|(line, cell)| finite_cell(path, *line, "pnl", cell))
                .collect::<anyhow::Result<Vec<f64>>>()?;
            k.from_trades(&pnls)?
        }
        None => k.from_stats(
            required(a.win_rate, "win-rate")?,
            required(a.win_loss_ratio, "win-loss-ratio")?,
        )?,
    };
    let (shares, position_value) = match (a.capital, a.entry) {
        (Some(c), Some(e)) => {
            let size = SizerConfig::Kelly {
                kelly: k,
                win_rate: r.win_rate,
                win_loss_ratio: r.win_loss_ratio,
                lot_size: a.lot,
            }
            .size(&oxfolio_risk::sizing::SizingRequest {
                capital: c,
                entry: e,
                stop: None,
                confidence: None,
                asset_volatility: None,
                side: None,
            })?;
            (Some(size.shares), Some(size.position_value))
        }
        _ => (None, None),
    };
    let out = KellyOutput {
        method: "kelly",
        win_rate: r.win_rate,
        win_loss_ratio: r.win_loss_ratio,
        kelly_fraction_raw: r.kelly_fraction_raw,
        kelly_fraction_clamped: r.kelly_fraction_clamped,
        kelly_fraction: r.kelly_fraction,
        shares,
        position_value,
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        let mut rows = vec![
            vec!["win_rate".into(), num(out.win_rate, 4)],
            vec!["win_loss_ratio".into(), num(out.win_loss_ratio, 4)],
            vec!["kelly_fraction_raw".into(), num(out.kelly_fraction_raw, 4)],
            vec![
                "kelly_fraction_clamped".into(),
                num(out.kelly_fraction_clamped, 4),
            ],
        ];
        if let (Some(s), Some(v)) = (shares, position_value) {
            rows.push(vec!["shares".into(), num(s, 0)]);
            rows.push(vec!["position_value".into(), num(v, 2)]);
        }
        print!("{}", render(&["", "kelly"], &rows));
    }
    Ok(())
}

#[derive(Serialize)]
struct MonitorOutput {
    #[serde(flatten)]
    latest: RiskSnapshot,
    var_method: VarMethod,
    var_confidence: f64,
    alerts: Vec<Alert>,
    evaluations: usize,
    warning_evaluations: usize,
    critical_evaluations: usize,
}

fn monitor(a: &MonitorArgs) -> anyhow::Result<()> {
    let mut config = match &a.risk_config {
        Some(p) => RiskManagement::from_file(p)?.monitor,
        None => MonitorConfig::default(),
    };
    if let Some(v) = a.max_drawdown {
        config.max_drawdown = v;
    }
    if let Some(v) = a.daily_loss_limit {
        config.daily_loss_limit = v;
    }
    if let Some(v) = a.var_confidence {
        config.var_confidence = v;
    }
    if let Some(v) = a.var_limit {
        config.var_limit = Some(v);
    }
    if let Some(m) = a.var_method {
        config.var_method = match m {
            VarMethodArg::Historical => VarMethod::Historical,
            VarMethodArg::Gaussian => VarMethod::Gaussian,
            VarMethodArg::CornishFisher => VarMethod::CornishFisher,
        };
    }
    if let Some(v) = a.position_limit {
        config.position_limit = v;
    }
    let series = read_series(&a.equity, None, None, None, false)?;
    let positions = match &a.positions {
        Some(p) => read_positions(p)?,
        None => Vec::new(),
    };
    let mut monitor = RiskMonitor::new(config)?;
    let n = series.values.len();
    let (mut warnings, mut criticals) = (0, 0);
    let mut latest = None;
    // One evaluation per date over the curve so far; positions apply to the last date.
    for t in 1..=n {
        let held: &[PositionValue] = if t == n { &positions } else { &[] };
        let e = monitor
            .evaluate(&series.values[..t], Some(&series.dates[..t]), held)
            .with_context(|| a.equity.display().to_string())?;
        let top = e.alerts.iter().map(|x| x.level).max();
        warnings += usize::from(top == Some(Level::Warning));
        criticals += usize::from(top == Some(Level::Critical));
        latest = Some(e);
    }
    let Some(latest) = latest else {
        bail!("{}: no equity values", a.equity.display())
    };
    if let Some(path) = &a.history {
        std::fs::write(path, monitor.history_csv())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let out = MonitorOutput {
        latest: latest.snapshot,
        var_method: config.var_method,
        var_confidence: config.var_confidence,
        alerts: latest.alerts,
        evaluations: n,
        warning_evaluations: warnings,
        critical_evaluations: criticals,
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let opt_pct = |v: Option<f64>| v.map_or("-".into(), pct);
    let rows = vec![
        vec!["date".into(), out.latest.date.clone().unwrap_or_default()],
        vec!["equity".into(), num(out.latest.equity, 2)],
        vec!["drawdown".into(), pct(out.latest.drawdown)],
        vec!["last_return".into(), opt_pct(out.latest.last_return)],
        vec![
            format!("var ({:?}, {})", out.var_method, out.var_confidence),
            opt_pct(out.latest.var),
        ],
        vec!["cvar".into(), opt_pct(out.latest.cvar)],
        vec![
            "largest_position".into(),
            opt_pct(out.latest.largest_position),
        ],
        vec![
            "dates with a warning".into(),
            out.warning_evaluations.to_string(),
        ],
        vec![
            "dates with a critical alert".into(),
            out.critical_evaluations.to_string(),
        ],
    ];
    print!("{}", render(&["metric", "value"], &rows));
    for alert in &out.alerts {
        println!("{:?} {}: {}", alert.level, alert.rule, alert.message);
    }
    Ok(())
}

fn read_positions(path: &Path) -> anyhow::Result<Vec<PositionValue>> {
    let [symbols, values] = read_columns(path, ["symbol", "value"])?;
    symbols
        .into_iter()
        .zip(values)
        .map(|((_, symbol), (line, cell))| {
            Ok(PositionValue {
                symbol,
                value: finite_cell(path, line, "value", &cell)?,
            })
        })
        .collect()
}

/// The cells of the named columns of a CSV file (header matched case-insensitively),
/// each with its line number.
fn read_columns<const N: usize>(
    path: &Path,
    names: [&str; N],
) -> anyhow::Result<[Vec<(u64, String)>; N]> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let headers = reader.headers()?.clone();
    let mut index = [0usize; N];
    for (slot, name) in index.iter_mut().zip(names) {
        *slot = headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .with_context(|| {
                format!(
                    "{}: no `{name}` column in [{}]",
                    path.display(),
                    headers.iter().collect::<Vec<_>>().join(", ")
                )
            })?;
    }
    let mut out: [Vec<(u64, String)>; N] = std::array::from_fn(|_| Vec::new());
    for rec in reader.records() {
        let rec = rec.with_context(|| format!("{}: malformed CSV", path.display()))?;
        let line = rec.position().map_or(0, csv::Position::line);
        for (col, i) in out.iter_mut().zip(index) {
            col.push((line, rec.get(i).unwrap_or("").trim().to_string()));
        }
    }
    Ok(out)
}

/// A cell as a finite number, or an error naming file, line and column.
fn finite_cell(path: &Path, line: u64, column: &str, cell: &str) -> anyhow::Result<f64> {
    cell.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .with_context(|| {
            format!(
                "{}: line {line}, column `{column}`: `{cell}` is not a finite number",
                path.display()
            )
        })
}
