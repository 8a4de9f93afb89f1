//! Implied volatility by Jaeckel's "Let's Be Rational" (the `implied-vol` crate), which
//! converges to machine precision for every price strictly inside the no-arbitrage
//! bounds.
//!
//! With `Sq = S e^{-qT}` and `Kr = K e^{-rT}`, a call's price must lie strictly between
//! `max(Sq - Kr, 0)` and `Sq`, a put's strictly between `max(Kr - Sq, 0)` and `Kr`. A price
//! on or beyond a bound (including exactly the intrinsic value, where the volatility is
//! zero) is an error naming the bound. In-the-money options are solved through their
//! out-of-the-money counterpart (put-call parity), so no precision is lost to the intrinsic
//! value.

use implied_vol::{DefaultSpecialFn, ImpliedBlackVolatility};

use crate::bsm::{European, OptionType};
use crate::error::{check_finite, check_positive, DerivError};

/// The volatility at which the European option `template` (its `vol` ignored) is worth
/// `price`.
pub fn implied_volatility(template: &European, price: f64) -> Result<f64, DerivError> {
    let (s, k, t) = (
        check_positive("spot", template.spot)?,
        check_positive("strike", template.strike)?,
        check_positive("expiry", template.expiry)?,
    );
    let (r, q) = (
        check_finite("rate", template.rate)?,
        check_finite("dividend", template.dividend)?,
    );
    check_finite("price", price)?;
    let (sq, kr) = (s * (-q * t).exp(), k * (-r * t).exp());
    let (lower, upper) = match template.kind {
        OptionType::Call => ((sq - kr).max(0.0), sq),
        OptionType::Put => ((kr - sq).max(0.0), kr),
    };
    if price <= lower {
        return Err(DerivError::NoImpliedVol {
            price,
            message: format!("at or below the lower no-arbitrage bound (intrinsic value) {lower}"),
        });
    }
    if price >= upper {
        return Err(DerivError::NoImpliedVol {
            price,
            message: format!("at or above the upper no-arbitrage bound {upper}"),
        });
    }
    // Solve on the out-of-the-money side (put-call parity), where the whole price is time
    // value and none of it is lost to cancellation.
    let (kind, otm_price) = match template.kind {
        OptionType::Call if sq > kr => (OptionType::Put, price - (sq - kr)),
        OptionType::Put if kr > sq => (OptionType::Call, price - (kr - sq)),
        kind => (kind, price),
    };
    let df = (-r * t).exp();
    let forward = s * ((r - q) * t).exp();
    ImpliedBlackVolatility::builder()
        .option_price(otm_price / df)
        .forward(forward)
        .strike(k)
        .expiry(t)
        .is_call(kind == OptionType::Call)
        .build()
        .and_then(|b| b.calculate::<DefaultSpecialFn>())
        .filter(|v| v.is_finite() && *v > 0.0)
        .ok_or_else(|| DerivError::NoImpliedVol {
            price,
            message: "the solver found no volatility".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_bounds() {
        let o = European {
            kind: OptionType::Put,
            spot: 100.0,
            strike: 110.0,
            expiry: 0.25,
            vol: 0.35,
            rate: 0.03,
            dividend: 0.01,
        };
        let p = o.price().expect("price");
        let v = implied_volatility(&o, p).expect("iv");
        assert!((v - 0.35).abs() < 1e-13, "{v}");
        let intrinsic = 110.0 * (-0.03f64 * 0.25).exp() - 100.0 * (-0.01f64 * 0.25).exp();
        let e = implied_volatility(&o, intrinsic).expect_err("intrinsic");
        assert!(e.to_string().contains("lower no-arbitrage bound"), "{e}");
        assert!(implied_volatility(&o, 200.0)
            .expect_err("upper")
            .to_string()
            .contains("upper"));
        assert!(implied_volatility(&o, f64::NAN).is_err());
    }
}
