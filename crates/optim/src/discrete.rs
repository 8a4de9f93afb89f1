//! Discrete allocation: weights, capital and latest prices to whole shares plus leftover
//! cash, by PyPortfolioOpt's greedy rule (`DiscreteAllocation.greedy_portfolio`):
//!
//! 1. Assets by weight, largest first (ties keep input order).
//! 2. First round: `floor(weight x capital / price)` shares of each.
//! 3. Second round, one share at a time: buy the asset whose weight falls furthest below
//!    its target (current weights are value shares of what is held); if it costs more
//!    than the cash left, skip to the next largest shortfall, at most ten times; stop
//!    when no shortfall is positive or nothing affordable remains.
//!
//! With short weights, longs and shorts are allocated separately (each normalised to sum
//! to one), the shorts on `short_ratio x capital` (default: the sum of short weights),
//! the longs on the capital (plus the short proceeds with `reinvest`).

use serde::Serialize;

use crate::error::OptimError;

/// Whole shares per asset (negative for shorts) and the cash left.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Allocation {
    /// Shares per asset, in input order.
    pub shares: Vec<i64>,
    /// Cash not invested.
    pub leftover: f64,
}

/// Greedy discrete allocation of `capital` across `weights` at `prices`.
pub fn greedy_allocation(
    weights: &[f64],
    prices: &[f64],
    capital: f64,
    short_ratio: Option<f64>,
    reinvest: bool,
) -> Result<Allocation, OptimError> {
    if weights.len() != prices.len() || weights.is_empty() {
        return Err(OptimError::Invalid(format!(
            "{} weights for {} prices",
            weights.len(),
            prices.len()
        )));
    }
    if let Some(i) = weights.iter().position(|w| !w.is_finite()) {
        return Err(OptimError::Invalid(format!("weight {i} is not finite")));
    }
    if let Some(i) = prices.iter().position(|p| !(p.is_finite() && *p > 0.0)) {
        return Err(OptimError::Invalid(format!(
            "latest price of asset {i} is {} (must be positive)",
            prices[i]
        )));
    }
    if !(capital.is_finite() && capital > 0.0) {
        return Err(OptimError::Invalid(format!(
            "capital must be positive, got {capital}"
        )));
    }
    if let Some(r) = short_ratio {
        if !(r.is_finite() && r >= 0.0) {
            return Err(OptimError::Invalid(format!(
                "short ratio must be non-negative, got {r}"
            )));
        }
    }
    if weights.iter().all(|w| *w >= 0.0) {
        return Ok(long_only(weights, prices, capital));
    }
    let side = |long: bool| -> Vec<f64> {
        weights
            .iter()
            .map(|w| if (*w >= 0.0) == long { w.abs() } else { 0.0 })
            .collect()
    };
    let (longs, shorts) = (side(true), side(false));
    let (long_total, short_total) = (longs.iter().sum::<f64>(), shorts.iter().sum::<f64>());
    let short_value = capital * short_ratio.unwrap_or(short_total);
    let long_value = if reinvest {
        capital + short_value
    } else {
        capital
    };
    let mut shares = vec![0i64; weights.len()];
    let mut leftover = 0.0;
    for (side, total, value, sign) in [
        (longs, long_total, long_value, 1),
        (shorts, short_total, short_value, -1),
    ] {
        let members: Vec<usize> = (0..weights.len())
            .filter(|&i| side[i] > 0.0 || (sign == 1 && weights[i] == 0.0))
            .collect();
        if members.is_empty() || total <= 0.0 || value <= 0.0 {
            continue;
        }
        let w: Vec<f64> = members.iter().map(|&i| side[i] / total).collect();
        let p: Vec<f64> = members.iter().map(|&i| prices[i]).collect();
        let a = long_only(&w, &p, value);
        for (k, &i) in members.iter().enumerate() {
            shares[i] = sign * a.shares[k];
        }
        leftover += a.leftover;
    }
    Ok(Allocation { shares, leftover })
}

/// The greedy rule for non-negative weights.
fn long_only(weights: &[f64], prices: &[f64], capital: f64) -> Allocation {
    let n = weights.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| weights[*b].total_cmp(&weights[*a]));
    let mut cash = capital;
    let mut bought = vec![0i64; n];
    for &i in &order {
        let shares = (weights[i] * capital / prices[i]).trunc();
        bought[i] = shares as i64;
        cash -= shares * prices[i];
    }
    let mut deficit = vec![0.0; n];
    while cash > 0.0 {
        let held: f64 = order.iter().map(|&i| bought[i] as f64 * prices[i]).sum();
        for (k, &i) in order.iter().enumerate() {
            let current = if held > 0.0 {
                bought[i] as f64 * prices[i] / held
            } else {
                0.0
            };
            deficit[k] = weights[i] - current;
        }
        let mut k = argmax(&deficit);
        let mut skipped = 0;
        while prices[order[k]] > cash {
            deficit[k] = 0.0;
            k = argmax(&deficit);
            if deficit[k] < 0.0 || skipped == 10 {
                break;
            }
            skipped += 1;
        }
        if deficit[k] <= 0.0 || skipped == 10 {
            break;
        }
        bought[order[k]] += 1;
        cash -= prices[order[k]];
    }
    Allocation {
        shares: bought,
        leftover: cash,
    }
}

/// Index of the first largest value.
fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (k, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = k;
        }
    }
    best
}
