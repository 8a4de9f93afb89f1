//! A covariance kept in factored form, `S = X'X + diag(d)`, built from a window of returns.
//!
//! Keeping the (scaled, centred) returns matrix `X` instead of the dense `n x n` matrix
//! lets the solvers express risk as a second-order cone over `X w` (sparse in the
//! window length) and makes `w' S w` cost `O(T n)`.
//!
//! | estimator | `X` | `d` |
//! |---|---|---|
//! | sample (ddof 1) | `sqrt(a / (T - 1)) (R - mean)` | 0 |
//! | Ledoit-Wolf (scikit-learn's `ledoit_wolf`, shrinkage toward `mu I`) | `sqrt(a (1 - s) / T) (R - mean)` | `a s mu` |
//! | oracle approximating (scikit-learn's `oas`) | `sqrt(a (1 - s) / T) (R - mean)` | `a s mu` |
//! | exponentially weighted (PyPortfolioOpt's `exp_cov`: pandas `ewm(span).mean()` of the products of full-sample-centred returns) | `sqrt(a w_t / sum w) (R_t - mean)`, `w_t = (1 - 2 / (span + 1))^(T - 1 - t)` | 0 |
//! | semicovariance (PyPortfolioOpt: returns below `benchmark`) | `sqrt(a / T) min(R - benchmark, 0)` | 0 |
//! | Ledoit-Wolf toward a single-factor target (PyPortfolioOpt, Ledoit and Wolf 2001; biased sample) | `sqrt(a (1 - s) / T) (R - mean)` plus the row `sqrt(a s / var_m) beta` | `a s (S_ii - beta_i^2 / var_m)` |
//! | Ledoit-Wolf toward constant correlation (PyPortfolioOpt, Ledoit and Wolf 2003; ddof 1 sample) | `sqrt(a (1 - s) / (T - 1)) (R - mean)` plus the row `sqrt(a s r) sigma` | `a s (1 - r) sigma_i^2` |
//!
//! `a` is the annualisation factor (252 for daily returns), `T` the window length,
//! `mu = trace(S_mle) / n`, `s` the shrinkage intensity, `beta` and `var_m` the betas to
//! and variance of the equal-weighted market, `r` the average correlation.

use serde::Serialize;

use crate::error::OptimError;

/// Which covariance estimator to use.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Estimator {
    /// Sample covariance, ddof 1.
    Sample,
    /// Ledoit-Wolf shrinkage toward a scaled identity (scikit-learn convention).
    LedoitWolf,
    /// Oracle approximating shrinkage toward a scaled identity (scikit-learn's `oas`).
    OracleApproximating,
    /// Ledoit-Wolf shrinkage toward the single-factor (equal-weighted market) model.
    LedoitWolfSingleFactor,
    /// Ledoit-Wolf shrinkage toward constant correlation.
    LedoitWolfConstantCorrelation,
    /// Exponentially weighted covariance with this span.
    Exponential {
        /// Span in periods.
        span: f64,
    },
    /// Covariance of returns below a benchmark return per period.
    Semicovariance {
        /// Per-period benchmark (PyPortfolioOpt's default is 0.000079).
        benchmark: f64,
    },
}

