//! Risk budgeting: weights whose risk contributions `w_i (S w)_i / (w' S w)` equal given
//! budgets (equal risk contribution when every budget is `1 / n`).
//!
//! Solved on the strictly convex `min 1/2 x' S x - sum b_i ln x_i` (Spinu, 2013), whose
//! minimiser normalised to sum to one is the unique long-only risk-budgeting portfolio:
//! Newton steps with a Cholesky factor of `S + diag(b / x^2)` (faer) and a backtracking
//! line search that keeps `x` positive, until every `x_i (S x)_i` equals `b_i` to
//! rounding; cyclical coordinate descent (Griveau-Billion, Richard and Roncalli, 2013)
//! takes over if Newton stalls.

use crate::error::OptimError;
use crate::mean_variance::{check_inputs, performance, require_positive_variances, Portfolio};

/// Largest number of coordinate sweeps before the solve reports numerical trouble.
const MAX_SWEEPS: usize = 10_000;

/// Long-only weights whose risk contributions are proportional to `budgets` (positive,
/// normalised here); `None` means equal risk contribution.
pub fn risk_parity(
    mu: &[f64],
    cov: &[f64],
    budgets: Option<&[f64]>,
    risk_free: f64,
) -> Result<Portfolio, OptimError> {
    let n = check_inputs(mu, cov)?;
    let budgets = normalised_budgets(budgets, n)?;
    require_positive_variances(cov, n, "risk parity needs every asset to carry risk")?;
    let mut x: Vec<f64> = (0..n).map(|i| 1.0 / cov[i * n + i].sqrt()).collect();
    // At the optimum x' S x = sum b = 1: start on that scale.
    let scale = 1.0 / quadratic(cov, &x).sqrt();
    x.iter_mut().for_each(|v| *v *= scale);
    // Newton brings x close (quadratic convergence); coordinate descent polishes the last
    // digits in a few sweeps, or does all the work if Newton could not.
    let polished = newton(cov, &budgets, &mut x);
    if !polished {
        x = (0..n).map(|i| scale / cov[i * n + i].sqrt()).collect();
    }
    // After Newton a few sweeps settle the last bits; rounding can keep the relative
    // step just above 1e-15, so they are capped.
    let sweeps = if polished { 20 } else { MAX_SWEEPS };
    let mut sx: Vec<f64> = (0..n)
        .map(|i| (0..n).map(|j| cov[i * n + j] * x[j]).sum())
        .collect();
    for sweep in 0..sweeps {
        let mut largest_change: f64 = 0.0;
        for i in 0..n {
            let row = &cov[i * n..(i + 1) * n];
            let others = sx[i] - row[i] * x[i];
            let updated =
                (-others + (others * others + 4.0 * row[i] * budgets[i]).sqrt()) / (2.0 * row[i]);
            let step = updated - x[i];
            if step != 0.0 {
                for (s, c) in sx.iter_mut().zip(row) {
                    *s += c * step;
                }
                largest_change = largest_change.max((step / updated).abs());
                x[i] = updated;
            }
        }
        if largest_change < 1e-15 || (polished && sweep + 1 == sweeps) {
            let total: f64 = x.iter().sum();
            return Ok(performance(
                x.iter().map(|v| v / total).collect(),
                mu,
                cov,
                risk_free,
            ));
        }
    }
    Err(OptimError::Solver(format!(
        "risk parity did not converge in {MAX_SWEEPS} sweeps (is the covariance positive definite?)"
    )))
}

fn quadratic(cov: &[f64], x: &[f64]) -> f64 {
    let n = x.len();
    (0..n)
        .map(|i| x[i] * (0..n).map(|j| cov[i * n + j] * x[j]).sum::<f64>())
        .sum()
}

/// `1/2 x' S x - sum b ln x`.
fn objective(cov: &[f64], b: &[f64], x: &[f64]) -> f64 {
    0.5 * quadratic(cov, x) - b.iter().zip(x).map(|(b, x)| b * x.ln()).sum::<f64>()
}

/// The largest `|x_i (S x)_i - b_i|`.
fn budget_error(cov: &[f64], b: &[f64], x: &[f64]) -> f64 {
    let n = x.len();
    (0..n)
        .map(|i| (x[i] * (0..n).map(|j| cov[i * n + j] * x[j]).sum::<f64>() - b[i]).abs())
        .fold(0.0, f64::max)
}

