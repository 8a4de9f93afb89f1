//! 500 synthetic assets generated bit for bit like `fixtures/make_synthetic500.py` does:
//! max Sharpe and min volatility against PyPortfolioOpt to 1e-5, HRP to 1e-10.

mod common;

use common::{floats, max_diff};

use oxfolio_optim::estimates::{covariance, mean_historical_return};
use oxfolio_optim::mean_variance::{max_sharpe, min_volatility};
use oxfolio_optim::{hrp, Bounds, Estimator, Linkage};
use serde_json::Value;

struct Lcg(u64);

impl Lcg {
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Returns, time-major `days x n`, in the script's exact order of operations.
fn synthetic(n: usize, days: usize, seed: u64) -> Vec<f64> {
    let mut g = Lcg(seed);
    let loadings: Vec<[f64; 3]> = (0..n)
        .map(|_| {
            let a = (g.uniform() - 0.5) * 0.02;
            let b = (g.uniform() - 0.5) * 0.02;
            let c = (g.uniform() - 0.5) * 0.02;
            [a, b, c]
        })
        .collect();
    let noise: Vec<f64> = (0..n).map(|_| 0.005 + 0.015 * g.uniform()).collect();
    let drift: Vec<f64> = (0..n).map(|_| 0.0002 + 0.0006 * g.uniform()).collect();
    let mut out = Vec::with_capacity(n * days);
    for _ in 0..days {
        let f = [g.uniform() - 0.5, g.uniform() - 0.5, g.uniform() - 0.5];
        for i in 0..n {
            let l = loadings[i];
            out.push(
                drift[i] + l[0] * f[0] + l[1] * f[1] + l[2] * f[2] + noise[i] * (g.uniform() - 0.5),
            );
        }
    }
    out
}

#[test]
fn five_hundred_assets_match_pypfopt() {
    let r: Value = serde_json::from_str(include_str!("fixtures/synthetic500.json")).unwrap();
    let n = 500;
    let returns = synthetic(n, 1000, 2026);
    // The generator really is the script's.
    assert_eq!(returns[..3].to_vec(), floats(&r["first"]));
    assert_eq!(returns[returns.len() - 3..].to_vec(), floats(&r["last"]));
    let mu = mean_historical_return(&returns, n, true, 252.0);
    let (cov, _) = covariance(&returns, n, Estimator::Sample, 252.0).unwrap();
    let min = min_volatility(&mu, &cov, Bounds::LONG_ONLY, 0.0).unwrap();
    let d = max_diff(&min.weights, &floats(&r["min_volatility"]));
    assert!(d < 1e-5, "min volatility: {d:e}");
    let sharpe = max_sharpe(&mu, &cov, Bounds::LONG_ONLY, 0.02).unwrap();
    let d = max_diff(&sharpe.weights, &floats(&r["max_sharpe"]));
    assert!(d < 1e-5, "max Sharpe: {d:e}");
    let (daily, _) = covariance(&returns, n, Estimator::Sample, 1.0).unwrap();
    let h = hrp(&mu, &daily, Linkage::Single, 0.0).unwrap();
    let d = max_diff(&h.weights, &floats(&r["hrp"]));
    assert!(d < 1e-10, "HRP: {d:e}");
}
