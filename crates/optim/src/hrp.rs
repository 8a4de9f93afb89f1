//! Hierarchical risk parity (López de Prado, 2016) as PyPortfolioOpt's `HRPOpt` computes
//! it: correlation distance `sqrt(clip((1 - rho) / 2, 0, 1))`, SciPy linkage, assets in
//! the dendrogram's leaf order, then recursive bisection of that ordered list, each half
//! weighted by `1 - var_half / (var_left + var_right)` with inverse-variance weights
//! inside each half.

use crate::error::OptimError;
use crate::hierarchy::{leaf_order, linkage, Linkage};
use crate::mean_variance::{check_inputs, performance, require_positive_variances, Portfolio};

/// HRP weights from a dense covariance (correlations derived from it).
pub fn hrp(
    mu: &[f64],
    cov: &[f64],
    method: Linkage,
    risk_free: f64,
) -> Result<Portfolio, OptimError> {
    hrp_with_correlation(mu, cov, None, method, risk_free)
}

/// HRP with the correlation given separately (pairwise estimates, where it is not
/// `cov_ij / sqrt(cov_ii cov_jj)`); `None` derives it from `cov`.
pub fn hrp_with_correlation(
    mu: &[f64],
    cov: &[f64],
    corr: Option<&[f64]>,
    method: Linkage,
    risk_free: f64,
) -> Result<Portfolio, OptimError> {
    let n = check_inputs(mu, cov)?;
    if corr.is_some_and(|c| c.len() != n * n || c.iter().any(|v| !v.is_finite())) {
        return Err(OptimError::Invalid(format!(
            "the correlation must be {n} x {n} finite values"
        )));
    }
    require_positive_variances(cov, n, "HRP needs a correlation for every asset")?;
    if n == 1 {
        return Ok(performance(vec![1.0], mu, cov, risk_free));
    }
    let distances: Vec<f64> = (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .map(|(i, j)| {
            let rho = match corr {
                Some(c) => c[i * n + j],
                None => cov[i * n + j] / (cov[i * n + i] * cov[j * n + j]).sqrt(),
            };
            ((1.0 - rho) / 2.0).clamp(0.0, 1.0).sqrt()
        })
        .collect();
    let order = leaf_order(&linkage(&distances, n, method)?, n);
    let mut weights = vec![1.0; n];
    let mut clusters: Vec<&[usize]> = vec![&order];
    while !clusters.is_empty() {
        let halves: Vec<&[usize]> = clusters
            .iter()
            .filter(|c| c.len() > 1)
            .flat_map(|c| {
                let (a, b) = c.split_at(c.len() / 2);
                [a, b]
            })
            .collect();
        for pair in halves.chunks_exact(2) {
            let (first, second) = (
                cluster_variance(cov, n, pair[0]),
                cluster_variance(cov, n, pair[1]),
            );
            let alpha = 1.0 - first / (first + second);
            pair[0].iter().for_each(|&i| weights[i] *= alpha);
            pair[1].iter().for_each(|&i| weights[i] *= 1.0 - alpha);
        }
        clusters = halves;
    }
    Ok(performance(weights, mu, cov, risk_free))
}

/// Variance of the inverse-variance portfolio of `members`.
fn cluster_variance(cov: &[f64], n: usize, members: &[usize]) -> f64 {
    let inverse: Vec<f64> = members.iter().map(|&i| 1.0 / cov[i * n + i]).collect();
    let total: f64 = inverse.iter().sum();
    members
        .iter()
        .zip(&inverse)
        .map(|(&i, wi)| {
            let row: f64 = members
                .iter()
                .zip(&inverse)
                .map(|(&j, wj)| cov[i * n + j] * wj)
                .sum();
            wi * row
        })
        .sum::<f64>()
        / (total * total)
}
