//! `oxfolio optimize`: one portfolio from a wide close-price file (date column plus one
//! column per symbol) by any method, optionally through a fallback chain and into whole
//! shares, with its expected return, volatility, Sharpe ratio and risk contributions.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use serde::Serialize;

use oxfolio_optim::discrete::exact_allocation;
use oxfolio_optim::methods::solve;
use oxfolio_optim::psd::RepairReport;
use oxfolio_optim::{greedy_allocation, solve_chain, ChainResult, Failure, Linkage, Method};

use crate::constraint_args::{read_pairs, ConstraintArgs};
use crate::estimate_args::EstimateArgs;
use crate::table::{num, pct, render};

/// Optimisation methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
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
    /// Maximum quadratic utility `mu' w - delta / 2 w' S w` (`--risk-aversion`).
    MaxQuadraticUtility,
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

/// `optimize` options.
#[derive(Debug, Args)]
pub struct OptimizeArgs {
    #[command(flatten)]
    estimates: EstimateArgs,
    /// Method.
    #[arg(long, value_enum)]
    method: MethodArg,
    /// Methods to try in order when the method fails, e.g. `hrp,equal-weight`; the
    /// output names the method used and why each earlier one failed.
    #[arg(long, value_enum, value_delimiter = ',')]
    fallback: Vec<MethodArg>,
    /// Target annual return (efficient-return).
    #[arg(long)]
    target_return: Option<f64>,
    /// Target annual volatility (efficient-risk).
    #[arg(long)]
    target_volatility: Option<f64>,
    /// Cluster linkage (hrp).
    #[arg(long, value_enum, default_value = "single")]
    linkage: LinkageArg,
    /// CSV `symbol,budget` of risk budgets for risk-parity (normalised; every symbol
    /// needs one).
    #[arg(long)]
    risk_budgets: Option<PathBuf>,
    /// Risk aversion delta (max-quadratic-utility).
    #[arg(long, default_value_t = 1.0)]
    risk_aversion: f64,
    #[command(flatten)]
    constraints: ConstraintArgs,
    /// Also turn the weights into whole shares of this much capital at the last closes
    /// (PyPortfolioOpt's greedy discrete allocation).
    #[arg(long)]
    capital: Option<f64>,
    /// With --capital and short weights: shorts' value as a fraction of capital (default:
    /// the sum of short weights).
    #[arg(long)]
    short_ratio: Option<f64>,
    /// With --capital: invest the short proceeds in the longs.
    #[arg(long)]
    reinvest: bool,
    /// With --capital: `greedy` (PyPortfolioOpt's rule) or `exact` (its integer
    /// programme, by branch and bound; greedy if the search passes its node limit).
    #[arg(long, value_enum, default_value = "greedy")]
    allocation: AllocationArg,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

/// Discrete allocation methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AllocationArg {
    /// Largest shortfall first, one share at a time.
    Greedy,
    /// The integer programme, exactly.
    Exact,
}

/// Whole shares and leftover cash.
#[derive(Debug, Serialize)]
struct Shares {
    method: String,
    capital: f64,
    shares: BTreeMap<String, i64>,
    latest_prices: BTreeMap<String, f64>,
    leftover: f64,
}

/// The `--json` object.
#[derive(Debug, Serialize)]
struct Output {
    method: String,
    failures: Vec<Failure>,
    weights: BTreeMap<String, f64>,
    expected_return: f64,
    volatility: f64,
    sharpe: f64,
    risk_contributions: BTreeMap<String, f64>,
    observations: usize,
    missing: &'static str,
    psd_repair: Option<RepairReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allocation: Option<Shares>,
}

impl OptimizeArgs {
    fn method(&self, arg: MethodArg) -> anyhow::Result<Method> {
        Ok(match arg {
            MethodArg::MaxSharpe => Method::MaxSharpe,
            MethodArg::MinVolatility => Method::MinVolatility,
            MethodArg::EfficientReturn => Method::EfficientReturn(
                self.target_return
                    .context("efficient-return needs --target-return")?,
            ),
            MethodArg::EfficientRisk => Method::EfficientRisk(
                self.target_volatility
                    .context("efficient-risk needs --target-volatility")?,
            ),
            MethodArg::InverseVolatility => Method::InverseVolatility,
            MethodArg::EqualWeight => Method::EqualWeight,
            MethodArg::RiskParity => Method::RiskParity,
            MethodArg::MaxQuadraticUtility => Method::MaxQuadraticUtility(self.risk_aversion),
            MethodArg::Hrp => Method::Hrp(match self.linkage {
                LinkageArg::Single => Linkage::Single,
                LinkageArg::Complete => Linkage::Complete,
                LinkageArg::Average => Linkage::Average,
                LinkageArg::Ward => Linkage::Ward,
            }),
        })
    }
}

