//! The optim crate against scikit-learn (Ledoit-Wolf) and cvxpy (the convex problems);
//! fixtures from `fixtures/make_optim_fixtures.py`.

mod common;

use common::{floats, max_diff};

use oxfolio_optim::{alpha_weights, cap_variance, AlphaSettings, Estimator, RiskModel};
use serde_json::Value;

fn cases() -> Vec<Value> {
    let text = include_str!("fixtures/optim_reference.json");
    let v: Value = serde_json::from_str(text).unwrap();
    v["cases"].as_array().unwrap().clone()
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    max_diff(a, b)
}

#[test]
fn ledoit_wolf_and_sample_match_references() {
    for case in cases() {
        let n = case["assets"].as_u64().unwrap() as usize;
        let returns = floats(&case["returns"]);
        let lw = RiskModel::estimate(&returns, n, Estimator::LedoitWolf, 1.0).unwrap();
        let reference = floats(&case["ledoit_wolf"]);
        let scale = reference.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(max_abs_diff(&lw.dense(), &reference) < 1e-12 * scale);
        assert!((lw.shrinkage() - case["shrinkage"].as_f64().unwrap()).abs() < 1e-12);
        let sample = RiskModel::estimate(&returns, n, Estimator::Sample, 1.0).unwrap();
        assert!(max_abs_diff(&sample.dense(), &floats(&case["sample"])) < 1e-12 * scale);
    }
}

#[test]
fn variance_cap_matches_cvxpy_and_holds() {
    for case in cases() {
        let n = case["assets"].as_u64().unwrap() as usize;
        let model = RiskModel::estimate(&floats(&case["returns"]), n, Estimator::LedoitWolf, 252.0)
            .unwrap();
        let requested = floats(&case["requested"]);
        let cap = case["cap"].as_f64().unwrap();
        let w = cap_variance(&requested, &model, cap, true).unwrap();
        assert!(max_abs_diff(&w, &floats(&case["capped"])) < 1e-5, "{w:?}");
        assert!(model.variance(&w) <= cap * (1.0 + 1e-8));
        // Without other binding constraints the closest portfolio in the S-metric is the
        // requested one scaled onto the cap: a closed form.
        let scale = (cap / model.variance(&requested)).sqrt();
        let scaled: Vec<f64> = requested.iter().map(|r| r * scale).collect();
        assert!(max_abs_diff(&w, &scaled) < 1e-5);
    }
}

#[test]
fn alpha_step_matches_cvxpy() {
    for case in cases() {
        let n = case["assets"].as_u64().unwrap() as usize;
        let model = RiskModel::estimate(&floats(&case["returns"]), n, Estimator::LedoitWolf, 252.0)
            .unwrap();
        let alpha = floats(&case["alpha"]);
        let current = floats(&case["current"]);
        let settings = AlphaSettings {
            risk_aversion: case["risk_aversion"].as_f64().unwrap(),
            cost_penalty: case["cost_penalty"].as_f64().unwrap(),
            allow_short: false,
            max_gross: 1.0,
        };
        let w = alpha_weights(&alpha, &current, &model, settings).unwrap();
        assert!(max_abs_diff(&w, &floats(&case["alpha_long_only"])) < 1e-5);
        let w = alpha_weights(
            &alpha,
            &current,
            &model,
            AlphaSettings {
                allow_short: true,
                max_gross: 1.5,
                ..settings
            },
        )
        .unwrap();
        assert!(max_abs_diff(&w, &floats(&case["alpha_long_short_gross_1_5"])) < 1e-5);
    }
}

#[test]
fn unconstrained_alpha_step_is_the_closed_form() {
    // With no binding limits and no cost, lambda S w = alpha.
    let case = &cases()[2];
    let n = case["assets"].as_u64().unwrap() as usize;
    let model =
        RiskModel::estimate(&floats(&case["returns"]), n, Estimator::LedoitWolf, 252.0).unwrap();
    let alpha: Vec<f64> = (0..n).map(|i| 0.01 * (i as f64 - 5.0)).collect();
    let settings = AlphaSettings {
        risk_aversion: 10.0,
        cost_penalty: 0.0,
        allow_short: true,
        max_gross: 1000.0,
    };
    let w = alpha_weights(&alpha, &vec![0.0; n], &model, settings).unwrap();
    let sw = model.multiply(&w);
    for (s, a) in sw.iter().zip(&alpha) {
        assert!((10.0 * s - a).abs() < 1e-7, "{s} {a}");
    }
}

#[test]
fn bad_inputs_are_named() {
    let returns = vec![0.01, 0.02, -0.01, 0.0, 0.005, 0.01];
    let model = RiskModel::estimate(&returns, 2, Estimator::Sample, 252.0).unwrap();
    let e = cap_variance(&[f64::NAN, 0.5], &model, 0.01, true).unwrap_err();
    assert!(e.to_string().contains("asset 0"), "{e}");
    let e = cap_variance(&[0.5], &model, 0.01, true).unwrap_err();
    assert!(e.to_string().contains("1 entries for 2 assets"), "{e}");
    let e = cap_variance(&[0.5, 0.5], &model, -1.0, true).unwrap_err();
    assert!(e.to_string().contains("variance cap"), "{e}");
    let e = RiskModel::estimate(&[0.1, f64::INFINITY], 1, Estimator::Sample, 252.0).unwrap_err();
    assert!(e.to_string().contains("row 1"), "{e}");
    let e = RiskModel::estimate(&[0.1, 0.2, 0.3], 2, Estimator::Sample, 252.0).unwrap_err();
    assert!(e.to_string().contains("whole number"), "{e}");
    let e = RiskModel::estimate(&[0.1, 0.2], 2, Estimator::Sample, 252.0).unwrap_err();
    assert!(e.to_string().contains("at least 2"), "{e}");
}
