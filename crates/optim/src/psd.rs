//! Positive semi-definiteness: a check (Cholesky of `S + 1e-16 I`, PyPortfolioOpt's) and
//! the two repairs PyPortfolioOpt offers, applied only when asked for and reported:
//! `spectral` sets negative eigenvalues to zero and rebuilds `V diag(q) V'`; `diagonal`
//! adds `-1.1 min(q)` to the diagonal.

use faer::{Mat, Side};
use serde::{Deserialize, Serialize};

use crate::error::OptimError;

/// How to repair a covariance that is not positive semi-definite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Repair {
    /// Negative eigenvalues to zero.
    Spectral,
    /// Shift the diagonal by 1.1 times the most negative eigenvalue.
    Diagonal,
}

/// What a repair did.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RepairReport {
    /// The method.
    pub method: Repair,
    /// The smallest eigenvalue before the repair.
    pub min_eigenvalue: f64,
    /// Eigenvalues below zero before the repair.
    pub negative_eigenvalues: usize,
}

fn matrix(cov: &[f64], n: usize) -> Mat<f64> {
    Mat::<f64>::from_fn(n, n, |i, j| cov[i * n + j])
}

/// True when `cov + 1e-16 I` has a Cholesky factor.
pub fn is_psd(cov: &[f64], n: usize) -> bool {
    let mut m = matrix(cov, n);
    for i in 0..n {
        m[(i, i)] += 1e-16;
    }
    m.llt(Side::Lower).is_ok()
}

/// Eigenvalues (ascending) and eigenvectors (columns) of the symmetric `cov`.
pub(crate) fn eigen(cov: &[f64], n: usize) -> Result<(Vec<f64>, Mat<f64>), OptimError> {
    let evd = matrix(cov, n)
        .self_adjoint_eigen(Side::Lower)
        .map_err(|e| OptimError::Numerical(format!("eigendecomposition failed: {e:?}")))?;
    let s = evd.S().column_vector();
    Ok(((0..n).map(|i| s[i]).collect(), evd.U().to_owned()))
}

/// Repairs `cov` (row-major `n x n`) in place when it is not positive semi-definite;
/// `None` when it already was.
pub fn repair(
    cov: &mut [f64],
    n: usize,
    method: Repair,
) -> Result<Option<RepairReport>, OptimError> {
    if is_psd(cov, n) {
        return Ok(None);
    }
    let (q, v) = eigen(cov, n)?;
    let min = q.iter().cloned().fold(f64::INFINITY, f64::min);
    let report = RepairReport {
        method,
        min_eigenvalue: min,
        negative_eigenvalues: q.iter().filter(|x| **x < 0.0).count(),
    };
    match method {
        Repair::Spectral => {
            for i in 0..n {
                for j in 0..n {
                    cov[i * n + j] = (0..n)
                        .filter(|&k| q[k] > 0.0)
                        .map(|k| v[(i, k)] * q[k] * v[(j, k)])
                        .sum();
                }
            }
        }
        Repair::Diagonal => {
            for i in 0..n {
                cov[i * n + i] -= 1.1 * min;
            }
        }
    }
    Ok(Some(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An indefinite "correlation" (pairwise estimates can give these).
    const BAD: [f64; 9] = [1.0, 0.9, -0.9, 0.9, 1.0, 0.9, -0.9, 0.9, 1.0];

    #[test]
    fn repairs_make_the_matrix_psd_and_report() {
        assert!(!is_psd(&BAD, 3));
        for method in [Repair::Spectral, Repair::Diagonal] {
            let mut m = BAD;
            let report = repair(&mut m, 3, method).unwrap().unwrap();
            assert!(report.min_eigenvalue < 0.0 && report.negative_eigenvalues == 1);
            // Spectral leaves a zero eigenvalue (rounding may put it a hair below zero,
            // as in PyPortfolioOpt); the diagonal shift leaves a margin.
            let (q, _) = eigen(&m, 3).unwrap();
            assert!(q[0] > -1e-12, "{method:?}");
            if method == Repair::Diagonal {
                assert!(is_psd(&m, 3));
            }
        }
        // Eigenvalues of BAD: 1 - 0.9 - 0.9 ... the spectral repair keeps the others.
        let (q, _) = eigen(&BAD, 3).unwrap();
        let mut m = BAD;
        repair(&mut m, 3, Repair::Spectral).unwrap();
        let (r, _) = eigen(&m, 3).unwrap();
        assert!((q[1] - r[1]).abs() < 1e-12 && (q[2] - r[2]).abs() < 1e-12);
        let mut good = [2.0, 0.5, 0.5, 1.0];
        assert_eq!(repair(&mut good, 2, Repair::Spectral).unwrap(), None);
    }
}
