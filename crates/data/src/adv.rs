//! Trailing average daily volume.
//!
//! `adv[t]` is the mean of the observed (non-`NaN`) volumes among bars `t - window + 1 ..= t`,
//! or `NaN` while fewer than `min_periods` are observed. It includes bar `t`: a decision
//! made before bar `t` trades must read `adv[t - 1]`.

/// Rolling mean of volume over `window` bars.
pub fn trailing_adv(volume: &[f64], window: usize, min_periods: usize) -> Vec<f64> {
    let window = window.max(1);
    let mut out = Vec::with_capacity(volume.len());
    let (mut sum, mut count) = (0.0, 0usize);
    for t in 0..volume.len() {
        if !volume[t].is_nan() {
            sum += volume[t];
            count += 1;
        }
        if t >= window && !volume[t - window].is_nan() {
            sum -= volume[t - window];
            count -= 1;
        }
        out.push(if count >= min_periods.max(1) {
            sum / count as f64
        } else {
            f64::NAN
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_mean_by_hand() {
        let v = [10.0, 20.0, 30.0, f64::NAN, 50.0];
        let a = trailing_adv(&v, 3, 3);
        assert!(a[0].is_nan() && a[1].is_nan());
        assert_eq!(a[2], 20.0);
        assert!(a[3].is_nan());
        let b = trailing_adv(&v, 3, 2);
        assert_eq!(b[1], 15.0);
        assert_eq!(b[3], 25.0);
        assert_eq!(b[4], 40.0);
    }
}
