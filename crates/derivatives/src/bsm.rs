//! European options under Black-Scholes-Merton with a continuous dividend yield.
//!
//! Conventions: time to expiry in years; the rate `r` and dividend yield `q` continuously
//! compounded, per year; volatility per square-root year. With `F = S e^{(r-q)T}`,
//! `d1 = (ln(S/K) + (r - q + sigma^2/2) T) / (sigma sqrt(T))`, `d2 = d1 - sigma sqrt(T)`:
//!
//! | value | call | put |
//! |---|---|---|
//! | price | `S e^{-qT} N(d1) - K e^{-rT} N(d2)` | `K e^{-rT} N(-d2) - S e^{-qT} N(-d1)` |
//! | delta | `e^{-qT} N(d1)` | `-e^{-qT} N(-d1)` |
//! | gamma | `e^{-qT} n(d1) / (S sigma sqrt(T))` | same |
//! | vega (per unit of vol) | `S e^{-qT} n(d1) sqrt(T)` | same |
//! | theta (per year) | `-S e^{-qT} n(d1) sigma / (2 sqrt(T)) - r K e^{-rT} N(d2) + q S e^{-qT} N(d1)` | `... + r K e^{-rT} N(-d2) - q S e^{-qT} N(-d1)` |
//! | theta per calendar day | theta / 365 | same |
//! | rho (per unit of rate) | `K T e^{-rT} N(d2)` | `-K T e^{-rT} N(-d2)` |
//! | vanna (d delta / d sigma) | `-e^{-qT} n(d1) d2 / sigma` | same |
//! | volga (d vega / d sigma) | `vega d1 d2 / sigma` | same |
//!
//! `vega_per_pct` and `rho_per_pct` are per 1 percentage point (vega / 100, rho / 100).
//! `N` is computed from `erfc` (libm's, accurate to about one ulp) so deep tails keep
//! their relative accuracy.

use libm::erfc;
use serde::{Deserialize, Serialize};

use crate::error::{check_finite, check_positive, DerivError};

/// Call or put.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptionType {
    /// The right to buy.
    Call,
    /// The right to sell.
    Put,
}

impl OptionType {
    /// Parses `call`/`c` or `put`/`p`.
    pub fn parse(s: &str) -> Option<OptionType> {
        match s.trim().to_ascii_lowercase().as_str() {
            "call" | "c" => Some(OptionType::Call),
            "put" | "p" => Some(OptionType::Put),
            _ => None,
        }
    }
}

/// A European option and its market.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct European {
    /// Call or put.
    pub kind: OptionType,
    /// Spot price.
    pub spot: f64,
    /// Strike.
    pub strike: f64,
    /// Time to expiry in years.
    pub expiry: f64,
    /// Volatility (0.2 = 20%).
    pub vol: f64,
    /// Continuously compounded risk-free rate.
    pub rate: f64,
    /// Continuous dividend yield.
    pub dividend: f64,
}

/// Price and sensitivities.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Greeks {
    /// Price.
    pub price: f64,
    /// d price / d spot.
    pub delta: f64,
    /// d delta / d spot.
    pub gamma: f64,
    /// d price / d vol, per unit (1.00 = 100 vol points).
    pub vega: f64,
    /// d price / d calendar time, per year.
    pub theta: f64,
    /// Theta per calendar day (theta / 365).
    pub theta_per_day: f64,
    /// d price / d rate, per unit.
    pub rho: f64,
    /// d delta / d vol.
    pub vanna: f64,
    /// d vega / d vol.
    pub volga: f64,
}

impl Greeks {
    /// Vega per 1 volatility point.
    pub fn vega_per_pct(&self) -> f64 {
        self.vega / 100.0
    }

    /// Rho per 1 percentage point of rate.
    pub fn rho_per_pct(&self) -> f64 {
        self.rho / 100.0
    }
}

const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// Standard normal cumulative distribution.
#[inline]
pub fn norm_cdf(x: f64) -> f64 {
    0.5 * erfc(-x * std::f64::consts::FRAC_1_SQRT_2)
}

/// Standard normal density.
#[inline]
pub fn norm_pdf(x: f64) -> f64 {
    INV_SQRT_2PI * (-0.5 * x * x).exp()
}

impl European {
    /// Checks every input: spot, strike, expiry and vol positive; rate and dividend finite.
    pub fn validate(&self) -> Result<(), DerivError> {
        check_positive("spot", self.spot)?;
        check_positive("strike", self.strike)?;
        check_positive("expiry", self.expiry)?;
        check_positive("vol", self.vol)?;
        check_finite("rate", self.rate)?;
        check_finite("dividend", self.dividend)?;
        Ok(())
    }

