//! Prices and Greeks against QuantLib 1.44 and vollib on a grid of calls and puts
//! (fixture and script in tests/fixtures).

use serde_json::Value;

use oxfolio_derivatives::batch::OptionData;
use oxfolio_derivatives::{binomial_price, implied_volatility, European, Exercise, OptionType};

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/option_reference.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
}

fn option(c: &Value) -> European {
    let f = |k: &str| c[k].as_f64().expect(k);
    European {
        kind: OptionType::parse(c["type"].as_str().expect("type")).expect("kind"),
        spot: f("spot"),
        strike: f("strike"),
        expiry: f("expiry"),
        vol: c["vol"].as_f64().unwrap_or(0.2),
        rate: f("rate"),
        dividend: f("dividend"),
    }
}

/// Relative difference with a floor, so values that are zero up to rounding compare
/// on an absolute scale.
fn rel(a: f64, b: f64, floor: f64) -> f64 {
    (a - b).abs() / b.abs().max(floor)
}

/// Well conditioned: the option is worth more than a millionth of the spot, so relative
/// comparisons of its price and Greeks are meaningful.
fn well_conditioned(o: &European, price: f64) -> bool {
    price > 1e-6 * o.spot
}

#[test]
fn european_prices_and_greeks_match_quantlib_and_vollib() {
    let doc = fixture();
    let mut worst: Vec<(&str, f64)> = Vec::new();
    let mut compared = 0;
    for c in doc["european"].as_array().expect("cases") {
        let o = option(c);
        let g = o.greeks().expect("greeks");
        let ql = &c["quantlib"];
        let q = |k: &str| ql[k].as_f64().expect(k);
        if !well_conditioned(&o, q("price")) {
            continue;
        }
        compared += 1;
        let checks = [
            ("price", g.price, q("price"), 1e-9 * o.spot),
            ("delta", g.delta, q("delta"), 1e-9),
            ("gamma", g.gamma, q("gamma"), 1e-9 / o.spot),
            ("vega", g.vega, q("vega"), 1e-9 * o.spot),
            ("theta", g.theta, q("theta"), 1e-9 * o.spot),
            (
                "theta_per_day",
                g.theta_per_day,
                q("theta_per_day"),
                1e-9 * o.spot / 365.0,
            ),
            ("rho", g.rho, q("rho"), 1e-9 * o.strike),
            (
                "vanna",
                g.vanna,
                c["closed_form"]["vanna"].as_f64().expect("vanna"),
                1e-9,
            ),
            (
                "volga",
                g.volga,
                c["closed_form"]["volga"].as_f64().expect("volga"),
                1e-9 * o.spot,
            ),
            (
                "vollib price",
                g.price,
                c["vollib"]["price"].as_f64().expect("p"),
                1e-9 * o.spot,
            ),
            (
                "vollib delta",
                g.delta,
                c["vollib"]["delta"].as_f64().expect("d"),
                1e-9,
            ),
            (
                "vollib vega_per_pct",
                g.vega_per_pct(),
                c["vollib"]["vega_per_pct"].as_f64().expect("v"),
                1e-11 * o.spot,
            ),
            (
                "vollib rho_per_pct",
                g.rho_per_pct(),
                c["vollib"]["rho_per_pct"].as_f64().expect("r"),
                1e-11 * o.strike,
            ),
        ];
        for (name, ours, theirs, floor) in checks {
            let e = rel(ours, theirs, floor);
            match worst.iter_mut().find(|w| w.0 == name) {
                Some(w) => w.1 = w.1.max(e),
                None => worst.push((name, e)),
            }
        }
    }
    assert!(compared > 1500, "{compared} well-conditioned cases");
    for (name, e) in &worst {
        println!("{name}: worst relative difference {e:.2e}");
        assert!(*e < 1e-10, "{name}: {e:.2e}");
    }
}

#[test]
fn implied_vol_round_trips_on_the_grid() {
    let doc = fixture();
    let mut worst = 0.0f64;
    for c in doc["european"].as_array().expect("cases") {
        let o = option(c);
        let price = c["quantlib"]["price"].as_f64().expect("price");
        // Implied volatility is well conditioned when the time value is not lost in the
        // price's rounding: at least a millionth of the spot.
        let (sq, kr) = (
            o.spot * (-o.dividend * o.expiry).exp(),
            o.strike * (-o.rate * o.expiry).exp(),
        );
        let intrinsic = match o.kind {
            OptionType::Call => (sq - kr).max(0.0),
            OptionType::Put => (kr - sq).max(0.0),
        };
        if !well_conditioned(&o, price) || price - intrinsic < 1e-6 * o.spot {
            continue;
        }
        match implied_volatility(&o, price) {
            Ok(v) => worst = worst.max((v - o.vol).abs() / o.vol),
            // A price equal to its bound in floating point (vol too small to matter).
            Err(e) => assert!(e.to_string().contains("bound"), "{e} for {o:?}"),
        }
    }
    println!("implied vol worst relative error {worst:.2e}");
    assert!(worst < 1e-9, "{worst:.2e}");
}

#[test]
fn american_tree_matches_quantlib_crr() {
    let doc = fixture();
    let mut worst = 0.0f64;
    for c in doc["american"].as_array().expect("cases") {
        let o = option(c);
        let steps = c["steps"].as_u64().expect("steps") as usize;
        let ours = binomial_price(&o, Exercise::American, steps).expect("tree");
        let theirs = c["quantlib_price"].as_f64().expect("price");
        worst = worst.max(rel(ours, theirs, 1e-9 * o.spot));
    }
    println!("american worst relative difference {worst:.2e}");
    assert!(worst < 1e-10, "{worst:.2e}");
}

#[test]
fn batch_kernel_rows_match_quantlib() {
    // The batch path (SIMD-friendly kernel, blocks of eight) on the same grid.
    let doc = fixture();
    let cases: Vec<&Value> = doc["european"].as_array().expect("cases").iter().collect();
    let options: Vec<European> = cases.iter().map(|c| option(c)).collect();
    let data: OptionData = options.iter().copied().collect();
    let (columns, errors) =
        oxfolio_derivatives::batch::greek_columns(&data.columns()).expect("equal lengths");
    assert!(errors.is_empty());
    let rows: Vec<[f64; 6]> = (0..options.len())
        .map(|i| {
            [
                columns.price[i],
                columns.delta[i],
                columns.gamma[i],
                columns.vega[i],
                columns.theta[i],
                columns.rho[i],
            ]
        })
        .collect();
    let names = ["price", "delta", "gamma", "vega", "theta", "rho"];
    let mut worst = [0.0f64; 6];
    let mut compared = 0;
    for ((c, o), row) in cases.iter().zip(&options).zip(&rows) {
        let ql = &c["quantlib"];
        let q = |k: &str| ql[k].as_f64().expect(k);
        if !well_conditioned(o, q("price")) {
            continue;
        }
        compared += 1;
        let floors = [
            1e-9 * o.spot,
            1e-9,
            1e-9 / o.spot,
            1e-9 * o.spot,
            1e-9 * o.spot,
            1e-9 * o.strike,
        ];
        for k in 0..6 {
            worst[k] = worst[k].max(rel(row[k], q(names[k]), floors[k]));
        }
    }
    assert!(compared > 1500);
    for (name, e) in names.iter().zip(worst) {
        println!("batch {name}: worst relative difference {e:.2e}");
        assert!(e < 1e-10, "batch {name}: {e:.2e}");
    }
}
