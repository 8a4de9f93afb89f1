//! A covariance kept in factored form, `S = X'X + d I`, built from a window of returns.
//!
//! Keeping the (scaled, centred) returns matrix `X` instead of the dense `n x n` matrix
//! lets the solvers express risk as a second-order cone over `X w` (sparse in the
//! window length) and makes `w' S w` cost `O(T n)`.
//!
//! | estimator | `X` | `d` |
//! |---|---|---|
//! | sample (ddof 1) | `sqrt(a / (T - 1)) (R - mean)` | 0 |
//! | Ledoit-Wolf (scikit-learn's `ledoit_wolf`, shrinkage toward `mu I`) | `sqrt(a (1 - s) / T) (R - mean)` | `a s mu` |
//!
//! `a` is the annualisation factor (252 for daily returns), `T` the window length,
//! `mu = trace(S_mle) / n` and `s` the shrinkage intensity.

use serde::Serialize;

use crate::error::OptimError;

/// Which covariance estimator to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Estimator {
    /// Sample covariance, ddof 1.
    Sample,
    /// Ledoit-Wolf shrinkage toward a scaled identity (scikit-learn convention).
    LedoitWolf,
}

/// `S = X'X + d I` with `X` stored row-major (`rows x n`).
#[derive(Clone, Debug, PartialEq)]
pub struct RiskModel {
    x: Vec<f64>,
    rows: usize,
    n: usize,
    diagonal: f64,
    shrinkage: f64,
}

impl RiskModel {
    /// Estimates from `returns`, a row-major `rows x n` window (one row per period),
    /// annualised by `annualisation`. Every value must be finite.
    pub fn estimate(
        returns: &[f64],
        n: usize,
        estimator: Estimator,
        annualisation: f64,
    ) -> Result<RiskModel, OptimError> {
        if n == 0 || !returns.len().is_multiple_of(n) {
            return Err(OptimError::Invalid(format!(
                "returns window of {} values is not a whole number of rows of {n} assets",
                returns.len()
            )));
        }
        let rows = returns.len() / n;
        if rows < 2 {
            return Err(OptimError::Invalid(format!(
                "a covariance needs at least 2 return rows, got {rows}"
            )));
        }
        if let Some(k) = returns.iter().position(|r| !r.is_finite()) {
            return Err(OptimError::Invalid(format!(
                "return of asset {} in window row {} is not finite",
                k % n,
                k / n
            )));
        }
        if !(annualisation.is_finite() && annualisation > 0.0) {
            return Err(OptimError::Invalid(format!(
                "annualisation must be positive, got {annualisation}"
            )));
        }
        let mut mean = vec![0.0; n];
        for row in returns.chunks_exact(n) {
            for (m, r) in mean.iter_mut().zip(row) {
                *m += r;
            }
        }
        mean.iter_mut().for_each(|m| *m /= rows as f64);
        let mut x: Vec<f64> = returns
            .chunks_exact(n)
            .flat_map(|row| row.iter().zip(&mean).map(|(r, m)| r - m))
            .collect();
        let (scale, diagonal, shrinkage) = match estimator {
            Estimator::Sample => (annualisation / (rows as f64 - 1.0), 0.0, 0.0),
            Estimator::LedoitWolf => {
                let (s, mu) = ledoit_wolf_shrinkage(&x, rows, n);
                (
                    annualisation * (1.0 - s) / rows as f64,
                    annualisation * s * mu,
                    s,
                )
            }
        };
        let root = scale.sqrt();
        x.iter_mut().for_each(|v| *v *= root);
        Ok(RiskModel {
            x,
            rows,
            n,
            diagonal,
            shrinkage,
        })
    }

    /// Number of assets.
    pub fn assets(&self) -> usize {
        self.n
    }

    /// Rows of the factor matrix `X`.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The factor matrix `X`, row-major.
    pub fn factor(&self) -> &[f64] {
        &self.x
    }

