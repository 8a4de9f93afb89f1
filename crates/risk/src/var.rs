//! Value at risk and conditional value at risk of a return series, three ways.
//!
//! All are returns at the `1 - confidence` tail (negative = a loss), with
//! `a = 1 - confidence` and `z = Phi^-1(a)`:
//!
//! | method | VaR | CVaR (expected shortfall) |
//! |---|---|---|
//! | historical | `a`-percentile of `r`, linear interpolation (numpy, empyrical) | mean of the `floor((n - 1) a) + 1` lowest returns (empyrical) |
//! | Gaussian | `mu + sigma z` | `mu - sigma phi(z) / a` |
//! | Cornish-Fisher | `mu + sigma z_cf(a)` | `mu + sigma E[z_cf(p) | p < a]`, in closed form |
//!
//! `mu`, `sigma` (ddof 1), skewness `S` and excess kurtosis `K` are the sample
//! statistics of `oxfolio_analytics` (pandas' bias-corrected estimators), and
//! `z_cf(p) = z + (z^2 - 1) S / 6 + (z^3 - 3z) K / 24 - (2z^3 - 5z) S^2 / 36`, `z = Phi^-1(p)`.
//! The Cornish-Fisher expected shortfall integrates `z_cf` below `z_a` against the normal
//! density, using `int_{-inf}^{a} x^k phi(x) dx` = `Phi(a)`, `-phi(a)`, `Phi(a) - a phi(a)`,
//! `-(a^2 + 2) phi(a)` for `k` = 0..3.

use serde::{Deserialize, Serialize};
use statrs::distribution::{Continuous, ContinuousCDF, Normal};

use oxfolio_analytics::metrics::historical_cvar;
use oxfolio_analytics::stats::{excess_kurtosis, mean, percentile_sorted, skew, sorted, std_dev};

use crate::error::RiskError;

/// How VaR is estimated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum VarMethod {
    /// Empirical quantile.
    #[default]
    Historical,
    /// Normal distribution with the sample mean and volatility.
    Gaussian,
    /// Normal quantile corrected for sample skewness and kurtosis.
    CornishFisher,
}

/// VaR and CVaR at one confidence, as returns.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TailRisk {
    /// Value at risk (a return; negative is a loss).
    pub var: f64,
    /// Conditional value at risk (a return, at or below `var`).
    pub cvar: f64,
}

fn standard_normal() -> Normal {
    // Mean 0 and deviation 1 are always valid parameters.
    Normal::standard()
}

/// VaR and CVaR of `returns` at `confidence` (for example 0.95) by `method`.
pub fn tail_risk(
    returns: &[f64],
    confidence: f64,
    method: VarMethod,
) -> Result<TailRisk, RiskError> {
    if !(confidence > 0.5 && confidence < 1.0) {
        return Err(RiskError::param(
            "confidence",
            format!("must be between 0.5 and 1, got {confidence}"),
        ));
    }
    if returns.len() < 2 {
        return Err(RiskError::param(
            "returns",
            format!("need at least 2 returns, got {}", returns.len()),
        ));
    }
    if let Some(i) = returns.iter().position(|r| !r.is_finite()) {
        return Err(RiskError::param(
            "returns",
            format!("return {i} is not finite: {}", returns[i]),
        ));
    }
    let a = 1.0 - confidence;
    let (mu, sigma) = (mean(returns), std_dev(returns, 1));
    let n = standard_normal();
    let z = n.inverse_cdf(a);
    Ok(match method {
        VarMethod::Historical => {
            let s = sorted(returns);
            TailRisk {
                var: percentile_sorted(&s, a * 100.0),
                cvar: historical_cvar(&s, a),
            }
        }
        VarMethod::Gaussian => TailRisk {
            var: mu + sigma * z,
            cvar: mu - sigma * n.pdf(z) / a,
        },
        VarMethod::CornishFisher => {
            let (s, k) = (skew(returns), excess_kurtosis(returns));
            let z_cf = z + (z * z - 1.0) * s / 6.0 + (z.powi(3) - 3.0 * z) * k / 24.0
                - (2.0 * z.powi(3) - 5.0 * z) * s * s / 36.0;
            let phi = n.pdf(z);
            let (m0, m1, m2, m3) = (a, -phi, a - z * phi, -(z * z + 2.0) * phi);
            let tail_mean = (m1 + (m2 - m0) * s / 6.0 + (m3 - 3.0 * m1) * k / 24.0
                - (2.0 * m3 - 5.0 * m1) * s * s / 36.0)
                / a;
            TailRisk {
                var: mu + sigma * z_cf,
                cvar: mu + sigma * tail_mean,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaussian_closed_forms() {
        // Symmetric data: mean 0, sample sd 1.
        let r = [-1.0, 1.0, -1.0, 1.0];
        let sd = std_dev(&r, 1);
        let t = tail_risk(&r, 0.95, VarMethod::Gaussian).expect("ok");
        assert!((t.var - sd * -1.644_853_626_951_472_2).abs() < 1e-12);
        // phi(1.6449) / 0.05 = 2.0627128075...
        assert!((t.cvar + sd * 2.062_712_807_507_416).abs() < 1e-9);
    }

    #[test]
    fn cornish_fisher_tail_lies_below_var_and_bad_input_is_refused() {
        let r = [-0.02, 0.01, 0.0, 0.015, -0.01, 0.005, -0.03, 0.02];
        let cf = tail_risk(&r, 0.99, VarMethod::CornishFisher).expect("ok");
        assert!(cf.cvar < cf.var);
        assert!(tail_risk(&r, 0.4, VarMethod::Gaussian).is_err());
        assert!(tail_risk(&[0.1], 0.95, VarMethod::Gaussian).is_err());
        assert!(tail_risk(&[0.1, f64::NAN], 0.95, VarMethod::Gaussian).is_err());
    }
}
