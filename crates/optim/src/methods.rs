//! Every portfolio method behind one enum, and the fallback chain: a list of methods
//! tried in order, returning the first that succeeds and why each earlier one failed.
//! Nothing in the chain panics; a result is accepted only if its weights are finite,
//! sum to one and respect the bounds (else "numerical trouble").

use serde::Serialize;

use crate::constrained::{optimize, Constraints, Objective};
use crate::error::OptimError;
use crate::hierarchy::Linkage;
use crate::hrp::hrp_with_correlation;
use crate::mean_variance::{
    efficient_return, efficient_risk, equal_weight, inverse_volatility, max_sharpe, min_volatility,
    Bounds, Portfolio,
};
use crate::risk_model::RiskModel;
use crate::risk_parity::risk_parity;

/// A portfolio method with its parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method {
    /// Maximum Sharpe ratio.
    MaxSharpe,
    /// Minimum volatility.
    MinVolatility,
    /// Minimum volatility for at least this return.
    EfficientReturn(f64),
    /// Maximum return for at most this volatility.
    EfficientRisk(f64),
    /// Maximum `mu' w - risk_aversion / 2 w' S w`.
    MaxQuadraticUtility(f64),
    /// Equal risk contribution.
    RiskParity,
    /// Hierarchical risk parity.
    Hrp(Linkage),
    /// Proportional to 1 / volatility.
    InverseVolatility,
    /// 1 / N.
    EqualWeight,
}

impl Method {
    /// The method's name as the command line spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Method::MaxSharpe => "max-sharpe",
            Method::MinVolatility => "min-volatility",
            Method::EfficientReturn(_) => "efficient-return",
            Method::EfficientRisk(_) => "efficient-risk",
            Method::MaxQuadraticUtility(_) => "max-quadratic-utility",
            Method::RiskParity => "risk-parity",
            Method::Hrp(_) => "hrp",
            Method::InverseVolatility => "inverse-volatility",
            Method::EqualWeight => "equal-weight",
        }
    }
}

/// Estimates and constraints every method draws on.
#[derive(Clone, Copy, Debug)]
pub struct Inputs<'a> {
    /// Expected returns.
    pub mu: &'a [f64],
    /// Dense covariance.
    pub cov: &'a [f64],
    /// Its factored form (efficient risk).
    pub model: &'a RiskModel,
    /// Per-asset bounds (mean-variance methods).
    pub bounds: Bounds,
    /// Annual risk-free rate.
    pub risk_free: f64,
    /// Constraints and penalties beyond `bounds` for the mean-variance methods (their
    /// bounds replace `bounds`); risk-based methods ignore them.
    pub constraints: Option<&'a Constraints>,
    /// Correlation for HRP when it is not implied by `cov` (pairwise estimates).
    pub corr: Option<&'a [f64]>,
    /// Risk budgets for risk parity (`None`: equal).
    pub budgets: Option<&'a [f64]>,
}

/// Solves one method.
pub fn solve(method: Method, x: &Inputs) -> Result<Portfolio, OptimError> {
    let (mu, cov, rf) = (x.mu, x.cov, x.risk_free);
    let constrained = |objective: Objective| match x.constraints {
        Some(c) => optimize(mu, x.model, objective, c, rf),
        None => optimize(mu, x.model, objective, &Constraints::bounds(x.bounds), rf),
    };
    // Mean-variance methods under extra constraints go to the constrained solver; with
    // bounds only, to the exact or specialised paths.
    let plain = x.constraints.is_none();
    match method {
        Method::MaxSharpe if plain => max_sharpe(mu, cov, x.bounds, rf),
        Method::MinVolatility if plain => min_volatility(mu, cov, x.bounds, rf),
        Method::EfficientReturn(target) if plain => efficient_return(mu, cov, x.bounds, target, rf),
        Method::EfficientRisk(target) if plain => efficient_risk(mu, x.model, x.bounds, target, rf),
        Method::MaxSharpe => constrained(Objective::MaxSharpe),
        Method::MinVolatility => constrained(Objective::MinVolatility),
        Method::EfficientReturn(target) => constrained(Objective::EfficientReturn { target }),
        Method::EfficientRisk(target) => constrained(Objective::EfficientRisk { target }),
        Method::MaxQuadraticUtility(risk_aversion) => {
            constrained(Objective::MaxQuadraticUtility { risk_aversion })
        }
        Method::RiskParity => risk_parity(mu, cov, x.budgets, rf),
        Method::Hrp(linkage) => hrp_with_correlation(mu, cov, x.corr, linkage, rf),
        Method::InverseVolatility => inverse_volatility(mu, cov, rf),
        Method::EqualWeight => equal_weight(mu, cov, rf),
    }
}

