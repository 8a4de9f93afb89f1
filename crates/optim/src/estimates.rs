//! Return and covariance estimates from a price panel (PyPortfolioOpt conventions:
//! simple returns, annualisation by `frequency`, sample covariance with ddof 1).

use crate::error::OptimError;
use crate::risk_model::{Estimator, RiskModel};

/// Simple returns of a time-major price panel (`rows x n`), keeping only rows where every
/// asset has a price on both days (the common-window policy). Errors on non-positive
/// prices.
pub fn returns_from_prices(prices: &[f64], n: usize) -> Result<Vec<f64>, OptimError> {
    if n == 0 || !prices.len().is_multiple_of(n) {
        return Err(OptimError::Invalid(format!(
            "price panel of {} values is not a whole number of rows of {n} assets",
            prices.len()
        )));
    }
    if let Some(k) = prices
        .iter()
        .position(|p| !(p.is_nan() || (p.is_finite() && *p > 0.0)))
    {
        return Err(OptimError::Invalid(format!(
            "price of asset {} in row {} is {} (must be positive)",
            k % n,
            k / n,
            prices[k]
        )));
    }
    let mut out = Vec::with_capacity(prices.len());
    for pair in prices.chunks_exact(n).collect::<Vec<_>>().windows(2) {
        let row: Vec<f64> = pair[1]
            .iter()
            .zip(pair[0])
            .map(|(b, a)| b / a - 1.0)
            .collect();
        if row.iter().all(|r| r.is_finite()) {
            out.extend(row);
        }
    }
    if out.len() / n < 2 {
        return Err(OptimError::Invalid(format!(
            "fewer than 2 days where all {n} assets have returns"
        )));
    }
    Ok(out)
}

/// Mean historical return per asset, annualised: geometric
/// `prod(1 + r)^(frequency / T) - 1` (`compounding`), else arithmetic `mean(r) x frequency`.
pub fn mean_historical_return(
    returns: &[f64],
    n: usize,
    compounding: bool,
    frequency: f64,
) -> Vec<f64> {
    let rows = returns.len() / n;
    (0..n)
        .map(|i| {
            let column = returns.chunks_exact(n).map(|r| r[i]);
            if compounding {
                let log_growth: f64 = column.map(|r| (1.0 + r).ln()).sum();
                (log_growth * (frequency / rows as f64)).exp() - 1.0
            } else {
                column.sum::<f64>() / rows as f64 * frequency
            }
        })
        .collect()
}

/// Annualised covariance (dense, row-major) and its factored form.
pub fn covariance(
    returns: &[f64],
    n: usize,
    estimator: Estimator,
    frequency: f64,
) -> Result<(Vec<f64>, RiskModel), OptimError> {
    let model = RiskModel::estimate(returns, n, estimator, frequency)?;
    Ok((model.dense(), model))
}