    /// The identity weight `d`.
    pub fn diagonal(&self) -> f64 {
        self.diagonal
    }

    /// The shrinkage intensity used (0 for the sample estimator).
    pub fn shrinkage(&self) -> f64 {
        self.shrinkage
    }

    /// `X w` into `out` (length `rows`).
    pub fn apply_factor(&self, w: &[f64], out: &mut [f64]) {
        for (o, row) in out.iter_mut().zip(self.x.chunks_exact(self.n)) {
            *o = row.iter().zip(w).map(|(a, b)| a * b).sum();
        }
    }

    /// `w' S w`.
    pub fn variance(&self, w: &[f64]) -> f64 {
        let factor: f64 = self
            .x
            .chunks_exact(self.n)
            .map(|row| {
                let v: f64 = row.iter().zip(w).map(|(a, b)| a * b).sum();
                v * v
            })
            .sum();
        factor + self.diagonal * w.iter().map(|v| v * v).sum::<f64>()
    }

    /// `S w`.
    pub fn multiply(&self, w: &[f64]) -> Vec<f64> {
        let mut out: Vec<f64> = w.iter().map(|v| self.diagonal * v).collect();
        for row in self.x.chunks_exact(self.n) {
            let v: f64 = row.iter().zip(w).map(|(a, b)| a * b).sum();
            for (o, a) in out.iter_mut().zip(row) {
                *o += a * v;
            }
        }
        out
    }

    /// The dense `n x n` matrix, row-major.
    pub fn dense(&self) -> Vec<f64> {
        let n = self.n;
        let mut out = vec![0.0; n * n];
        for row in self.x.chunks_exact(n) {
            for i in 0..n {
                for j in 0..n {
                    out[i * n + j] += row[i] * row[j];
                }
            }
        }
        for i in 0..n {
            out[i * n + i] += self.diagonal;
        }
        out
    }
}

/// scikit-learn's `ledoit_wolf_shrinkage` on centred `x` (`rows x n`): returns the
/// intensity and `mu = trace(S_mle) / n`.
fn ledoit_wolf_shrinkage(x: &[f64], rows: usize, n: usize) -> (f64, f64) {
    let t = rows as f64;
    let p = n as f64;
    let mut trace_terms = vec![0.0; n];
    // beta_ = sum_ij sum_t x_ti^2 x_tj^2 = sum_t (sum_i x_ti^2)^2
    let mut beta_sum = 0.0;
    for row in x.chunks_exact(n) {
        let mut s = 0.0;
        for (acc, v) in trace_terms.iter_mut().zip(row) {
            let sq = v * v;
            *acc += sq;
            s += sq;
        }
        beta_sum += s * s;
    }
    let trace_sum: f64 = trace_terms.iter().sum::<f64>() / t;
    let mu = trace_sum / p;
    // delta_ = ||X'X||_F^2 / T^2 = ||X X'||_F^2 / T^2; use the smaller Gram matrix.
    let frob = if rows <= n {
        let mut f = 0.0;
        for a in 0..rows {
            let ra = &x[a * n..(a + 1) * n];
            for b in 0..rows {
                let rb = &x[b * n..(b + 1) * n];
                let g: f64 = ra.iter().zip(rb).map(|(u, v)| u * v).sum();
                f += g * g;
            }
        }
        f
    } else {
        let mut f = 0.0;
        for i in 0..n {
            for j in 0..n {
                let g: f64 = x.chunks_exact(n).map(|r| r[i] * r[j]).sum();
                f += g * g;
            }
        }
        f
    };
    let delta_sum = frob / (t * t);
    let beta = (beta_sum / t - delta_sum) / (p * t);
    let delta = (delta_sum - 2.0 * mu * trace_sum + p * mu * mu) / p;
    let beta = beta.min(delta);
    let s = if beta == 0.0 { 0.0 } else { beta / delta };
    (s, mu)
}