/// Why one step of a chain failed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Failure {
    /// The method.
    pub method: String,
    /// `infeasible`, `invalid`, `solver` or `numerical`.
    pub kind: String,
    /// The message.
    pub reason: String,
}

/// The first method of a chain that succeeded, and the failures before it.
#[derive(Clone, Debug, Serialize)]
pub struct ChainResult {
    /// The portfolio.
    pub portfolio: Portfolio,
    /// The method that produced it.
    pub method: String,
    /// Earlier methods, in order, with the reason each failed.
    pub failures: Vec<Failure>,
}

/// Tries `methods` in order. Errors only when every method fails, naming each reason.
pub fn solve_chain(methods: &[Method], x: &Inputs) -> Result<ChainResult, OptimError> {
    let mut failures = Vec::new();
    for method in methods {
        let outcome = solve(*method, x).and_then(|p| sane(p, *method, x));
        match outcome {
            Ok(portfolio) => {
                return Ok(ChainResult {
                    portfolio,
                    method: method.name().to_string(),
                    failures,
                })
            }
            Err(e) => failures.push(Failure {
                method: method.name().to_string(),
                kind: match &e {
                    OptimError::Infeasible(_) => "infeasible",
                    OptimError::Invalid(_) => "invalid",
                    OptimError::Solver(_) => "solver",
                    OptimError::Numerical(_) => "numerical",
                }
                .to_string(),
                reason: e.to_string(),
            }),
        }
    }
    let reasons: Vec<String> = failures
        .iter()
        .map(|f| format!("{}: {}", f.method, f.reason))
        .collect();
    Err(OptimError::Infeasible(format!(
        "every method failed ({})",
        reasons.join("; ")
    )))
}

/// Accepts a portfolio only with finite weights summing to one (zero when market
/// neutral) within the bounds (mean-variance methods) to 1e-6.
pub fn sane(p: Portfolio, method: Method, x: &Inputs) -> Result<Portfolio, OptimError> {
    if let Some(i) = p.weights.iter().position(|w| !w.is_finite()) {
        return Err(OptimError::Numerical(format!("weight {i} is not finite")));
    }
    let bounded = matches!(
        method,
        Method::MaxSharpe
            | Method::MinVolatility
            | Method::EfficientReturn(_)
            | Method::EfficientRisk(_)
            | Method::MaxQuadraticUtility(_)
    );
    let neutral = bounded && x.constraints.is_some_and(|c| c.market_neutral);
    let goal = if neutral { 0.0 } else { 1.0 };
    let total: f64 = p.weights.iter().sum();
    if (total - goal).abs() > 1e-6 {
        return Err(OptimError::Numerical(format!(
            "weights sum to {total}, not {goal}"
        )));
    }
    let bounds = x.constraints.map_or(x.bounds, |c| c.bounds);
    if bounded {
        if let Some(i) = p
            .weights
            .iter()
            .position(|w| *w < bounds.lower - 1e-6 || *w > bounds.upper + 1e-6)
        {
            return Err(OptimError::Numerical(format!(
                "weight {i} = {} breaks the bounds ({}, {})",
                p.weights[i], bounds.lower, bounds.upper
            )));
        }
    }
    if !(p.volatility.is_finite() && p.expected_return.is_finite()) {
        return Err(OptimError::Numerical(
            "volatility or return is not finite".into(),
        ));
    }
    Ok(p)
}
