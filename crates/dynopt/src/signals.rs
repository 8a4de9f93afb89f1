//! Incremental per-instrument estimates, updated once per day with each close:
//! the EWMA volatility of daily price changes, the EWMAC forecast, and the EWMA
//! correlation of volatility-normalised returns. Price changes, not percentage returns,
//! because back-adjusted prices can be zero or negative.
//!
//! - volatility: `v_t = (1 - a) v_{t-1} + a dp_t^2`, `a = 2 / (vol_span + 1)`, seeded with
//!   the first squared change; daily volatility `sqrt(v_t)` in price points;
//! - EWMAC: `ema_f - ema_s` of prices (each `e_t = e_{t-1} + a (p_t - e_{t-1})`, seeded with
//!   the first price), divided by the daily volatility, times the forecast scalar, capped;
//! - correlation: `C_t = (1 - a) C_{t-1} + a z z'` with `z_i = dp_i / sqrt(v_{i,t-1})`
//!   (zero until instrument `i` has a volatility), so `C` is positive semi-definite by
//!   construction; `R_ij = C_ij / sqrt(C_ii C_jj)`.

use crate::config::{ForecastRule, SystemConfig};

/// Estimates for `n` instruments.
#[derive(Clone, Debug)]
pub struct Signals {
    n: usize,
    vol_alpha: f64,
    fast_alpha: f64,
    slow_alpha: f64,
    corr_alpha: f64,
    last_price: Vec<f64>,
    variance: Vec<f64>,
    changes: Vec<usize>,
    fast: Vec<f64>,
    slow: Vec<f64>,
    z: Vec<f64>,
    comoment: Vec<f64>,
}

impl Signals {
    /// Empty estimates with the spans of `system`.
    pub fn new(n: usize, system: &SystemConfig) -> Self {
        let alpha = |span: usize| 2.0 / (span as f64 + 1.0);
        Signals {
            n,
            vol_alpha: alpha(system.vol_span),
            fast_alpha: alpha(system.ewmac_fast),
            slow_alpha: alpha(system.ewmac_slow),
            corr_alpha: alpha(system.correlation_span),
            last_price: vec![f64::NAN; n],
            variance: vec![0.0; n],
            changes: vec![0; n],
            fast: vec![f64::NAN; n],
            slow: vec![f64::NAN; n],
            z: vec![0.0; n],
            comoment: vec![0.0; n * n],
        }
    }

    /// Takes one day's closes (NaN where an instrument has no price yet).
    pub fn update(&mut self, closes: &[f64]) {
        for (i, &p) in closes.iter().enumerate().take(self.n) {
            self.z[i] = 0.0;
            if !p.is_finite() {
                continue;
            }
            let last = self.last_price[i];
            if last.is_finite() {
                let change = p - last;
                if self.changes[i] > 0 && self.variance[i] > 0.0 {
                    self.z[i] = change / self.variance[i].sqrt();
                }
                self.variance[i] = if self.changes[i] == 0 {
                    change * change
                } else {
                    self.variance[i] + self.vol_alpha * (change * change - self.variance[i])
                };
                self.changes[i] += 1;
                self.fast[i] += self.fast_alpha * (p - self.fast[i]);
                self.slow[i] += self.slow_alpha * (p - self.slow[i]);
            } else {
                self.fast[i] = p;
                self.slow[i] = p;
            }
            self.last_price[i] = p;
        }
        let a = self.corr_alpha;
        for i in 0..self.n {
            let zi = self.z[i];
            let row = &mut self.comoment[i * self.n..(i + 1) * self.n];
            for (c, zj) in row.iter_mut().zip(&self.z) {
                *c += a * (zi * zj - *c);
            }
        }
    }

    /// Daily price changes seen so far for instrument `i`.
    pub fn history(&self, i: usize) -> usize {
        self.changes[i]
    }

    /// Daily volatility of price changes, in price points.
    pub fn daily_vol(&self, i: usize) -> f64 {
        self.variance[i].sqrt()
    }

    /// The forecast of instrument `i` under `system`'s rule.
    pub fn forecast(&self, i: usize, system: &SystemConfig) -> f64 {
        match system.forecast {
            ForecastRule::Long => 10.0,
            ForecastRule::Ewmac => {
                let vol = self.daily_vol(i);
                if vol > 0.0 {
                    (system.forecast_scalar * (self.fast[i] - self.slow[i]) / vol)
                        .clamp(-system.forecast_cap, system.forecast_cap)
                } else {
                    0.0
                }
            }
        }
    }

    /// Writes the correlation of the instruments in `subset` into `out`
    /// (`subset.len()` squared, row-major).
    pub fn correlation(&self, subset: &[usize], out: &mut Vec<f64>) {
        out.clear();
        for &i in subset {
            for &j in subset {
                let c = self.comoment[i * self.n + j];
                let scale = (self.comoment[i * self.n + i] * self.comoment[j * self.n + j]).sqrt();
                out.push(if i == j {
                    1.0
                } else if scale > 0.0 {
                    c / scale
                } else {
                    0.0
                });
            }
        }
    }
}
