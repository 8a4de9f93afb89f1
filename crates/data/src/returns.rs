//! Returns from prices. Simple returns unless named log.
//!
//! * simple: `r[t] = p[t] / p[t-1] - 1`
//! * log: `r[t] = ln(p[t] / p[t-1])`
//!
//! Both give `n - 1` values for `n` prices, aligned with `prices[1..]`. A missing price
//! (`NaN`) gives `NaN` returns on both sides of it. Log returns need positive prices;
//! simple returns need a non-zero previous price. Back-adjusted futures series (which can
//! be negative) should use price differences instead.

use crate::error::DataError;

/// Which kind of return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReturnKind {
    /// `p[t] / p[t-1] - 1`.
    Simple,
    /// `ln(p[t] / p[t-1])`.
    Log,
}

/// Returns of a price series; an error names the first index whose price cannot be used.
pub fn returns(prices: &[f64], kind: ReturnKind) -> Result<Vec<f64>, DataError> {
    let mut out = Vec::with_capacity(prices.len().saturating_sub(1));
    for (i, w) in prices.windows(2).enumerate() {
        let (prev, cur) = (w[0], w[1]);
        if prev.is_nan() || cur.is_nan() {
            out.push(f64::NAN);
            continue;
        }
        match kind {
            ReturnKind::Simple if prev == 0.0 => {
                return Err(DataError::Input(format!(
                    "price at index {i} is zero: simple return undefined"
                )))
            }
            ReturnKind::Log if prev <= 0.0 || cur <= 0.0 => {
                let at = if prev <= 0.0 { i } else { i + 1 };
                return Err(DataError::Input(format!(
                    "price at index {at} is not positive: log return undefined"
                )));
            }
            ReturnKind::Simple => out.push(cur / prev - 1.0),
            ReturnKind::Log => out.push((cur / prev).ln()),
        }
    }
    Ok(out)
}

/// Simple returns (see the module docs).
pub fn simple_returns(prices: &[f64]) -> Result<Vec<f64>, DataError> {
    returns(prices, ReturnKind::Simple)
}

/// Log returns (see the module docs).
pub fn log_returns(prices: &[f64]) -> Result<Vec<f64>, DataError> {
    returns(prices, ReturnKind::Log)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_and_log_by_hand() {
        let p = [100.0, 110.0, 99.0];
        let s = simple_returns(&p).expect("ok");
        assert!((s[0] - 0.1).abs() < 1e-15 && (s[1] + 0.1).abs() < 1e-15);
        let l = log_returns(&p).expect("ok");
        assert!((l[0] - 1.1f64.ln()).abs() < 1e-15 && (l[1] - 0.9f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn missing_prices_and_bad_prices() {
        let s = simple_returns(&[1.0, f64::NAN, 2.0, 3.0]).expect("ok");
        assert!(s[0].is_nan() && s[1].is_nan());
        assert!((s[2] - 0.5).abs() < 1e-15);
        let e = log_returns(&[1.0, -2.0]).expect_err("negative");
        assert!(e.to_string().contains("index 1"));
        assert!(simple_returns(&[0.0, 1.0]).is_err());
        assert!(simple_returns(&[]).expect("empty").is_empty());
    }
}
