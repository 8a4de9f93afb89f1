//! Mean-variance with the constraints and penalties PyPortfolioOpt users add by hand:
//! market neutral, a gross leverage limit, group (sector) bounds, a turnover limit, L2
//! regularisation and a linear transaction cost against current weights; objectives
//! minimum volatility, maximum quadratic utility, efficient return, efficient risk and
//! maximum Sharpe. Solved with clarabel.
//!
//! Variables: `w` (n), then `u >= |w - current|` (n) when a turnover limit or a cost is
//! set, then `g >= |w|` (n) when a gross limit is set. Objectives (PyPortfolioOpt's):
//! `w' S w` for minimum volatility and efficient return, `-mu' w + delta / 2 w' S w` for
//! quadratic utility, `-mu' w` for efficient risk, each plus `gamma ||w||^2` (L2) and
//! `k sum |w - current|` (cost). Maximum Sharpe uses the homogenised form and accepts only
//! constraints that scale with it (bounds, groups, gross), like PyPortfolioOpt.

use serde::{Deserialize, Serialize};

use crate::conic::Problem;
use crate::error::OptimError;
use crate::mean_variance::{check_inputs, performance, Bounds, Portfolio};
use crate::risk_model::RiskModel;

/// Bounds on the total weight of a group of assets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// Name (a sector).
    pub name: String,
    /// Member assets by index.
    pub members: Vec<usize>,
    /// Least total weight.
    pub lower: f64,
    /// Most total weight.
    pub upper: f64,
}

/// Constraints and penalties beyond per-asset bounds.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraints {
    /// Per-asset bounds.
    pub bounds: Bounds,
    /// Weights sum to zero instead of one.
    pub market_neutral: bool,
    /// `sum |w| <= max_gross`.
    pub max_gross: Option<f64>,
    /// Group bounds.
    pub groups: Vec<Group>,
    /// Current weights (turnover and cost are measured from them).
    pub current: Option<Vec<f64>>,
    /// `sum |w - current| <= max_turnover`.
    pub max_turnover: Option<f64>,
    /// Cost per unit of weight traded, added to the objective.
    pub cost: f64,
    /// L2 regularisation `gamma ||w||^2`.
    pub l2_gamma: f64,
}

impl Constraints {
    /// Only per-asset bounds.
    pub fn bounds(bounds: Bounds) -> Self {
        Constraints {
            bounds,
            market_neutral: false,
            max_gross: None,
            groups: Vec::new(),
            current: None,
            max_turnover: None,
            cost: 0.0,
            l2_gamma: 0.0,
        }
    }

    fn trades(&self) -> bool {
        self.max_turnover.is_some() || self.cost > 0.0
    }