/// Damped Newton on the log-barrier objective, until every risk contribution
/// `x_i (S x)_i` is within 1e-10 of its budget; false if it cannot get there.
fn newton(cov: &[f64], b: &[f64], x: &mut [f64]) -> bool {
    use faer::linalg::solvers::Solve;
    let n = x.len();
    let mut trial = vec![0.0; n];
    for _ in 0..100 {
        let sx: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|j| cov[i * n + j] * x[j]).sum())
            .collect();
        let worst = budget_error(cov, b, x);
        if worst <= 1e-10 {
            return true;
        }
        let hessian = faer::Mat::<f64>::from_fn(n, n, |i, j| {
            cov[i * n + j] + if i == j { b[i] / (x[i] * x[i]) } else { 0.0 }
        });
        let Ok(llt) = hessian.llt(faer::Side::Lower) else {
            return false;
        };
        let gradient = faer::Mat::<f64>::from_fn(n, 1, |i, _| sx[i] - b[i] / x[i]);
        let step = llt.solve(&gradient);
        let f0 = objective(cov, b, x);
        let slope: f64 = (0..n).map(|i| -gradient[(i, 0)] * step[(i, 0)]).sum();
        let mut t = 1.0;
        loop {
            for i in 0..n {
                trial[i] = x[i] - t * step[(i, 0)];
            }
            if trial.iter().all(|v| *v > 0.0) && objective(cov, b, &trial) <= f0 + 1e-4 * t * slope
            {
                break;
            }
            t *= 0.5;
            if t < 1e-12 {
                return false;
            }
        }
        x.copy_from_slice(&trial);
    }
    false
}

fn normalised_budgets(budgets: Option<&[f64]>, n: usize) -> Result<Vec<f64>, OptimError> {
    let Some(budgets) = budgets else {
        return Ok(vec![1.0 / n as f64; n]);
    };
    if budgets.len() != n {
        return Err(OptimError::Invalid(format!(
            "{} risk budgets for {n} assets",
            budgets.len()
        )));
    }
    if let Some(i) = budgets.iter().position(|b| !(b.is_finite() && *b > 0.0)) {
        return Err(OptimError::Invalid(format!(
            "risk budget of asset {i} is {} (must be positive)",
            budgets[i]
        )));
    }
    let total: f64 = budgets.iter().sum();
    Ok(budgets.iter().map(|b| b / total).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_assets_hold_inverse_volatility_at_any_correlation() {
        // Closed form: with two assets, equal risk contribution is w_i ∝ 1 / sigma_i.
        let (s1, s2, rho) = (0.1f64, 0.3f64, 0.4f64);
        let cov = [s1 * s1, rho * s1 * s2, rho * s1 * s2, s2 * s2];
        let p = risk_parity(&[0.0, 0.0], &cov, None, 0.0).unwrap();
        assert!((p.weights[0] - 0.75).abs() < 1e-15);
        assert!((p.risk_contributions[0] - p.risk_contributions[1]).abs() < 1e-15);
    }

    #[test]
    fn budgets_are_met() {
        let cov = [0.04, 0.006, 0.002, 0.006, 0.09, 0.01, 0.002, 0.01, 0.0225];
        let budgets = [0.5, 0.3, 0.2];
        let p = risk_parity(&[0.0; 3], &cov, Some(&budgets), 0.0).unwrap();
        for (rc, b) in p.risk_contributions.iter().zip(budgets) {
            assert!((rc / p.volatility - b).abs() < 1e-13, "{rc} {b}");
        }
    }

    #[test]
    fn bad_budgets_are_errors() {
        let cov = [1.0, 0.0, 0.0, 1.0];
        assert!(risk_parity(&[0.0; 2], &cov, Some(&[1.0]), 0.0).is_err());
        assert!(risk_parity(&[0.0; 2], &cov, Some(&[1.0, -1.0]), 0.0).is_err());
        assert!(risk_parity(&[0.0; 2], &[1.0, 0.0, 0.0, 0.0], None, 0.0).is_err());
    }
}
