//! Property tests: put-call parity, implied-vol round trip, monotonicity in strike and
//! volatility, American >= European, and the tree converging to Black-Scholes.

use proptest::prelude::*;

use oxfolio_derivatives::{binomial_price, implied_volatility, European, Exercise, OptionType};

prop_compose! {
    fn market()(spot in 20.0f64..300.0, moneyness in 0.6f64..1.6, expiry in 0.02f64..5.0, vol in 0.05f64..1.5,
                rate in 0.0f64..0.08, dividend in 0.0f64..0.05, call in any::<bool>()) -> European {
        European { kind: if call { OptionType::Call } else { OptionType::Put }, spot, strike: spot * moneyness, expiry, vol, rate, dividend }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, .. ProptestConfig::default() })]

    #[test]
    fn put_call_parity(o in market()) {
        let c = European { kind: OptionType::Call, ..o }.price().expect("call");
        let p = European { kind: OptionType::Put, ..o }.price().expect("put");
        let forward_value = o.spot * (-o.dividend * o.expiry).exp() - o.strike * (-o.rate * o.expiry).exp();
        prop_assert!((c - p - forward_value).abs() <= 1e-10 * o.spot);
    }

    #[test]
    fn implied_vol_round_trip(o in market()) {
        let price = o.price().expect("price");
        let (sq, kr) = (o.spot * (-o.dividend * o.expiry).exp(), o.strike * (-o.rate * o.expiry).exp());
        let intrinsic = match o.kind { OptionType::Call => (sq - kr).max(0.0), OptionType::Put => (kr - sq).max(0.0) };
        // Only where the time value is well above the price's rounding.
        prop_assume!(price - intrinsic > 1e-6 * o.spot);
        let v = implied_volatility(&o, price).expect("iv");
        prop_assert!((v - o.vol).abs() <= 1e-8 * o.vol, "{} vs {}", v, o.vol);
    }

    #[test]
    fn monotone_in_strike_and_volatility(o in market(), bump in 1.001f64..1.2) {
        let p = o.price().expect("price");
        let higher_strike = European { strike: o.strike * bump, ..o }.price().expect("price");
        let higher_vol = European { vol: o.vol * bump, ..o }.price().expect("price");
        let tol = 1e-12 * o.spot;
        match o.kind {
            OptionType::Call => prop_assert!(higher_strike <= p + tol),
            OptionType::Put => prop_assert!(higher_strike >= p - tol),
        }
        prop_assert!(higher_vol >= p - tol);
    }

    #[test]
    fn american_is_worth_at_least_european(o in market(), steps in 20usize..200) {
        let e = binomial_price(&o, Exercise::European, steps);
        let a = binomial_price(&o, Exercise::American, steps);
        if let (Ok(e), Ok(a)) = (e, a) {
            prop_assert!(a >= e - 1e-12 * o.spot);
        }
    }
}

#[test]
fn tree_converges_to_black_scholes() {
    let o = European {
        kind: OptionType::Call,
        spot: 100.0,
        strike: 105.0,
        expiry: 0.75,
        vol: 0.3,
        rate: 0.04,
        dividend: 0.01,
    };
    let bs = o.price().expect("bs");
    let errors: Vec<f64> = [100, 400, 1600, 6400]
        .iter()
        .map(|n| (binomial_price(&o, Exercise::European, *n).expect("tree") - bs).abs())
        .collect();
    // Error of order 1/N: each fourfold refinement shrinks it (allowing for CRR's oscillation).
    assert!(errors[3] < errors[0] / 8.0, "{errors:?}");
    assert!(errors[3] < 2e-3, "{errors:?}");
}
