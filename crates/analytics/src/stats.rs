//! Plain statistics used by the metrics, written to match numpy and pandas.

/// Arithmetic mean (`NaN` for an empty slice).
pub fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Standard deviation with `ddof` degrees of freedom removed (numpy's `std(ddof=...)`).
pub fn std_dev(x: &[f64], ddof: usize) -> f64 {
    if x.len() <= ddof {
        return f64::NAN;
    }
    let m = mean(x);
    let ss: f64 = x.iter().map(|v| (v - m) * (v - m)).sum();
    (ss / (x.len() - ddof) as f64).sqrt()
}

/// Percentile `q` in [0, 100] with linear interpolation between closest ranks (numpy's
/// default `percentile`). `sorted` must be ascending.
pub fn percentile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q / 100.0 * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    sorted[lo] + (sorted[hi] - sorted[lo]) * frac
}

/// A sorted copy.
pub fn sorted(x: &[f64]) -> Vec<f64> {
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

/// Sample skewness, adjusted Fisher-Pearson (pandas' `Series.skew`):
/// `n * sqrt(n - 1) / (n - 2) * sum(d^3) / sum(d^2)^1.5`, `d = x - mean`.
pub fn skew(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    if x.len() < 3 {
        return f64::NAN;
    }
    let m = mean(x);
    let (m2, m3) = x.iter().fold((0.0, 0.0), |(a, b), v| {
        let d = v - m;
        (a + d * d, b + d * d * d)
    });
    if m2 == 0.0 {
        return 0.0;
    }
    n * (n - 1.0).sqrt() / (n - 2.0) * m3 / m2.powf(1.5)
}

/// Sample excess kurtosis, bias-corrected (pandas' `Series.kurt`):
/// `n(n+1)(n-1) sum(d^4) / ((n-2)(n-3) sum(d^2)^2) - 3(n-1)^2 / ((n-2)(n-3))`.
pub fn excess_kurtosis(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    if x.len() < 4 {
        return f64::NAN;
    }
    let m = mean(x);
    let (m2, m4) = x.iter().fold((0.0, 0.0), |(a, b), v| {
        let d = v - m;
        (a + d * d, b + d * d * d * d)
    });
    if m2 == 0.0 {
        return 0.0;
    }
    let denom = (n - 2.0) * (n - 3.0);
    n * (n + 1.0) * (n - 1.0) * m4 / (denom * m2 * m2) - 3.0 * (n - 1.0) * (n - 1.0) / denom
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(mean(&x), 2.5);
        assert!((std_dev(&x, 1) - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert!((std_dev(&x, 0) - 1.25f64.sqrt()).abs() < 1e-15);
        let s = sorted(&x);
        assert_eq!(percentile_sorted(&s, 50.0), 2.5);
        assert_eq!(percentile_sorted(&s, 0.0), 1.0);
        assert!((percentile_sorted(&s, 5.0) - 1.15).abs() < 1e-12);
        assert_eq!(skew(&x), 0.0);
        // pandas: pd.Series([1, 2, 3, 4]).kurt() == -1.2
        assert!((excess_kurtosis(&x) + 1.2).abs() < 1e-12);
        // pandas: pd.Series([1, 2, 10]).skew() == 1.65231674033299
        assert!((skew(&[1.0, 2.0, 10.0]) - 1.652_316_740_332_99).abs() < 1e-12);
    }
}
