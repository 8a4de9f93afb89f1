//! `oxfolio optimize`: one portfolio from a wide close-price file (date column plus one
//! column per symbol): mean-variance (clarabel), risk parity, HRP, inverse volatility or equal weight, with
//! its expected return, volatility, Sharpe ratio and risk contributions.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use serde::Serialize;

use oxfolio_data::source::SourceSpec;
use oxfolio_engine::Market;
use oxfolio_optim::estimates::{covariance, mean_historical_return, returns_from_prices};
use oxfolio_optim::mean_variance::{
    efficient_return, efficient_risk, equal_weight, inverse_volatility, max_sharpe, min_volatility,
};
use oxfolio_optim::{hrp, risk_parity, Bounds, Estimator, Linkage, Portfolio};

use crate::table::{num, pct, render};

/// Optimisation methods available today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// Maximum Sharpe ratio (homogenised convex form).
    MaxSharpe,
    /// Minimum volatility.
    MinVolatility,
    /// Minimum volatility for at least `--target-return`.
    EfficientReturn,
    /// Maximum return for at most `--target-volatility`.
    EfficientRisk,
    /// Weights proportional to 1 / volatility.
    InverseVolatility,
    /// 1 / N each.
    EqualWeight,
    /// Equal risk contribution (long only).
    RiskParity,
    /// Hierarchical risk parity (PyPortfolioOpt's HRPOpt; `--linkage`).
    Hrp,
}

/// Linkages for HRP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LinkageArg {
    /// Closest members.
    Single,
    /// Farthest members.
    Complete,
    /// Mean over member pairs.
    Average,
    /// Ward's minimum variance.
    Ward,
}

/// Covariance estimators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Cov {
    /// Sample covariance (ddof 1).
    Sample,
    /// Ledoit-Wolf shrinkage toward a scaled identity.
    LedoitWolf,
}

/// `optimize` options.
#[derive(Debug, Args)]
pub struct OptimizeArgs {
    /// Wide close-price file: a date column plus one column per symbol.
    #[arg(long)]
    prices: PathBuf,
    /// Method.
    #[arg(long, value_enum)]
    method: Method,
    /// Annual risk-free rate (Sharpe ratios, max Sharpe).
    #[arg(long, default_value_t = 0.0)]
    risk_free: f64,
    /// Covariance estimator.
    #[arg(long, value_enum, default_value = "sample")]
    cov: Cov,
    /// Per-asset weight bounds `LO,HI`.
    #[arg(long, default_value = "0,1")]
    bounds: String,
    /// Target annual return (efficient-return).
    #[arg(long)]
    target_return: Option<f64>,
    /// Target annual volatility (efficient-risk).
    #[arg(long)]
    target_volatility: Option<f64>,
    /// Cluster linkage (hrp).
    #[arg(long, value_enum, default_value = "single")]
    linkage: LinkageArg,
    /// First date of the estimation window (`YYYY-MM-DD`).
    #[arg(long)]
    start: Option<String>,
    /// Last date of the estimation window.
    #[arg(long)]
    end: Option<String>,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

/// The `--json` object.
#[derive(Debug, Serialize)]
struct Output {
    method: String,
    weights: BTreeMap<String, f64>,
    expected_return: f64,
    volatility: f64,
    sharpe: f64,
    risk_contributions: BTreeMap<String, f64>,
    observations: usize,
}

fn parse_bounds(text: &str) -> anyhow::Result<Bounds> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let [lo, hi] = parts.as_slice() else {
        anyhow::bail!("--bounds `{text}` must be LO,HI");
    };
    let lower: f64 = lo
        .parse()
        .with_context(|| format!("--bounds lower `{lo}` is not a number"))?;
    let upper: f64 = hi
        .parse()
        .with_context(|| format!("--bounds upper `{hi}` is not a number"))?;
    Ok(Bounds { lower, upper })
}

/// Runs `oxfolio optimize`.
pub fn run(args: &OptimizeArgs) -> anyhow::Result<()> {
    let bounds = parse_bounds(&args.bounds)?;
    let mut spec = SourceSpec::new(&args.prices);
    spec.start.clone_from(&args.start);
    spec.end.clone_from(&args.end);
    let market = Market::load(&spec)?;
    let n = market.n_symbols();
    let returns = returns_from_prices(market.closes(), n)?;
    let observations = returns.len() / n;
    let mu = mean_historical_return(&returns, n, true, 252.0);
    let estimator = match args.cov {
        Cov::Sample => Estimator::Sample,
        Cov::LedoitWolf => Estimator::LedoitWolf,
    };
    let (cov, model) = covariance(&returns, n, estimator, 252.0)?;
    let rf = args.risk_free;
    let portfolio: Portfolio = match args.method {
        Method::MaxSharpe => max_sharpe(&mu, &cov, bounds, rf)?,
        Method::MinVolatility => min_volatility(&mu, &cov, bounds, rf)?,
        Method::EfficientReturn => {
            let target = args
                .target_return
                .context("efficient-return needs --target-return")?;
            efficient_return(&mu, &cov, bounds, target, rf)?
        }
        Method::EfficientRisk => {
            let target = args
                .target_volatility
                .context("efficient-risk needs --target-volatility")?;
            efficient_risk(&mu, &model, bounds, target, rf)?
        }
        Method::InverseVolatility => inverse_volatility(&mu, &cov, rf)?,
        Method::EqualWeight => equal_weight(&mu, &cov, rf)?,
        Method::RiskParity => risk_parity(&mu, &cov, None, rf)?,
        Method::Hrp => {
            let linkage = match args.linkage {
                LinkageArg::Single => Linkage::Single,
                LinkageArg::Complete => Linkage::Complete,
                LinkageArg::Average => Linkage::Average,
                LinkageArg::Ward => Linkage::Ward,
            };
            hrp(&mu, &cov, linkage, rf)?
        }
    };
    let symbols = market.symbols();
    let by_symbol = |v: &[f64]| -> BTreeMap<String, f64> {
        symbols.iter().cloned().zip(v.iter().copied()).collect()
    };
    let method = args.method.to_possible_value().map_or_else(
        || format!("{:?}", args.method),
        |v| v.get_name().to_string(),
    );
    let output = Output {
        method: method.clone(),
        weights: by_symbol(&portfolio.weights),
        expected_return: portfolio.expected_return,
        volatility: portfolio.volatility,
        sharpe: portfolio.sharpe,
        risk_contributions: by_symbol(&portfolio.risk_contributions),
        observations,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&output)?);
        return Ok(());
    }
    println!(
        "== {method} on {n} assets, {observations} daily returns: return {}, volatility {}, Sharpe {} ==",
        pct(portfolio.expected_return),
        pct(portfolio.volatility),
        num(portfolio.sharpe, 3)
    );
    let rows: Vec<Vec<String>> = symbols
        .iter()
        .zip(&portfolio.weights)
        .zip(&portfolio.risk_contributions)
        .map(|((s, w), rc)| vec![s.clone(), pct(*w), pct(*rc)])
        .collect();
    print!(
        "{}",
        render(&["symbol", "weight", "risk_contribution"], &rows)
    );
    Ok(())
}