    /// Errors naming the first constraint that is malformed or plainly infeasible.
    fn check(&self, n: usize) -> Result<(), OptimError> {
        let b = self.bounds;
        if !(b.lower.is_finite() && b.upper.is_finite() && b.lower <= b.upper) {
            return Err(OptimError::Invalid(format!(
                "bounds ({}, {}) must be finite with lower <= upper",
                b.lower, b.upper
            )));
        }
        let total = if self.market_neutral { 0.0 } else { 1.0 };
        let (lo, hi) = (b.lower * n as f64, b.upper * n as f64);
        if lo > total + 1e-12 || hi < total - 1e-12 {
            return Err(OptimError::Infeasible(format!(
                "bounds ({}, {}) on {n} assets cannot sum to {total} (possible sums {lo} to {hi})",
                b.lower, b.upper
            )));
        }
        if self.market_neutral && b.lower >= 0.0 {
            return Err(OptimError::Infeasible(format!(
                "market neutral needs shorts, but bounds ({}, {}) allow only the empty portfolio",
                b.lower, b.upper
            )));
        }
        if let Some(g) = self.max_gross {
            if !(g.is_finite() && g > 0.0) {
                return Err(OptimError::Invalid(format!(
                    "gross limit must be positive, got {g}"
                )));
            }
            if !self.market_neutral && g < 1.0 {
                return Err(OptimError::Infeasible(format!(
                    "gross limit {g} is below 1, the least gross of a fully invested portfolio"
                )));
            }
        }
        for group in &self.groups {
            if let Some(&i) = group.members.iter().find(|&&i| i >= n) {
                return Err(OptimError::Invalid(format!(
                    "group {} names asset {i} of {n}",
                    group.name
                )));
            }
            if !(group.lower.is_finite() && group.upper.is_finite() && group.lower <= group.upper) {
                return Err(OptimError::Invalid(format!(
                    "group {} bounds ({}, {}) must be finite with lower <= upper",
                    group.name, group.lower, group.upper
                )));
            }
            let k = group.members.len() as f64;
            if group.lower > b.upper * k + 1e-12 || group.upper < b.lower * k - 1e-12 {
                return Err(OptimError::Infeasible(format!(
                    "group {} bounds ({}, {}) cannot be met by {} assets within ({}, {})",
                    group.name, group.lower, group.upper, k, b.lower, b.upper
                )));
            }
        }
        if self.trades() {
            let Some(current) = &self.current else {
                return Err(OptimError::Invalid(
                    "a turnover limit or a transaction cost needs the current weights".into(),
                ));
            };
            if current.len() != n || current.iter().any(|c| !c.is_finite()) {
                return Err(OptimError::Invalid(format!(
                    "current weights must be {n} finite numbers"
                )));
            }
        }
        if let Some(t) = self.max_turnover {
            if !(t.is_finite() && t >= 0.0) {
                return Err(OptimError::Invalid(format!(
                    "turnover limit must be non-negative, got {t}"
                )));
            }
        }
        for (name, v) in [("transaction cost", self.cost), ("L2 gamma", self.l2_gamma)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(OptimError::Invalid(format!(
                    "{name} must be non-negative, got {v}"
                )));
            }
        }
        Ok(())
    }
}

/// What to optimise.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Objective {
    /// Minimum volatility.
    MinVolatility,
    /// Maximum `mu' w - risk_aversion / 2 w' S w`.
    MaxQuadraticUtility {
        /// `delta`.
        risk_aversion: f64,
    },
    /// Minimum volatility with return at least `target`.
    EfficientReturn {
        /// Target annual return.
        target: f64,
    },
    /// Maximum return with volatility at most `target`.
    EfficientRisk {
        /// Target annual volatility.
        target: f64,
    },
    /// Maximum Sharpe ratio.
    MaxSharpe,
}

