//! Convex portfolio problems the backtester calls: the variance-cap overlay and the
//! alpha-driven mean-variance step. Both express risk as a second-order cone over the
//! risk model's returns matrix (`v = X w`), so the solver never sees a dense covariance.

use crate::conic::Problem;
use crate::error::OptimError;
use crate::risk_model::RiskModel;

fn check_vector(name: &str, v: &[f64], n: usize) -> Result<(), OptimError> {
    if v.len() != n {
        return Err(OptimError::Invalid(format!(
            "{name} has {} entries for {n} assets",
            v.len()
        )));
    }
    if let Some(i) = v.iter().position(|x| !x.is_finite()) {
        return Err(OptimError::Invalid(format!(
            "{name} of asset {i} is not finite ({})",
            v[i]
        )));
    }
    Ok(())
}

/// The holdings closest to `requested` in tracking error, `(w - r)' S (w - r)`, subject
/// to `w' S w <= cap` (and `w >= 0` when `long_only`). Returns `requested` unchanged
/// when it already satisfies the cap.
///
/// Formulation: variables `w` (n) and `v = X (w - r)` (T); minimise
/// `d |w - r|^2 + |v|^2` subject to `(sqrt(cap), sqrt(d) w, v + X r)` in a second-order
/// cone.
pub fn cap_variance(
    requested: &[f64],
    model: &RiskModel,
    cap: f64,
    long_only: bool,
) -> Result<Vec<f64>, OptimError> {
    let n = model.assets();
    check_vector("requested weight", requested, n)?;
    if !(cap.is_finite() && cap > 0.0) {
        return Err(OptimError::Invalid(format!(
            "variance cap must be positive, got {cap}"
        )));
    }
    if model.variance(requested) <= cap {
        return Ok(requested.to_vec());
    }
    let t = model.rows();
    let d = model.diagonal();
    let x = model.factor();
    let mut xr = vec![0.0; t];
    model.apply_factor(requested, &mut xr);
    let mut p = Problem::new(n + t);
    for (j, r) in requested.iter().enumerate() {
        p.quadratic(j, 2.0 * d[j]);
        p.linear(j, -2.0 * d[j] * r);
    }
    for k in 0..t {
        p.quadratic(n + k, 2.0);
    }
    // X w - v = X r
    p.equal(
        (0..t)
            .map(|k| {
                let mut terms: Vec<(usize, f64)> = (0..n).map(|j| (j, x[k * n + j])).collect();
                terms.push((n + k, -1.0));
                (terms, xr[k])
            })
            .collect(),
    );
    // (sqrt(cap), sqrt(d) w, v + X r) in SOC, written as b - A x.
    let mut soc = vec![(Vec::new(), cap.sqrt())];
    soc.extend((0..n).map(|j| (vec![(j, -d[j].sqrt())], 0.0)));
    soc.extend((0..t).map(|k| (vec![(n + k, -1.0)], xr[k])));
    p.second_order(soc);
    if long_only {
        p.at_most((0..n).map(|j| (vec![(j, -1.0)], 0.0)).collect());
    }
    let mut w = p.solve("variance cap")?[..n].to_vec();
    // Feasibility polish: a solver tolerance may leave the variance a hair above the cap;
    // scaling toward zero (the direction of the exact solution here) lands on it.
    let variance = model.variance(&w);
    if variance > cap {
        let k = (cap / variance).sqrt();
        w.iter_mut().for_each(|x| *x *= k);
    }
    Ok(w)
}

/// Settings of the alpha-driven mean-variance step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AlphaSettings {
    /// Risk aversion `lambda` in `alpha' w - lambda / 2 w' S w`.
    pub risk_aversion: f64,
    /// Cost penalty per unit of weight traded (`kappa |w - w0|_1`), e.g. 0.001 for 10 bps.
    pub cost_penalty: f64,
    /// Shorts allowed.
    pub allow_short: bool,
    /// Bound on gross exposure `sum |w|`.
    pub max_gross: f64,
}

/// Target weights from alpha scores: maximise
/// `alpha' w - lambda / 2 w' S w - kappa |w - current|_1` subject to `sum |w| <= max_gross`
/// and `w >= 0` unless shorting is allowed.
pub fn alpha_weights(
    alpha: &[f64],
    current: &[f64],
    model: &RiskModel,
    settings: AlphaSettings,
) -> Result<Vec<f64>, OptimError> {
    let n = model.assets();
    check_vector("alpha", alpha, n)?;
    check_vector("current weight", current, n)?;
    let AlphaSettings {
        risk_aversion,
        cost_penalty,
        allow_short,
        max_gross,
    } = settings;
    if !(risk_aversion.is_finite() && risk_aversion > 0.0) {
        return Err(OptimError::Invalid(format!(
            "risk aversion must be positive, got {risk_aversion}"
        )));
    }
    if !(cost_penalty.is_finite() && cost_penalty >= 0.0) {
        return Err(OptimError::Invalid(format!(
            "cost penalty must be non-negative, got {cost_penalty}"
        )));
    }
    if !(max_gross.is_finite() && max_gross > 0.0) {
        return Err(OptimError::Invalid(format!(
            "gross exposure limit must be positive, got {max_gross}"
        )));
    }
    let t = model.rows();
    let d = model.diagonal();
    let x = model.factor();
    // Variables: w (n), v (t), trade size u (n), gross g (n, with shorts).
    let (w0, v0, u0, g0) = (0, n, n + t, 2 * n + t);
    let total = if allow_short { 3 * n + t } else { 2 * n + t };
    let mut p = Problem::new(total);
    for (j, a) in alpha.iter().enumerate() {
        p.quadratic(w0 + j, risk_aversion * d[j]);
        p.linear(w0 + j, -a);
        p.linear(u0 + j, cost_penalty);
    }
    for k in 0..t {
        p.quadratic(v0 + k, risk_aversion);
    }
    p.equal(
        (0..t)
            .map(|k| {
                let mut terms: Vec<(usize, f64)> = (0..n).map(|j| (w0 + j, x[k * n + j])).collect();
                terms.push((v0 + k, -1.0));
                (terms, 0.0)
            })
            .collect(),
    );
    let mut rows = Vec::new();
    for (j, c) in current.iter().enumerate() {
        rows.push((vec![(w0 + j, 1.0), (u0 + j, -1.0)], *c));
        rows.push((vec![(w0 + j, -1.0), (u0 + j, -1.0)], -c));
    }
    if allow_short {
        for j in 0..n {
            rows.push((vec![(w0 + j, 1.0), (g0 + j, -1.0)], 0.0));
            rows.push((vec![(w0 + j, -1.0), (g0 + j, -1.0)], 0.0));
        }
        rows.push(((0..n).map(|j| (g0 + j, 1.0)).collect(), max_gross));
    } else {
        for j in 0..n {
            rows.push((vec![(w0 + j, -1.0)], 0.0));
        }
        rows.push(((0..n).map(|j| (w0 + j, 1.0)).collect(), max_gross));
    }
    p.at_most(rows);
    let solution = p.solve("alpha mean-variance")?;
    Ok(solution[w0..w0 + n].to_vec())
}
