//! Pricing many options at once: columns in, columns out, in parallel (rayon). Each
//! option is independent and the inner loop is branch-light, so it vectorises.

use rayon::prelude::*;

use crate::bsm::{European, Greeks};
use crate::error::DerivError;
use crate::iv::implied_volatility;

/// Price and Greeks of every option (an error per invalid row).
pub fn greeks_batch(options: &[European]) -> Vec<Result<Greeks, DerivError>> {
    options.par_iter().map(European::greeks).collect()
}

/// Implied volatility of every (option, price) pair.
pub fn implied_vol_batch(options: &[European], prices: &[f64]) -> Vec<Result<f64, DerivError>> {
    options
        .par_iter()
        .zip(prices.par_iter())
        .map(|(o, p)| implied_volatility(o, *p))
        .collect()
}
