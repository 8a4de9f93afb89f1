//! Mean-variance portfolios solved with clarabel: minimum volatility, maximum Sharpe
//! (the homogenised convex form), efficient return and efficient risk, fully invested
//! with per-asset bounds; plus the closed-form inverse-volatility and equal weights, and
//! each portfolio's performance and risk contributions.

use serde::Serialize;

use crate::active_set::{BoxQp, Optimum};
use crate::conic::Problem;
use crate::constrained::Constraints;
use crate::error::OptimError;
use crate::risk_model::RiskModel;

/// Per-asset weight bounds (the same for every asset).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bounds {
    /// Lower bound (negative allows shorts).
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

impl Bounds {
    /// Long only, at most 100% in one asset.
    pub const LONG_ONLY: Bounds = Bounds {
        lower: 0.0,
        upper: 1.0,
    };

    fn check(self, n: usize) -> Result<(), OptimError> {
        if !(self.lower.is_finite() && self.upper.is_finite() && self.lower <= self.upper) {
            return Err(OptimError::Invalid(format!(
                "bounds ({}, {}) must be finite with lower <= upper",
                self.lower, self.upper
            )));
        }
        let (lo, hi) = (self.lower * n as f64, self.upper * n as f64);
        if lo > 1.0 + 1e-12 || hi < 1.0 - 1e-12 {
            return Err(OptimError::Infeasible(format!(
                "bounds ({}, {}) on {n} assets cannot sum to 1 (possible sums {lo} to {hi})",
                self.lower, self.upper
            )));
        }
        Ok(())
    }
}

/// A portfolio and its ex-ante figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Portfolio {
    /// Weights by asset.
    pub weights: Vec<f64>,
    /// `mu' w`.
    pub expected_return: f64,
    /// `sqrt(w' S w)`.
    pub volatility: f64,
    /// `(return - risk_free) / volatility`.
    pub sharpe: f64,
    /// `w_i (S w)_i / volatility`; they sum to the volatility.
    pub risk_contributions: Vec<f64>,
}

/// Figures of `weights` under `mu` and dense `cov`.
pub fn performance(weights: Vec<f64>, mu: &[f64], cov: &[f64], risk_free: f64) -> Portfolio {
    let n = weights.len();
    let sw: Vec<f64> = (0..n)
        .map(|i| (0..n).map(|j| cov[i * n + j] * weights[j]).sum())
        .collect();
    let variance: f64 = weights.iter().zip(&sw).map(|(w, s)| w * s).sum();
    let volatility = variance.max(0.0).sqrt();
    let expected_return: f64 = weights.iter().zip(mu).map(|(w, m)| w * m).sum();
    let risk_contributions = weights
        .iter()
        .zip(&sw)
        .map(|(w, s)| {
            if volatility > 0.0 {
                w * s / volatility
            } else {
                0.0
            }
        })
        .collect();
    Portfolio {
        sharpe: (expected_return - risk_free) / volatility,
        weights,
        expected_return,
        volatility,
        risk_contributions,
    }
}

pub(crate) fn check_inputs(mu: &[f64], cov: &[f64]) -> Result<usize, OptimError> {
    let n = mu.len();
    if n == 0 || cov.len() != n * n {
        return Err(OptimError::Invalid(format!(
            "{n} expected returns but a covariance of {} values",
            cov.len()
        )));
    }
    if let Some(i) = mu.iter().position(|m| !m.is_finite()) {
        return Err(OptimError::Invalid(format!(
            "expected return of asset {i} is not finite"
        )));
    }
    if let Some(k) = cov.iter().position(|c| !c.is_finite()) {
        return Err(OptimError::Invalid(format!(
            "covariance entry ({}, {}) is not finite",
            k / n,
            k % n
        )));
    }
    Ok(n)
}

/// Errors naming the first asset whose variance is not positive (`why` says who needs it).
pub(crate) fn require_positive_variances(
    cov: &[f64],
    n: usize,
    why: &str,
) -> Result<(), OptimError> {
    match (0..n).find(|&i| cov[i * n + i] <= 0.0) {
        Some(i) => Err(OptimError::Invalid(format!(
            "asset {i} has zero variance; {why}"
        ))),
        None => Ok(()),
    }
}

