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
use oxfolio_optim::discrete::exact_allocation;
use oxfolio_optim::estimates::{
    capm_return, covariance, ema_historical_return, mean_historical_return, pairwise_covariance,
    returns_from_prices, returns_with_gaps,
};
use oxfolio_optim::methods::solve;
use oxfolio_optim::psd::{is_psd, repair, Repair, RepairReport};
use oxfolio_optim::{
    greedy_allocation, solve_chain, Bounds, ChainResult, Constraints, Estimator, Failure, Group,
    Inputs, Linkage, Method, RiskModel,
};

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

/// Covariance estimators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Cov {
    /// Sample covariance (ddof 1).
    Sample,
    /// Ledoit-Wolf shrinkage toward a scaled identity.
    LedoitWolf,
    /// Ledoit-Wolf shrinkage toward the single-factor (equal-weighted market) model.
    LedoitWolfSingleFactor,
    /// Ledoit-Wolf shrinkage toward constant correlation.
    LedoitWolfConstantCorrelation,
    /// Oracle approximating shrinkage.
    OracleApproximating,
    /// Exponentially weighted (`--cov-span`).
    Exponential,
    /// Semicovariance below `--benchmark` per day.
    Semicovariance,
}

/// How gaps (before a listing) are handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Missing {
    /// Only days where every asset has a return.
    Common,
    /// Each pair over the days both have returns (sample covariance only).
    Pairwise,
}

/// Repairs of a covariance that is not positive semi-definite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PsdRepair {
    /// Negative eigenvalues to zero.
    Spectral,
    /// Shift the diagonal.
    Diagonal,
}

/// Expected-return estimators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mu {
    /// Mean historical return, compounded.
    Historical,
    /// Exponentially weighted mean return, compounded (`--mu-span`).
    Ema,
    /// CAPM with the equal-weighted market as proxy (`--risk-free`).
    Capm,
}

/// Prices, estimators and constraints shared by `optimize` and `frontier`.
#[derive(Debug, Args)]
pub struct EstimateArgs {
    /// Wide close-price file: a date column plus one column per symbol.
    #[arg(long)]
    prices: PathBuf,
    /// Annual risk-free rate (Sharpe ratios, max Sharpe).
    #[arg(long, default_value_t = 0.0)]
    risk_free: f64,
    /// Covariance estimator.
    #[arg(long, value_enum, default_value = "sample")]
    cov: Cov,
    /// Span of the exponential covariance, in days.
    #[arg(long, default_value_t = 180.0)]
    cov_span: f64,
    /// Daily benchmark return of the semicovariance.
    #[arg(long, default_value_t = 0.000079)]
    benchmark: f64,
    /// Expected-return estimator.
    #[arg(long, value_enum, default_value = "historical")]
    mu: Mu,
    /// Span of the exponentially weighted mean return, in days.
    #[arg(long, default_value_t = 500.0)]
    mu_span: f64,
    /// Missing values before a listing: the common window, or pairwise-complete estimates.
    #[arg(long, value_enum, default_value = "common")]
    missing: Missing,
    /// Repair a covariance that is not positive semi-definite (otherwise an error).
    #[arg(long, value_enum)]
    psd_repair: Option<PsdRepair>,
    /// Per-asset weight bounds `LO,HI` (`-1,1` allows shorts).
    #[arg(long, default_value = "0,1", allow_hyphen_values = true)]
    bounds: String,
    /// First date of the estimation window (`YYYY-MM-DD`).
    #[arg(long)]
    start: Option<String>,
    /// Last date of the estimation window.
    #[arg(long)]
    end: Option<String>,
}

/// Estimates from one price file.
pub struct Estimates {
    /// Symbols in column order.
    pub symbols: Vec<String>,
    /// Expected returns (compounded mean historical, annualised).
    pub mu: Vec<f64>,
    /// Dense annualised covariance.
    pub cov: Vec<f64>,
    /// Its factored form.
    pub model: RiskModel,
    /// Daily returns used.
    pub observations: usize,
    /// Parsed bounds.
    pub bounds: Bounds,
    /// Risk-free rate.
    pub risk_free: f64,
    /// Last close of each symbol (NaN where the last row has none).
    pub latest: Vec<f64>,
    /// Pairwise correlation (pairwise policy only).
    pub corr: Option<Vec<f64>>,
    /// The missing-value policy used.
    pub missing: &'static str,
    /// What a positive semi-definite repair did, if one ran.
    pub psd_repair: Option<RepairReport>,
}

