//! American (and European) options on a Cox-Ross-Rubinstein binomial tree.
//!
//! `N` steps of `dt = T / N`; the log-price moves by `+-dx`, `dx = sigma sqrt(dt)`, with
//! up probability `p = 1/2 + (r - q - sigma^2/2) dt / (2 dx)` (QuantLib's `crr`
//! parametrisation, so results can be compared with its binomial engine) and discounting
//! `e^{-r dt}` per step. The tree's last layer is the maturity itself: the payoff is
//! applied there exactly, whatever rounding `T / N x N` has. American exercise compares
//! continuation with immediate exercise at every node before maturity.

use crate::bsm::{European, OptionType};
use crate::error::DerivError;

/// Exercise style.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exercise {
    /// At expiry only.
    European,
    /// Any time up to expiry.
    American,
}

/// The option's value on an `steps`-step CRR tree.
pub fn binomial_price(
    option: &European,
    exercise: Exercise,
    steps: usize,
) -> Result<f64, DerivError> {
    option.validate()?;
    if steps == 0 {
        return Err(DerivError::Parameter {
            parameter: "steps",
            message: "must be at least 1".into(),
        });
    }
    let dt = option.expiry / steps as f64;
    let dx = option.vol * dt.sqrt();
    let drift = (option.rate - option.dividend - 0.5 * option.vol * option.vol) * dt;
    let pu = 0.5 + 0.5 * drift / dx;
    if !(0.0..=1.0).contains(&pu) {
        return Err(DerivError::Parameter {
            parameter: "steps",
            message: format!("{steps} steps give an up probability of {pu}; use more steps"),
        });
    }
    let pd = 1.0 - pu;
    let disc = (-option.rate * dt).exp();
    let payoff = |s: f64| match option.kind {
        OptionType::Call => (s - option.strike).max(0.0),
        OptionType::Put => (option.strike - s).max(0.0),
    };
    let x0 = option.spot.ln();
    // Node j of layer i has log-price x0 + (2j - i) dx.
    let mut values: Vec<f64> = (0..=steps)
        .map(|j| payoff((x0 + (2.0 * j as f64 - steps as f64) * dx).exp()))
        .collect();
    for i in (0..steps).rev() {
        for j in 0..=i {
            let continuation = disc * (pd * values[j] + pu * values[j + 1]);
            values[j] = match exercise {
                Exercise::European => continuation,
                Exercise::American => {
                    continuation.max(payoff((x0 + (2.0 * j as f64 - i as f64) * dx).exp()))
                }
            };
        }
    }
    Ok(values[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converges_to_black_scholes_and_american_put_is_worth_more() {
        let o = European {
            kind: OptionType::Put,
            spot: 100.0,
            strike: 100.0,
            expiry: 1.0,
            vol: 0.2,
            rate: 0.05,
            dividend: 0.0,
        };
        let bs = o.price().expect("bs");
        let tree = binomial_price(&o, Exercise::European, 2000).expect("tree");
        assert!((tree - bs).abs() < 2e-3, "{tree} vs {bs}");
        let am = binomial_price(&o, Exercise::American, 2000).expect("tree");
        assert!(am > tree);
        assert!(binomial_price(&o, Exercise::American, 0).is_err());
    }
}