/// Rows `lower <= w_j <= upper` for the first `n` variables.
fn bound_rows(n: usize, bounds: Bounds) -> Vec<(Vec<(usize, f64)>, f64)> {
    (0..n)
        .flat_map(|j| {
            [
                (vec![(j, 1.0)], bounds.upper),
                (vec![(j, -1.0)], -bounds.lower),
            ]
        })
        .collect()
}

/// `min w' S w` (with `P = 2 S`) over fully invested weights within `bounds`.
fn variance_problem(cov: &[f64], n: usize, bounds: Bounds) -> Problem {
    let mut p = Problem::new(n);
    let doubled: Vec<f64> = cov.iter().map(|c| 2.0 * c).collect();
    p.quadratic_block(0, n, &doubled);
    p.equal(vec![((0..n).map(|j| (j, 1.0)).collect(), 1.0)]);
    p.at_most(bound_rows(n, bounds));
    p
}

/// The exact method on `min w' S w` under `equalities` and per-asset `lower..upper`.
fn exact_variance(
    cov: &[f64],
    equalities: &[(&[f64], f64)],
    lower: f64,
    upper: f64,
) -> Option<Optimum> {
    let n = equalities.first().map_or(0, |(a, _)| a.len());
    let q: Vec<f64> = cov.iter().map(|c| 2.0 * c).collect();
    BoxQp {
        q: &q,
        c: &vec![0.0; n],
        equalities,
        lower: &vec![lower; n],
        upper: &vec![upper; n],
    }
    .solve()
}

/// The minimum-volatility portfolio.
pub fn min_volatility(
    mu: &[f64],
    cov: &[f64],
    bounds: Bounds,
    risk_free: f64,
) -> Result<Portfolio, OptimError> {
    let n = check_inputs(mu, cov)?;
    bounds.check(n)?;
    let ones = vec![1.0; n];
    let exact = exact_variance(cov, &[(&ones, 1.0)], bounds.lower, bounds.upper);
    let w = match exact {
        Some(o) => o.w,
        None => variance_problem(cov, n, bounds).solve("min volatility")?,
    };
    Ok(performance(w, mu, cov, risk_free))
}

/// The minimum-variance portfolio with expected return at least `target`.
pub fn efficient_return(
    mu: &[f64],
    cov: &[f64],
    bounds: Bounds,
    target: f64,
    risk_free: f64,
) -> Result<Portfolio, OptimError> {
    let n = check_inputs(mu, cov)?;
    bounds.check(n)?;
    let best = max_return_within(mu, bounds);
    if target > best + 1e-12 {
        return Err(OptimError::Infeasible(format!(
            "target return {target} is above the highest return the bounds allow ({best:.6})"
        )));
    }
    // Exact path: the return constraint as an equality, accepted when its multiplier shows
    // it binds; a non-binding target means the minimum-volatility portfolio already meets it.
    let ones = vec![1.0; n];
    let exact = exact_variance(
        cov,
        &[(&ones, 1.0), (mu, target)],
        bounds.lower,
        bounds.upper,
    );
    if let Some(o) = exact {
        if o.multipliers[1] >= 0.0 {
            return Ok(performance(o.w, mu, cov, risk_free));
        }
        let low = min_volatility(mu, cov, bounds, risk_free)?;
        if low.expected_return >= target {
            return Ok(low);
        }
    }
    let mut p = variance_problem(cov, n, bounds);
    p.at_most(vec![(
        mu.iter().enumerate().map(|(j, m)| (j, -m)).collect(),
        -target,
    )]);
    let w = p.solve("efficient return")?;
    Ok(performance(w, mu, cov, risk_free))
}

/// The highest `mu' w` over fully invested weights within `bounds` (greedy: fill the best
/// assets to the upper bound).
pub(crate) fn max_return_within(mu: &[f64], bounds: Bounds) -> f64 {
    let n = mu.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| mu[*b].total_cmp(&mu[*a]));
    let mut left = 1.0 - bounds.lower * n as f64;
    let mut total = bounds.lower * mu.iter().sum::<f64>();
    for i in order {
        let add = left.min(bounds.upper - bounds.lower).max(0.0);
        total += add * mu[i];
        left -= add;
    }
    total
}

