//! Return and covariance estimates from a price panel (PyPortfolioOpt conventions:
//! simple returns, annualisation by `frequency`, sample covariance with ddof 1).

use crate::error::OptimError;
use crate::risk_model::{Estimator, RiskModel};

/// Simple returns of a time-major price panel (`rows x n`), keeping only rows where every
/// asset has a price on both days (the common-window policy). Errors on non-positive
/// prices.
pub fn returns_from_prices(prices: &[f64], n: usize) -> Result<Vec<f64>, OptimError> {
    let out = simple_returns(prices, n, |row| row.iter().all(|r| r.is_finite()))?;
    if out.len() / n < 2 {
        return Err(OptimError::Invalid(format!(
            "fewer than 2 days where all {n} assets have returns"
        )));
    }
    Ok(out)
}

/// Simple returns row by row, keeping the rows `keep` accepts.
fn simple_returns(
    prices: &[f64],
    n: usize,
    keep: impl Fn(&[f64]) -> bool,
) -> Result<Vec<f64>, OptimError> {
    check_panel(prices, n)?;
    let mut out = Vec::with_capacity(prices.len());
    let mut row = vec![0.0; n];
    for pair in prices.chunks_exact(n).collect::<Vec<_>>().windows(2) {
        for ((r, b), a) in row.iter_mut().zip(pair[1]).zip(pair[0]) {
            *r = b / a - 1.0;
        }
        if keep(&row) {
            out.extend_from_slice(&row);
        }
    }
    Ok(out)
}

/// A whole number of rows, prices positive or NaN.
fn check_panel(prices: &[f64], n: usize) -> Result<(), OptimError> {
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
    Ok(())
}

/// Mean historical return per asset, annualised: geometric
/// `prod(1 + r)^(frequency / T) - 1` (`compounding`), else arithmetic `mean(r) x frequency`;
/// `T` counts each asset's own returns (NaN gaps are skipped, as pandas does).
pub fn mean_historical_return(
    returns: &[f64],
    n: usize,
    compounding: bool,
    frequency: f64,
) -> Vec<f64> {
    (0..n)
        .map(|i| {
            let column = returns
                .chunks_exact(n)
                .map(|r| r[i])
                .filter(|r| !r.is_nan());
            let count = column.clone().count() as f64;
            if compounding {
                let log_growth: f64 = column.map(|r| (1.0 + r).ln()).sum();
                (log_growth * (frequency / count)).exp() - 1.0
            } else {
                column.sum::<f64>() / count * frequency
            }
        })
        .collect()
}

/// Simple returns keeping gaps (the pairwise policy): NaN where either day lacks a
/// price, rows where every asset's return is NaN dropped (pandas
/// `pct_change().dropna(how="all")`). Errors on non-positive prices.
pub fn returns_with_gaps(prices: &[f64], n: usize) -> Result<Vec<f64>, OptimError> {
    simple_returns(prices, n, |row| row.iter().any(|r| !r.is_nan()))
}

/// Pairwise-complete sample covariance and correlation (pandas `DataFrame.cov()` and
/// `.corr()`): each pair over the rows where both have returns, with that overlap's
/// means (and, for the correlation, standard deviations), ddof 1; the covariance
/// annualised by `frequency`. Errors when a pair shares fewer than 2 returns. The result
/// need not be positive semi-definite (see [`crate::psd`]).
pub fn pairwise_covariance(
    returns: &[f64],
    n: usize,
    frequency: f64,
) -> Result<(Vec<f64>, Vec<f64>), OptimError> {
    let rows: Vec<&[f64]> = returns.chunks_exact(n).collect();
    let mut cov = vec![0.0; n * n];
    let mut corr = vec![0.0; n * n];
    for i in 0..n {
        for j in i..n {
            let both: Vec<(f64, f64)> = rows
                .iter()
                .filter(|r| !r[i].is_nan() && !r[j].is_nan())
                .map(|r| (r[i], r[j]))
                .collect();
            let k = both.len() as f64;
            if both.len() < 2 {
                return Err(OptimError::Invalid(format!(
                    "assets {i} and {j} share {} returns; a covariance needs 2",
                    both.len()
                )));
            }
            let (mx, my) = both
                .iter()
                .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
            let (mx, my) = (mx / k, my / k);
            let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
            for (x, y) in &both {
                sxy += (x - mx) * (y - my);
                sxx += (x - mx) * (x - mx);
                syy += (y - my) * (y - my);
            }
            let c = sxy / (k - 1.0) * frequency;
            cov[i * n + j] = c;
            cov[j * n + i] = c;
            let r = sxy / (sxx * syy).sqrt();
            corr[i * n + j] = r;
            corr[j * n + i] = r;
        }
    }
    Ok((cov, corr))
}