    /// True when [`European::validate`] would pass (a cheap check for batches).
    #[inline]
    pub fn is_valid(&self) -> bool {
        let pos = |x: f64| x.is_finite() && x > 0.0;
        pos(self.spot)
            && pos(self.strike)
            && pos(self.expiry)
            && pos(self.vol)
            && self.rate.is_finite()
            && self.dividend.is_finite()
    }

    /// The price.
    pub fn price(&self) -> Result<f64, DerivError> {
        self.validate()?;
        Ok(self.price_unchecked())
    }

    /// Price and every Greek.
    pub fn greeks(&self) -> Result<Greeks, DerivError> {
        self.validate()?;
        Ok(self.greeks_unchecked())
    }

    /// The price without input checks (for batches already validated).
    #[inline]
    pub fn price_unchecked(&self) -> f64 {
        let (s, k, t, v) = (self.spot, self.strike, self.expiry, self.vol);
        let sd = v * t.sqrt();
        let d1 = ((s / k).ln() + (self.rate - self.dividend + 0.5 * v * v) * t) / sd;
        let d2 = d1 - sd;
        let (dq, dr) = ((-self.dividend * t).exp(), (-self.rate * t).exp());
        match self.kind {
            OptionType::Call => s * dq * norm_cdf(d1) - k * dr * norm_cdf(d2),
            OptionType::Put => k * dr * norm_cdf(-d2) - s * dq * norm_cdf(-d1),
        }
    }

    /// Price and Greeks without input checks.
    #[inline]
    pub fn greeks_unchecked(&self) -> Greeks {
        let (s, k, t, v, r, q) = (
            self.spot,
            self.strike,
            self.expiry,
            self.vol,
            self.rate,
            self.dividend,
        );
        let sqrt_t = t.sqrt();
        let sd = v * sqrt_t;
        let d1 = ((s / k).ln() + (r - q + 0.5 * v * v) * t) / sd;
        let d2 = d1 - sd;
        let (dq, dr) = ((-q * t).exp(), (-r * t).exp());
        let pdf = norm_pdf(d1);
        let gamma = dq * pdf / (s * sd);
        let vega = s * dq * pdf * sqrt_t;
        let decay = -s * dq * pdf * v / (2.0 * sqrt_t);
        // Only the two tail probabilities this option needs, each straight from erfc.
        let (price, delta, theta, rho) = match self.kind {
            OptionType::Call => {
                let (nd1, nd2) = (norm_cdf(d1), norm_cdf(d2));
                (
                    s * dq * nd1 - k * dr * nd2,
                    dq * nd1,
                    decay - r * k * dr * nd2 + q * s * dq * nd1,
                    k * t * dr * nd2,
                )
            }
            OptionType::Put => {
                let (nmd1, nmd2) = (norm_cdf(-d1), norm_cdf(-d2));
                (
                    k * dr * nmd2 - s * dq * nmd1,
                    -dq * nmd1,
                    decay + r * k * dr * nmd2 - q * s * dq * nmd1,
                    -k * t * dr * nmd2,
                )
            }
        };
        Greeks {
            price,
            delta,
            gamma,
            vega,
            theta,
            theta_per_day: theta / 365.0,
            rho,
            vanna: -dq * pdf * d2 / v,
            volga: vega * d1 * d2 / v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_value_and_parity() {
        // Hull: S 42, K 40, r 10%, sigma 20%, T 0.5: call 4.76, put 0.81.
        let c = European {
            kind: OptionType::Call,
            spot: 42.0,
            strike: 40.0,
            expiry: 0.5,
            vol: 0.2,
            rate: 0.1,
            dividend: 0.0,
        };
        let p = European {
            kind: OptionType::Put,
            ..c
        };
        let cp = c.price().expect("ok");
        assert!((cp - 4.759_422_392_871_532).abs() < 1e-12, "{cp}");
        assert!((p.price().expect("ok") - 0.808_599_372_900_092_2).abs() < 1e-12);
        let parity =
            c.price().expect("ok") - p.price().expect("ok") - (42.0 - 40.0 * (-0.05f64).exp());
        assert!(parity.abs() < 1e-12);
        assert!(European { vol: 0.0, ..c }.price().is_err());
        assert!(European {
            spot: f64::NAN,
            ..c
        }
        .greeks()
        .is_err());
    }
}
