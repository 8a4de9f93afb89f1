//! The efficient frontier: minimum-variance portfolios at evenly spaced target returns,
//! from the minimum-volatility portfolio's return to the highest return the bounds allow
//! (PyPortfolioOpt's `plot_efficient_frontier` range), with the minimum-volatility and
//! maximum-Sharpe portfolios alongside.

use serde::Serialize;

use crate::error::OptimError;
use crate::mean_variance::{
    check_inputs, efficient_return, max_return_within, max_sharpe, min_volatility, Bounds,
    Portfolio,
};

/// Points on the frontier plus its two marked portfolios.
#[derive(Clone, Debug, Serialize)]
pub struct Frontier {
    /// Efficient portfolios by increasing target return.
    pub points: Vec<Portfolio>,
    /// The minimum-volatility portfolio (the frontier's first point).
    pub min_volatility: Portfolio,
    /// The maximum-Sharpe portfolio, when one exists.
    pub max_sharpe: Option<Portfolio>,
    /// Why there is no maximum-Sharpe portfolio.
    pub max_sharpe_error: Option<String>,
}

/// `points` efficient portfolios (at least 2) within `bounds`.
pub fn efficient_frontier(
    mu: &[f64],
    cov: &[f64],
    bounds: Bounds,
    points: usize,
    risk_free: f64,
) -> Result<Frontier, OptimError> {
    check_inputs(mu, cov)?;
    if points < 2 {
        return Err(OptimError::Invalid(format!(
            "a frontier needs at least 2 points, got {points}"
        )));
    }
    let low = min_volatility(mu, cov, bounds, risk_free)?;
    let high = max_return_within(mu, bounds);
    let start = low.expected_return;
    let mut out = Vec::with_capacity(points);
    out.push(low.clone());
    for k in 1..points {
        let target = start + (high - start) * k as f64 / (points - 1) as f64;
        // The last target is the highest return itself; keep it a hair inside.
        let target = target.min(high - 1e-12 * high.abs().max(1.0));
        out.push(efficient_return(mu, cov, bounds, target, risk_free)?);
    }
    let (max_sharpe, max_sharpe_error) = match max_sharpe(mu, cov, bounds, risk_free) {
        Ok(p) => (Some(p), None),
        Err(e) => (None, Some(e.to_string())),
    };
    Ok(Frontier {
        points: out,
        min_volatility: low,
        max_sharpe,
        max_sharpe_error,
    })
}