/// Exponentially weighted mean return per asset (pandas `ewm(span).mean()`, adjusted
/// weights `(1 - 2 / (span + 1))^age`), annualised: `(1 + m)^frequency - 1` when
/// `compounding`, else `m x frequency` (PyPortfolioOpt's `ema_historical_return`).
pub fn ema_historical_return(
    returns: &[f64],
    n: usize,
    compounding: bool,
    span: f64,
    frequency: f64,
) -> Result<Vec<f64>, OptimError> {
    if !(span.is_finite() && span >= 1.0) {
        return Err(OptimError::Invalid(format!(
            "span must be at least 1, got {span}"
        )));
    }
    let rows = returns.len() / n;
    let decay = 1.0 - 2.0 / (span + 1.0);
    let weights: Vec<f64> = (0..rows)
        .map(|k| decay.powi((rows - 1 - k) as i32))
        .collect();
    let total: f64 = weights.iter().sum();
    Ok((0..n)
        .map(|i| {
            let m = returns
                .chunks_exact(n)
                .zip(&weights)
                .map(|(r, w)| r[i] * w)
                .sum::<f64>()
                / total;
            if compounding {
                (1.0 + m).powf(frequency) - 1.0
            } else {
                m * frequency
            }
        })
        .collect())
}

/// CAPM expected returns `rf + beta_i (E[r_m] - rf)` (PyPortfolioOpt's `capm_return`):
/// betas from the sample covariance with the market, whose per-period returns are
/// `market` or, when `None`, the equal-weighted mean of the assets; the market's return
/// compounded (`prod(1 + r_m)^(frequency / T) - 1`) or arithmetic.
pub fn capm_return(
    returns: &[f64],
    n: usize,
    market: Option<&[f64]>,
    risk_free: f64,
    compounding: bool,
    frequency: f64,
) -> Result<Vec<f64>, OptimError> {
    let rows = returns.len() / n;
    let proxy: Vec<f64>;
    let market = match market {
        Some(m) if m.len() == rows => m,
        Some(m) => {
            return Err(OptimError::Invalid(format!(
                "{} market returns for {rows} periods",
                m.len()
            )))
        }
        None => {
            proxy = returns
                .chunks_exact(n)
                .map(|r| r.iter().sum::<f64>() / n as f64)
                .collect();
            &proxy
        }
    };
    let t = rows as f64;
    let market_mean = market.iter().sum::<f64>() / t;
    let market_var = market
        .iter()
        .map(|m| (m - market_mean).powi(2))
        .sum::<f64>();
    if market_var.is_nan() || market_var <= 0.0 {
        return Err(OptimError::Invalid(
            "the market's returns have no variance".into(),
        ));
    }
    let market_return = if compounding {
        market
            .iter()
            .map(|m| (1.0 + m).ln())
            .sum::<f64>()
            .mul_add(frequency / t, 0.0)
            .exp()
            - 1.0
    } else {
        market_mean * frequency
    };
    Ok((0..n)
        .map(|i| {
            let mean = returns.chunks_exact(n).map(|r| r[i]).sum::<f64>() / t;
            let cov: f64 = returns
                .chunks_exact(n)
                .zip(market)
                .map(|(r, m)| (r[i] - mean) * (m - market_mean))
                .sum();
            risk_free + cov / market_var * (market_return - risk_free)
        })
        .collect())
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
