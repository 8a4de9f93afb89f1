//! Prices in, estimates out, for `optimize` and `frontier`: the price file and window,
//! the expected-return and covariance estimators, the missing-value policy, the
//! positive semi-definite repair and the bounds.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};

use oxfolio_data::source::SourceSpec;
use oxfolio_engine::Market;
use oxfolio_optim::estimates::{
    capm_return, covariance, ema_historical_return, mean_historical_return, pairwise_covariance,
    returns_from_prices, returns_with_gaps,
};
use oxfolio_optim::psd::{is_psd, repair, Repair, RepairReport};
use oxfolio_optim::{Bounds, Estimator, Inputs, RiskModel};

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

/// Parses `LO,HI`.
pub fn parse_bounds(text: &str) -> anyhow::Result<Bounds> {
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