/// Runs `oxfolio optimize`.
pub fn run(args: &OptimizeArgs) -> anyhow::Result<()> {
    let e = args.estimates.estimate()?;
    let constraints = args.constraints.build(&e.symbols, e.bounds)?;
    let budgets = match &args.risk_budgets {
        Some(file) => {
            let mut b = vec![f64::NAN; e.symbols.len()];
            for (line, symbol, value) in read_pairs(file)? {
                let i = e
                    .symbols
                    .iter()
                    .position(|s| *s == symbol)
                    .with_context(|| {
                        format!("{}, line {line}: unknown symbol {symbol:?}", file.display())
                    })?;
                b[i] = value.parse().with_context(|| {
                    format!(
                        "{}, line {line}: budget {value:?} is not a number",
                        file.display()
                    )
                })?;
            }
            if let Some(i) = b.iter().position(|v| v.is_nan()) {
                anyhow::bail!("{}: no budget for {}", file.display(), e.symbols[i]);
            }
            Some(b)
        }
        None => None,
    };
    let mut inputs = e.inputs();
    inputs.constraints = constraints.as_ref();
    inputs.budgets = budgets.as_deref();
    let mut chain = vec![args.method(args.method)?];
    for arg in &args.fallback {
        chain.push(args.method(*arg)?);
    }
    let result = if chain.len() == 1 {
        ChainResult {
            portfolio: solve(chain[0], &inputs)?,
            method: chain[0].name().to_string(),
            failures: Vec::new(),
        }
    } else {
        solve_chain(&chain, &inputs)?
    };
    let portfolio = &result.portfolio;
    let output = Output {
        method: result.method.clone(),
        failures: result.failures.clone(),
        weights: e.by_symbol(&portfolio.weights),
        expected_return: portfolio.expected_return,
        volatility: portfolio.volatility,
        sharpe: portfolio.sharpe,
        risk_contributions: e.by_symbol(&portfolio.risk_contributions),
        observations: e.observations,
        missing: e.missing,
        psd_repair: e.psd_repair,
        allocation: match args.capital {
            Some(capital) => {
                if let Some(i) = e.latest.iter().position(|p| !p.is_finite()) {
                    anyhow::bail!("--capital: {} has no close on the last date", e.symbols[i]);
                }
                let w = &portfolio.weights;
                let (sr, re) = (args.short_ratio, args.reinvest);
                let exact = match args.allocation {
                    AllocationArg::Exact => exact_allocation(w, &e.latest, capital, sr, re)?,
                    AllocationArg::Greedy => None,
                };
                let method = match (args.allocation, &exact) {
                    (AllocationArg::Greedy, _) => "greedy",
                    (AllocationArg::Exact, Some(_)) => "exact",
                    (AllocationArg::Exact, None) => {
                        "greedy (the exact search passed its node limit)"
                    }
                };
                let a = match exact {
                    Some(a) => a,
                    None => greedy_allocation(w, &e.latest, capital, sr, re)?,
                };
                Some(Shares {
                    method: method.to_string(),
                    capital,
                    shares: e.symbols.iter().cloned().zip(a.shares).collect(),
                    latest_prices: e.by_symbol(&e.latest),
                    leftover: a.leftover,
                })
            }
            None => None,
        },
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&output)?);
        return Ok(());
    }
    for f in &result.failures {
        println!("{} failed ({}): {}", f.method, f.kind, f.reason);
    }
    println!(
        "== {} on {} assets, {} daily returns: return {}, volatility {}, Sharpe {} ==",
        result.method,
        e.symbols.len(),
        e.observations,
        pct(portfolio.expected_return),
        pct(portfolio.volatility),
        num(portfolio.sharpe, 3)
    );
    let rows: Vec<Vec<String>> = e
        .symbols
        .iter()
        .zip(&portfolio.weights)
        .zip(&portfolio.risk_contributions)
        .map(|((s, w), rc)| vec![s.clone(), pct(*w), pct(*rc)])
        .collect();
    print!(
        "{}",
        render(&["symbol", "weight", "risk_contribution"], &rows)
    );
    if let Some(a) = &output.allocation {
        let rows: Vec<Vec<String>> = a
            .shares
            .iter()
            .filter(|(_, k)| **k != 0)
            .map(|(s, k)| vec![s.clone(), k.to_string(), num(a.latest_prices[s], 2)])
            .collect();
        println!(
            "== {} in whole shares at the last closes ==",
            num(a.capital, 2)
        );
        print!("{}", render(&["symbol", "shares", "price"], &rows));
        println!("leftover {}", num(a.leftover, 2));
    }
    Ok(())
}
