//! Numbers as the summary tables and the report's key figures show them.

/// A ratio as a percentage with two decimals (`-` for NaN).
pub fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.2}%", x * 100.0)
    } else {
        "-".into()
    }
}

/// A price: two decimals, or four significant digits below 1 (`-` for NaN).
pub fn price(x: f64) -> String {
    if !x.is_finite() {
        "-".into()
    } else if x.abs() >= 1.0 || x == 0.0 {
        format!("{x:.2}")
    } else {
        let digits = (3 - x.abs().log10().floor() as i32).clamp(2, 12) as usize;
        format!("{x:.digits$}")
    }
}

/// A number with `digits` decimals (`-` for NaN).
pub fn num(x: f64, digits: usize) -> String {
    if x.is_finite() {
        format!("{x:.digits$}")
    } else {
        "-".into()
    }
}