/// The maximum-return portfolio with volatility at most `target` (a second-order cone
/// over the risk model's factor form).
pub fn efficient_risk(
    mu: &[f64],
    model: &RiskModel,
    bounds: Bounds,
    target: f64,
    risk_free: f64,
) -> Result<Portfolio, OptimError> {
    let cov = model.dense();
    let n = check_inputs(mu, &cov)?;
    bounds.check(n)?;
    if !(target.is_finite() && target > 0.0) {
        return Err(OptimError::Invalid(format!(
            "target volatility must be positive, got {target}"
        )));
    }
    let floor = min_volatility(mu, &cov, bounds, risk_free)?.volatility;
    if target < floor - 1e-9 {
        return Err(OptimError::Infeasible(format!(
            "target volatility {target} is below the minimum volatility the bounds allow ({floor:.6})"
        )));
    }
    let t = model.rows();
    let x = model.factor();
    let mut p = Problem::new(n + t);
    for (j, m) in mu.iter().enumerate() {
        p.linear(j, -m);
    }
    p.equal(
        std::iter::once(((0..n).map(|j| (j, 1.0)).collect(), 1.0))
            .chain((0..t).map(|k| {
                let mut terms: Vec<(usize, f64)> = (0..n).map(|j| (j, x[k * n + j])).collect();
                terms.push((n + k, -1.0));
                (terms, 0.0)
            }))
            .collect(),
    );
    p.at_most(bound_rows(n, bounds));
    let d = model.diagonal();
    let mut soc = vec![(Vec::new(), target)];
    soc.extend((0..n).map(|j| (vec![(j, -d[j].sqrt())], 0.0)));
    soc.extend((0..t).map(|k| (vec![(n + k, -1.0)], 0.0)));
    p.second_order(soc);
    let w = p.solve("efficient risk")?[..n].to_vec();
    Ok(performance(w, mu, &cov, risk_free))
}

/// The maximum-Sharpe portfolio, in the homogenised form: minimise `y' S y` subject to
/// `(mu - rf)' y = 1`, `sum y = k`, `lower k <= y <= upper k`, `k >= 0`; then `w = y / k`.
pub fn max_sharpe(
    mu: &[f64],
    cov: &[f64],
    bounds: Bounds,
    risk_free: f64,
) -> Result<Portfolio, OptimError> {
    let n = check_inputs(mu, cov)?;
    bounds.check(n)?;
    if !mu.iter().any(|m| *m > risk_free) {
        return Err(OptimError::Infeasible(format!(
            "no asset's expected return is above the risk-free rate {risk_free}"
        )));
    }
    if bounds.lower == 0.0 && bounds.upper >= 1.0 {
        // Long only with no binding cap: min y' S y s.t. (mu - rf)' y = 1, y >= 0.
        let excess: Vec<f64> = mu.iter().map(|m| m - risk_free).collect();
        let exact = exact_variance(cov, &[(&excess, 1.0)], 0.0, f64::INFINITY);
        if let Some(y) = exact.map(|o| o.w) {
            let k: f64 = y.iter().sum();
            if k.is_finite() && k > 0.0 {
                let w = y.iter().map(|v| v / k).collect();
                return Ok(performance(w, mu, cov, risk_free));
            }
        }
    }
    crate::constrained::max_sharpe(mu, cov, &Constraints::bounds(bounds), risk_free)
}

/// Weights proportional to `1 / sigma_i`.
pub fn inverse_volatility(
    mu: &[f64],
    cov: &[f64],
    risk_free: f64,
) -> Result<Portfolio, OptimError> {
    let n = check_inputs(mu, cov)?;
    require_positive_variances(cov, n, "inverse volatility divides by it")?;
    let inverse: Vec<f64> = (0..n).map(|i| 1.0 / cov[i * n + i].sqrt()).collect();
    let total: f64 = inverse.iter().sum();
    Ok(performance(
        inverse.iter().map(|v| v / total).collect(),
        mu,
        cov,
        risk_free,
    ))
}

/// `1 / n` each.
pub fn equal_weight(mu: &[f64], cov: &[f64], risk_free: f64) -> Result<Portfolio, OptimError> {
    let n = check_inputs(mu, cov)?;
    Ok(performance(vec![1.0 / n as f64; n], mu, cov, risk_free))
}