impl EstimateArgs {
    /// Loads the prices and estimates returns and covariance (annualisation 252).
    pub fn estimate(&self) -> anyhow::Result<Estimates> {
        let bounds = parse_bounds(&self.bounds)?;
        let mut spec = SourceSpec::new(&self.prices);
        spec.start.clone_from(&self.start);
        spec.end.clone_from(&self.end);
        let market = Market::load(&spec)?;
        let n = market.n_symbols();
        let closes = market.closes();
        let latest = closes[closes.len() - n..].to_vec();
        let pairwise = self.missing == Missing::Pairwise;
        let returns = if pairwise {
            returns_with_gaps(closes, n)?
        } else {
            returns_from_prices(closes, n)?
        };
        let mu = match self.mu {
            Mu::Historical => mean_historical_return(&returns, n, true, 252.0),
            Mu::Ema if !pairwise => ema_historical_return(&returns, n, true, self.mu_span, 252.0)?,
            Mu::Capm if !pairwise => capm_return(&returns, n, None, self.risk_free, true, 252.0)?,
            _ => anyhow::bail!("--mu ema and capm need the common window (--missing common)"),
        };
        let (mut corr, mut psd_repair) = (None, None);
        let (cov, model) = if pairwise {
            if self.cov != Cov::Sample {
                anyhow::bail!(
                    "--missing pairwise estimates the sample covariance only (--cov sample)"
                );
            }
            let (mut cov, r) = pairwise_covariance(&returns, n, 252.0)?;
            corr = Some(r);
            if !is_psd(&cov, n) {
                let Some(method) = self.psd_repair else {
                    anyhow::bail!(
                        "the pairwise covariance is not positive semi-definite; ask for --psd-repair spectral or diagonal"
                    );
                };
                let method = match method {
                    PsdRepair::Spectral => Repair::Spectral,
                    PsdRepair::Diagonal => Repair::Diagonal,
                };
                psd_repair = repair(&mut cov, n, method)?;
            }
            let model = RiskModel::from_dense(&cov, n)?;
            (cov, model)
        } else {
            let estimator = match self.cov {
                Cov::Sample => Estimator::Sample,
                Cov::LedoitWolf => Estimator::LedoitWolf,
                Cov::LedoitWolfSingleFactor => Estimator::LedoitWolfSingleFactor,
                Cov::LedoitWolfConstantCorrelation => Estimator::LedoitWolfConstantCorrelation,
                Cov::OracleApproximating => Estimator::OracleApproximating,
                Cov::Exponential => Estimator::Exponential {
                    span: self.cov_span,
                },
                Cov::Semicovariance => Estimator::Semicovariance {
                    benchmark: self.benchmark,
                },
            };
            covariance(&returns, n, estimator, 252.0)?
        };
        Ok(Estimates {
            latest,
            symbols: market.symbols().to_vec(),
            mu,
            cov,
            model,
            observations: returns.len() / n,
            bounds,
            risk_free: self.risk_free,
            corr,
            missing: if pairwise { "pairwise" } else { "common" },
            psd_repair,
        })
    }
}

impl Estimates {
    /// The inputs every method draws on.
    pub fn inputs(&self) -> Inputs<'_> {
        Inputs {
            mu: &self.mu,
            cov: &self.cov,
            model: &self.model,
            bounds: self.bounds,
            risk_free: self.risk_free,
            constraints: None,
            corr: self.corr.as_deref(),
            budgets: None,
        }
    }

    /// Symbol to value.
    pub fn by_symbol(&self, v: &[f64]) -> BTreeMap<String, f64> {
        self.symbols
            .iter()
            .cloned()
            .zip(v.iter().copied())
            .collect()
    }
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