/// Solves `objective` under `constraints`.
pub fn optimize(
    mu: &[f64],
    model: &RiskModel,
    objective: Objective,
    constraints: &Constraints,
    risk_free: f64,
) -> Result<Portfolio, OptimError> {
    let cov = model.dense();
    let n = check_inputs(mu, &cov)?;
    constraints.check(n)?;
    if objective == Objective::MaxSharpe {
        return max_sharpe(mu, &cov, constraints, risk_free);
    }
    let trades = constraints.trades();
    let u0 = n;
    let g0 = if trades { 2 * n } else { n };
    let gross = constraints.max_gross.is_some();
    let mut variables = g0 + if gross { n } else { 0 };
    let t = model.rows();
    let risk_cone = matches!(objective, Objective::EfficientRisk { .. });
    let v0 = variables;
    if risk_cone {
        variables += t;
    }
    let mut p = Problem::new(variables);
    let doubled: Vec<f64> = cov.iter().map(|c| 2.0 * c).collect();
    match objective {
        Objective::MinVolatility | Objective::EfficientReturn { .. } => {
            p.quadratic_block(0, n, &doubled);
        }
        Objective::MaxQuadraticUtility { risk_aversion } => {
            if !(risk_aversion.is_finite() && risk_aversion > 0.0) {
                return Err(OptimError::Invalid(format!(
                    "risk aversion must be positive, got {risk_aversion}"
                )));
            }
            let scaled: Vec<f64> = cov.iter().map(|c| risk_aversion * c).collect();
            p.quadratic_block(0, n, &scaled);
            for (j, m) in mu.iter().enumerate() {
                p.linear(j, -m);
            }
        }
        Objective::EfficientRisk { .. } => {
            for (j, m) in mu.iter().enumerate() {
                p.linear(j, -m);
            }
        }
        Objective::MaxSharpe => {}
    }
    for j in 0..n {
        p.quadratic(j, 2.0 * constraints.l2_gamma);
        if trades {
            p.linear(u0 + j, constraints.cost);
        }
    }
    let total = if constraints.market_neutral { 0.0 } else { 1.0 };
    let mut equal = vec![((0..n).map(|j| (j, 1.0)).collect::<Vec<_>>(), total)];
    let mut rows = Vec::new();
    let b = constraints.bounds;
    for j in 0..n {
        rows.push((vec![(j, 1.0)], b.upper));
        rows.push((vec![(j, -1.0)], -b.lower));
    }
    for group in &constraints.groups {
        rows.push((
            group.members.iter().map(|&j| (j, 1.0)).collect(),
            group.upper,
        ));
        rows.push((
            group.members.iter().map(|&j| (j, -1.0)).collect(),
            -group.lower,
        ));
    }
    if let (true, Some(current)) = (trades, &constraints.current) {
        for (j, c) in current.iter().enumerate() {
            // w - u <= current and -w - u <= -current.
            rows.push((vec![(j, 1.0), (u0 + j, -1.0)], *c));
            rows.push((vec![(j, -1.0), (u0 + j, -1.0)], -c));
        }
        if let Some(limit) = constraints.max_turnover {
            rows.push(((0..n).map(|j| (u0 + j, 1.0)).collect(), limit));
        }
    }
    if let Some(limit) = constraints.max_gross {
        for j in 0..n {
            rows.push((vec![(j, 1.0), (g0 + j, -1.0)], 0.0));
            rows.push((vec![(j, -1.0), (g0 + j, -1.0)], 0.0));
        }
        rows.push(((0..n).map(|j| (g0 + j, 1.0)).collect(), limit));
    }
    match objective {
        Objective::EfficientReturn { target } => {
            rows.push((
                mu.iter().enumerate().map(|(j, m)| (j, -m)).collect(),
                -target,
            ));
        }
        Objective::EfficientRisk { target } => {
            if !(target.is_finite() && target > 0.0) {
                return Err(OptimError::Invalid(format!(
                    "target volatility must be positive, got {target}"
                )));
            }
            let x = model.factor();
            for k in 0..t {
                let mut terms: Vec<(usize, f64)> = (0..n).map(|j| (j, x[k * n + j])).collect();
                terms.push((v0 + k, -1.0));
                equal.push((terms, 0.0));
            }
        }
        _ => {}
    }
    p.equal(equal);
    p.at_most(rows);
    if let Objective::EfficientRisk { target } = objective {
        let d = model.diagonal();
        let mut soc = vec![(Vec::new(), target)];
        soc.extend((0..n).map(|j| (vec![(j, -d[j].sqrt())], 0.0)));
        soc.extend((0..t).map(|k| (vec![(v0 + k, -1.0)], 0.0)));
        p.second_order(soc);
    }
    let w = p
        .solve(describe(objective))
        .map_err(|e| name_infeasible(e, constraints))?;
    Ok(performance(w[..n].to_vec(), mu, &cov, risk_free))
}

fn describe(objective: Objective) -> &'static str {
    match objective {
        Objective::MinVolatility => "min volatility",
        Objective::MaxQuadraticUtility { .. } => "max quadratic utility",
        Objective::EfficientReturn { .. } => "efficient return",
        Objective::EfficientRisk { .. } => "efficient risk",
        Objective::MaxSharpe => "max Sharpe",
    }
}

