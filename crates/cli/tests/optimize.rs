//! `oxfolio optimize` end to end: the JSON contract, agreement with PyPortfolioOpt (the
//! optim crate's fixture), and one-line errors.

mod common;

use common::{assert_one_line_error, oxfolio, repo};

fn reference() -> serde_json::Value {
    serde_json::from_str(include_str!(
        "../../optim/tests/fixtures/pypfopt_reference.json"
    ))
    .unwrap()
}

fn optimize(extra: &[&str]) -> std::process::Output {
    let prices = repo().join("data/wide/closes.csv");
    let mut args = vec![
        "optimize",
        "--prices",
        prices.to_str().unwrap(),
        "--start",
        "2015-01-02",
        "--end",
        "2019-12-31",
    ];
    args.extend_from_slice(extra);
    oxfolio(&args, &repo())
}

#[test]
fn json_contract_and_pypfopt_weights() {
    let r = reference();
    let symbols: Vec<String> = r["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    for (args, key) in [
        (
            vec!["--method", "max-sharpe", "--risk-free", "0.02"],
            "max_sharpe_rf2",
        ),
        (
            vec![
                "--method",
                "max-sharpe",
                "--risk-free",
                "0.02",
                "--bounds",
                "0,0.2",
            ],
            "max_sharpe_rf2_cap20",
        ),
        (vec!["--method", "min-volatility"], "min_volatility"),
        (
            vec!["--method", "min-volatility", "--cov", "ledoit-wolf"],
            "min_volatility_lw",
        ),
        (
            vec!["--method", "efficient-return", "--target-return", "0.3"],
            "efficient_return_30",
        ),
        (
            vec!["--method", "efficient-risk", "--target-volatility", "0.2"],
            "efficient_risk_20",
        ),
        (vec!["--method", "hrp"], "hrp_single"),
        (vec!["--method", "hrp", "--linkage", "ward"], "hrp_ward"),
    ] {
        let mut all = args.clone();
        all.push("--json");
        let o = optimize(&all);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        for k in ["expected_return", "volatility", "sharpe"] {
            assert!(v[k].is_number(), "{k}");
        }
        let want = r[key].as_array().unwrap();
        for (s, w) in symbols.iter().zip(want) {
            let got = v["weights"][s].as_f64().unwrap();
            assert!((got - w.as_f64().unwrap()).abs() < 1e-5, "{key} {s}: {got}");
            assert!(v["risk_contributions"][s].is_number());
        }
    }
    let o = optimize(&["--method", "inverse-volatility", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let total: f64 = v["weights"]
        .as_object()
        .unwrap()
        .values()
        .map(|w| w.as_f64().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-12);

    let o = optimize(&["--method", "risk-parity", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let volatility = v["volatility"].as_f64().unwrap();
    for rc in v["risk_contributions"].as_object().unwrap().values() {
        let share = rc.as_f64().unwrap() / volatility;
        assert!(
            (share - 1.0 / symbols.len() as f64).abs() < 1e-12,
            "{share}"
        );
    }
}

#[test]
fn infeasible_and_bad_requests_fail_with_one_line() {
    assert_one_line_error(
        &optimize(&["--method", "min-volatility", "--bounds", "0,0.05"]),
        "cannot sum to 1",
    );
    assert_one_line_error(
        &optimize(&["--method", "efficient-return", "--target-return", "3"]),
        "above the highest return",
    );
    assert_one_line_error(
        &optimize(&["--method", "efficient-return"]),
        "needs --target-return",
    );
    assert_one_line_error(
        &optimize(&["--method", "max-sharpe", "--risk-free", "5"]),
        "above the risk-free rate",
    );
    assert_one_line_error(
        &optimize(&["--method", "min-volatility", "--bounds", "x"]),
        "must be LO,HI",
    );
}