/// `S = X'X + diag(d)` with `X` stored row-major (`rows x n`).
#[derive(Clone, Debug, PartialEq)]
pub struct RiskModel {
    x: Vec<f64>,
    rows: usize,
    n: usize,
    diagonal: Vec<f64>,
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
        let centred: Vec<f64> = returns
            .chunks_exact(n)
            .flat_map(|row| row.iter().zip(&mean).map(|(r, m)| r - m))
            .collect();
        let t = rows as f64;
        let a = annualisation;
        let model = |x: Vec<f64>, scale: f64, diagonal: Vec<f64>, shrinkage: f64| {
            let root = scale.sqrt();
            let x: Vec<f64> = x.into_iter().map(|v| v * root).collect();
            RiskModel {
                rows: x.len() / n,
                x,
                n,
                diagonal,
                shrinkage,
            }
        };
        Ok(match estimator {
            Estimator::Sample => model(centred, a / (t - 1.0), vec![0.0; n], 0.0),
            Estimator::LedoitWolf => {
                let (s, mu) = ledoit_wolf_shrinkage(&centred, rows, n);
                model(centred, a * (1.0 - s) / t, vec![a * s * mu; n], s)
            }
            Estimator::OracleApproximating => {
                let (s, mu) = oas_shrinkage(&centred, rows, n);
                model(centred, a * (1.0 - s) / t, vec![a * s * mu; n], s)
            }
            Estimator::Exponential { span } => {
                if !(span.is_finite() && span >= 1.0) {
                    return Err(OptimError::Invalid(format!(
                        "exponential covariance span must be at least 1, got {span}"
                    )));
                }
                let decay = 1.0 - 2.0 / (span + 1.0);
                let weights: Vec<f64> = (0..rows)
                    .map(|k| decay.powi((rows - 1 - k) as i32))
                    .collect();
                let total: f64 = weights.iter().sum();
                let x: Vec<f64> = centred
                    .chunks_exact(n)
                    .zip(&weights)
                    .flat_map(|(row, w)| {
                        let root = (w / total).sqrt();
                        row.iter().map(move |v| v * root)
                    })
                    .collect();
                model(x, a, vec![0.0; n], 0.0)
            }
            Estimator::Semicovariance { benchmark } => {
                if !benchmark.is_finite() {
                    return Err(OptimError::Invalid(
                        "semicovariance benchmark must be finite".into(),
                    ));
                }
                let drops: Vec<f64> = returns.iter().map(|r| (r - benchmark).min(0.0)).collect();
                model(drops, a / t, vec![0.0; n], 0.0)
            }
            Estimator::LedoitWolfSingleFactor => {
                let (s, beta, var_m, sample_diag) = single_factor_shrinkage(&centred, rows, n);
                let mut x = centred;
                let root = (s / var_m / ((1.0 - s) / t)).sqrt();
                if s > 0.0 && s < 1.0 {
                    x.extend(beta.iter().map(|b| b * root));
                }
                let diagonal = (0..n)
                    .map(|i| a * s * (sample_diag[i] - beta[i] * beta[i] / var_m).max(0.0))
                    .collect();
                if s >= 1.0 {
                    let x: Vec<f64> = beta.iter().map(|b| b * (a / var_m).sqrt()).collect();
                    return Ok(RiskModel {
                        x,
                        rows: 1,
                        n,
                        diagonal,
                        shrinkage: s,
                    });
                }
                model(x, a * (1.0 - s) / t, diagonal, s)
            }
            Estimator::LedoitWolfConstantCorrelation => {
                let (s, r_bar, sigma) = constant_correlation_shrinkage(&centred, rows, n);
                if s > 0.0 && r_bar < 0.0 {
                    return Err(OptimError::Invalid(format!(
                        "the constant-correlation target has a negative average correlation ({r_bar:.4}); choose another estimator"
                    )));
                }
                let diagonal = sigma
                    .iter()
                    .map(|v| a * s * (1.0 - r_bar) * v * v)
                    .collect();
                let mut x = centred;
                if s > 0.0 && s < 1.0 {
                    let root = (s * r_bar / ((1.0 - s) / (t - 1.0))).sqrt();
                    x.extend(sigma.iter().map(|v| v * root));
                }
                if s >= 1.0 {
                    let x: Vec<f64> = sigma.iter().map(|v| v * (a * r_bar).sqrt()).collect();
                    return Ok(RiskModel {
                        x,
                        rows: 1,
                        n,
                        diagonal,
                        shrinkage: s,
                    });
                }
                model(x, a * (1.0 - s) / (t - 1.0), diagonal, s)
            }
        })
    }

    /// The factored form of a dense positive semi-definite covariance (a pairwise or
    /// repaired estimate): `X` rows `sqrt(q_k) v_k'` over its positive eigenpairs.
    /// Errors when an eigenvalue is clearly negative (repair first, see [`crate::psd`]).
    pub fn from_dense(cov: &[f64], n: usize) -> Result<RiskModel, OptimError> {
        if n == 0 || cov.len() != n * n || cov.iter().any(|c| !c.is_finite()) {
            return Err(OptimError::Invalid(format!(
                "a covariance of {} finite values is not {n} x {n}",
                cov.len()
            )));
        }
        let (q, v) = crate::psd::eigen(cov, n)?;
        let largest = q.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        if let Some(min) = q.first().filter(|m| **m < -1e-12 * largest.max(1e-300)) {
            return Err(OptimError::Invalid(format!(
                "covariance is not positive semi-definite (smallest eigenvalue {min:e}); ask for a repair (spectral or diagonal)"
            )));
        }
        let mut x = Vec::new();
        for (k, value) in q.iter().enumerate() {
            if *value > 0.0 {
                let root = value.sqrt();
                x.extend((0..n).map(|i| root * v[(i, k)]));
            }
        }
        Ok(RiskModel {
            rows: x.len() / n,
            x,
            n,
            diagonal: vec![0.0; n],
            shrinkage: 0.0,
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

    /// The diagonal term `d` per asset.
    pub fn diagonal(&self) -> &[f64] {
        &self.diagonal
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
        factor
            + self
                .diagonal
                .iter()
                .zip(w)
                .map(|(d, v)| d * v * v)
                .sum::<f64>()
    }

    /// `S w`.
    pub fn multiply(&self, w: &[f64]) -> Vec<f64> {
        let mut out: Vec<f64> = w.iter().zip(&self.diagonal).map(|(v, d)| d * v).collect();
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
        let mut out = cross(&self.x, &self.x, n);
        for (i, d) in self.diagonal.iter().enumerate() {
            out[i * n + i] += d;
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

/// `A' B` of two row-major `rows x n` matrices, as a row-major `n x n` matrix (faer's
/// blocked product).
fn cross(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    let rows = a.len() / n;
    let a = faer::MatRef::from_row_major_slice(a, rows, n);
    let b = faer::MatRef::from_row_major_slice(b, rows, n);
    let product = a.transpose() * b;
    (0..n * n).map(|k| product[(k / n, k % n)]).collect()
}

/// scikit-learn's `oas` intensity on centred `x`, and `mu = trace(S_mle) / n`.
fn oas_shrinkage(x: &[f64], rows: usize, n: usize) -> (f64, f64) {
    let t = rows as f64;
    let p = n as f64;
    let gram = cross(x, x, n);
    let mu = (0..n).map(|i| gram[i * n + i]).sum::<f64>() / t / p;
    let alpha = gram.iter().map(|g| (g / t) * (g / t)).sum::<f64>() / (p * p);
    let num = alpha + mu * mu;
    let den = (t + 1.0) * (alpha - mu * mu / p);
    let s = if den == 0.0 {
        1.0
    } else {
        (num / den).min(1.0)
    };
    (s, mu)
}

/// PyPortfolioOpt's single-factor Ledoit-Wolf on centred `x`: the intensity, the betas
/// to the equal-weighted market, its variance and the biased sample variances.
fn single_factor_shrinkage(x: &[f64], rows: usize, n: usize) -> (f64, Vec<f64>, f64, Vec<f64>) {
    let t = rows as f64;
    let market: Vec<f64> = x
        .chunks_exact(n)
        .map(|r| r.iter().sum::<f64>() / n as f64)
        .collect();
    let sample: Vec<f64> = cross(x, x, n).into_iter().map(|v| v / t).collect();
    let beta: Vec<f64> = (0..n)
        .map(|i| {
            x.chunks_exact(n)
                .zip(&market)
                .map(|(r, m)| r[i] * m)
                .sum::<f64>()
                / t
        })
        .collect();
    let var_m = market.iter().map(|m| m * m).sum::<f64>() / t;
    let target = |i: usize, j: usize| {
        if i == j {
            sample[i * n + i]
        } else {
            beta[i] * beta[j] / var_m
        }
    };
    let c: f64 = (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .map(|(i, j)| (sample[i * n + j] - target(i, j)).powi(2))
        .sum();
    let y: Vec<f64> = x.iter().map(|v| v * v).collect();
    let yy = cross(&y, &y, n);
    let p = yy.iter().sum::<f64>() / t - sample.iter().map(|s| s * s).sum::<f64>();
    let rdiag = y.iter().map(|v| v * v).sum::<f64>() / t
        - (0..n).map(|i| sample[i * n + i].powi(2)).sum::<f64>();
    let z: Vec<f64> = x
        .chunks_exact(n)
        .zip(&market)
        .flat_map(|(r, m)| r.iter().map(move |v| v * m))
        .collect();
    let yz = cross(&y, &z, n);
    let zz = cross(&z, &z, n);
    let (mut roff1, mut roff3) = (0.0, 0.0);
    for i in 0..n {
        for j in 0..n {
            let v1 = yz[i * n + j] / t - beta[i] * sample[i * n + j];
            let v3 = zz[i * n + j] / t - var_m * sample[i * n + j];
            if i != j {
                roff1 += v1 * beta[j];
                roff3 += v3 * beta[i] * beta[j];
            }
        }
    }
    let roff = 2.0 * roff1 / var_m - roff3 / (var_m * var_m);
    let r = rdiag + roff;
    let k = (p - r) / c;
    let s = (k / t).clamp(0.0, 1.0);
    let diag = (0..n).map(|i| sample[i * n + i]).collect();
    (if s.is_nan() { 0.0 } else { s }, beta, var_m, diag)
}

/// PyPortfolioOpt's constant-correlation Ledoit-Wolf on centred `x`: the intensity, the
/// average correlation and the (ddof 1) standard deviations.
fn constant_correlation_shrinkage(x: &[f64], rows: usize, n: usize) -> (f64, f64, Vec<f64>) {
    let t = rows as f64;
    let gram = cross(x, x, n);
    let s_mat: Vec<f64> = gram.iter().map(|g| g / (t - 1.0)).collect();
    let var: Vec<f64> = (0..n).map(|i| s_mat[i * n + i]).collect();
    let std: Vec<f64> = var.iter().map(|v| v.sqrt()).collect();
    let nf = n as f64;
    let r_bar = if n > 1 {
        ((0..n)
            .flat_map(|i| (0..n).map(move |j| (i, j)))
            .map(|(i, j)| s_mat[i * n + j] / (std[i] * std[j]))
            .sum::<f64>()
            - nf)
            / (nf * (nf - 1.0))
    } else {
        0.0
    };
    let y: Vec<f64> = x.iter().map(|v| v * v).collect();
    let yy = cross(&y, &y, n);
    let cube: Vec<f64> = x.iter().map(|v| v * v * v).collect();
    let term1 = cross(&cube, x, n);
    let mut pi_hat = 0.0;
    let mut pi_diag = 0.0;
    let mut theta_sum = 0.0;
    let mut gamma = 0.0;
    for i in 0..n {
        for j in 0..n {
            let k = i * n + j;
            let help = gram[k] / t;
            let pi = yy[k] / t - 2.0 * help * s_mat[k] + s_mat[k] * s_mat[k];
            pi_hat += pi;
            let target = if i == j {
                var[i]
            } else {
                r_bar * std[i] * std[j]
            };
            gamma += (s_mat[k] - target).powi(2);
            if i == j {
                pi_diag += pi;
            } else {
                let help_diag = gram[i * n + i] / t;
                let theta = term1[k] / t - help_diag * s_mat[k] - help * var[i] + var[i] * s_mat[k];
                theta_sum += std[j] / std[i] * theta;
            }
        }
    }
    let rho = pi_diag + r_bar * theta_sum;
    let kappa = (pi_hat - rho) / gamma;
    let s = (kappa / t).clamp(0.0, 1.0);
    (if s.is_nan() { 0.0 } else { s }, r_bar, std)
}