/// Constraints and penalties for the mean-variance methods (risk-based methods ignore
/// them).
#[derive(Debug, Args)]
pub struct ConstraintArgs {
    /// Weights sum to zero (needs negative lower bounds).
    #[arg(long)]
    market_neutral: bool,
    /// Most total absolute weight, `sum |w|`.
    #[arg(long)]
    max_gross: Option<f64>,
    /// CSV `symbol,group` putting symbols in groups (sectors).
    #[arg(long)]
    groups: Option<PathBuf>,
    /// Bounds on a group's total weight, `NAME=LO:HI`; repeat for more groups.
    #[arg(long = "group-bound")]
    group_bounds: Vec<String>,
    /// CSV `symbol,weight` of current weights (symbols not listed hold zero).
    #[arg(long)]
    current: Option<PathBuf>,
    /// Most turnover `sum |w - current|` (needs --current).
    #[arg(long)]
    max_turnover: Option<f64>,
    /// Cost per unit of weight traded, added to the objective (needs --current).
    #[arg(long, default_value_t = 0.0)]
    cost: f64,
    /// L2 regularisation gamma (adds gamma ||w||^2).
    #[arg(long, default_value_t = 0.0)]
    l2: f64,
}

impl ConstraintArgs {
    fn any(&self) -> bool {
        self.market_neutral
            || self.max_gross.is_some()
            || self.groups.is_some()
            || !self.group_bounds.is_empty()
            || self.current.is_some()
            || self.max_turnover.is_some()
            || self.cost != 0.0
            || self.l2 != 0.0
    }

    /// The constraints, or `None` when only bounds apply.
    fn build(&self, symbols: &[String], bounds: Bounds) -> anyhow::Result<Option<Constraints>> {
        if !self.any() {
            return Ok(None);
        }
        let index = |symbol: &str, file: &std::path::Path, line: usize| -> anyhow::Result<usize> {
            symbols.iter().position(|s| s == symbol).with_context(|| {
                format!("{}, line {line}: unknown symbol {symbol:?}", file.display())
            })
        };
        let mut membership: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        if let Some(file) = &self.groups {
            for (line, symbol, group) in read_pairs(file)? {
                membership
                    .entry(group)
                    .or_default()
                    .push(index(&symbol, file, line)?);
            }
        }
        let mut groups = Vec::new();
        for spec in &self.group_bounds {
            let parsed = spec.split_once('=').and_then(|(name, range)| {
                let (lo, hi) = range.split_once(':')?;
                Some((
                    name.to_string(),
                    lo.parse::<f64>().ok()?,
                    hi.parse::<f64>().ok()?,
                ))
            });
            let Some((name, lower, upper)) = parsed else {
                anyhow::bail!("--group-bound `{spec}` must be NAME=LO:HI");
            };
            let members = membership
                .get(&name)
                .with_context(|| {
                    format!("--group-bound names group {name:?}, which --groups does not define")
                })?
                .clone();
            groups.push(Group {
                name,
                members,
                lower,
                upper,
            });
        }
        let current = match &self.current {
            Some(file) => {
                let mut w = vec![0.0; symbols.len()];
                for (line, symbol, weight) in read_pairs(file)? {
                    let value: f64 = weight.parse().with_context(|| {
                        format!(
                            "{}, line {line}: weight {weight:?} is not a number",
                            file.display()
                        )
                    })?;
                    w[index(&symbol, file, line)?] = value;
                }
                Some(w)
            }
            None => None,
        };
        Ok(Some(Constraints {
            bounds,
            market_neutral: self.market_neutral,
            max_gross: self.max_gross,
            groups,
            current,
            max_turnover: self.max_turnover,
            cost: self.cost,
            l2_gamma: self.l2,
        }))
    }
}

/// Rows of a two-column CSV with a header: (line number, first, second).
fn read_pairs(file: &std::path::Path) -> anyhow::Result<Vec<(usize, String, String)>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut out = Vec::new();
    for (k, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let Some((a, b)) = line.split_once(',') else {
            anyhow::bail!("{}, line {}: expected two columns", file.display(), k + 1);
        };
        out.push((k + 1, a.trim().to_string(), b.trim().to_string()));
    }
    Ok(out)
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