/// The solver cannot say which constraint binds; the message lists the ones in force.
fn name_infeasible(e: OptimError, c: &Constraints) -> OptimError {
    match e {
        OptimError::Infeasible(what) => {
            let mut active = vec![format!("bounds ({}, {})", c.bounds.lower, c.bounds.upper)];
            if c.market_neutral {
                active.push("market neutral".into());
            }
            if let Some(g) = c.max_gross {
                active.push(format!("gross <= {g}"));
            }
            for group in &c.groups {
                active.push(format!(
                    "group {} in ({}, {})",
                    group.name, group.lower, group.upper
                ));
            }
            if let Some(t) = c.max_turnover {
                active.push(format!("turnover <= {t}"));
            }
            OptimError::Infeasible(format!(
                "{what}; constraints in force: {}",
                active.join(", ")
            ))
        }
        other => other,
    }
}

/// Homogenised max Sharpe: `min y' S y` s.t. `(mu - rf)' y = 1`, `sum y = k`, bounds,
/// groups and gross scaled by `k >= 0`; `w = y / k`.
pub(crate) fn max_sharpe(
    mu: &[f64],
    cov: &[f64],
    c: &Constraints,
    risk_free: f64,
) -> Result<Portfolio, OptimError> {
    let n = mu.len();
    if c.market_neutral || c.trades() || c.l2_gamma > 0.0 {
        return Err(OptimError::Invalid(
            "max Sharpe takes bounds, groups and a gross limit only (market neutral, turnover, costs and L2 do not scale with its homogenised form)".into(),
        ));
    }
    if !mu.iter().any(|m| *m > risk_free) {
        return Err(OptimError::Infeasible(format!(
            "no asset's expected return is above the risk-free rate {risk_free}"
        )));
    }
    let k = n;
    let gross = c.max_gross.is_some();
    let mut p = Problem::new(n + 1 + if gross { n } else { 0 });
    let doubled: Vec<f64> = cov.iter().map(|v| 2.0 * v).collect();
    p.quadratic_block(0, n, &doubled);
    let mut sum: Vec<(usize, f64)> = (0..n).map(|j| (j, 1.0)).collect();
    sum.push((k, -1.0));
    p.equal(vec![
        (
            mu.iter()
                .enumerate()
                .map(|(j, m)| (j, m - risk_free))
                .collect(),
            1.0,
        ),
        (sum, 0.0),
    ]);
    let mut rows = Vec::new();
    for j in 0..n {
        rows.push((vec![(j, 1.0), (k, -c.bounds.upper)], 0.0));
        rows.push((vec![(j, -1.0), (k, c.bounds.lower)], 0.0));
    }
    for group in &c.groups {
        let mut up: Vec<(usize, f64)> = group.members.iter().map(|&j| (j, 1.0)).collect();
        up.push((k, -group.upper));
        rows.push((up, 0.0));
        let mut down: Vec<(usize, f64)> = group.members.iter().map(|&j| (j, -1.0)).collect();
        down.push((k, group.lower));
        rows.push((down, 0.0));
    }
    if let Some(limit) = c.max_gross {
        let g0 = n + 1;
        for j in 0..n {
            rows.push((vec![(j, 1.0), (g0 + j, -1.0)], 0.0));
            rows.push((vec![(j, -1.0), (g0 + j, -1.0)], 0.0));
        }
        let mut total: Vec<(usize, f64)> = (0..n).map(|j| (g0 + j, 1.0)).collect();
        total.push((k, -limit));
        rows.push((total, 0.0));
    }
    rows.push((vec![(k, -1.0)], 0.0));
    p.at_most(rows);
    let y = p.solve("max Sharpe").map_err(|e| name_infeasible(e, c))?;
    let scale = y[k];
    if !(scale.is_finite() && scale > 0.0) {
        return Err(OptimError::Solver(format!(
            "max Sharpe: scale k = {scale} is not positive"
        )));
    }
    Ok(performance(
        y[..n].iter().map(|v| v / scale).collect(),
        mu,
        cov,
        risk_free,
    ))
}
