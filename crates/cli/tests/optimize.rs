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

/// The fixture's symbols, in column order.
fn symbols(r: &serde_json::Value) -> Vec<String> {
    r["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
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
    let symbols = symbols(&r);
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

#[test]
fn fallback_chain_records_why_earlier_methods_failed() {
    let o = optimize(&[
        "--method",
        "max-sharpe",
        "--risk-free",
        "0.9",
        "--fallback",
        "hrp,equal-weight",
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["method"], "hrp");
    assert_eq!(v["failures"][0]["method"], "max-sharpe");
    assert_eq!(v["failures"][0]["kind"], "infeasible");
    assert!(v["failures"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("risk-free rate"));
    // Bounds that cannot sum to one fail every mean-variance step; equal weight still works.
    let o = optimize(&[
        "--method",
        "min-volatility",
        "--bounds",
        "0,0.01",
        "--fallback",
        "max-sharpe,equal-weight",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["method"], "equal-weight");
    assert_eq!(v["failures"].as_array().unwrap().len(), 2);
    // When every step fails: one line naming each reason.
    assert_one_line_error(
        &optimize(&[
            "--method",
            "min-volatility",
            "--bounds",
            "0,0.01",
            "--fallback",
            "max-sharpe",
        ]),
        "every method failed",
    );
}

#[test]
fn capital_turns_weights_into_pypfopt_shares() {
    let r = reference();
    let case = &r["greedy_allocations"][0];
    assert_eq!(case["weights"], "max_sharpe_rf2");
    let o = optimize(&[
        "--method",
        "max-sharpe",
        "--risk-free",
        "0.02",
        "--capital",
        "10000",
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let symbols = r["symbols"].as_array().unwrap();
    for (s, want) in symbols.iter().zip(case["shares"].as_array().unwrap()) {
        assert_eq!(v["allocation"]["shares"][s.as_str().unwrap()], *want, "{s}");
    }
    let leftover = v["allocation"]["leftover"].as_f64().unwrap();
    assert!((leftover - case["leftover"].as_f64().unwrap()).abs() < 1e-4);
    assert_eq!(v["allocation"]["method"], "greedy");
    // The integer programme: here the same shares as PyPortfolioOpt's lp_portfolio (HiGHS).
    let o = optimize(&[
        "--method",
        "max-sharpe",
        "--risk-free",
        "0.02",
        "--capital",
        "10000",
        "--allocation",
        "exact",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["allocation"]["method"], "exact");
    for (s, want) in symbols.iter().zip(case["lp_shares"].as_array().unwrap()) {
        assert_eq!(v["allocation"]["shares"][s.as_str().unwrap()], *want, "{s}");
    }
}

#[test]
fn frontier_writes_csv_json_and_html() {
    let dir = tempfile::tempdir().unwrap();
    let prices = repo().join("data/wide/closes.csv");
    let o = oxfolio(
        &[
            "frontier",
            "--prices",
            prices.to_str().unwrap(),
            "--points",
            "12",
            "--risk-free",
            "0.02",
            "--start",
            "2015-01-02",
            "--end",
            "2019-12-31",
            "--out",
            dir.path().to_str().unwrap(),
            "--json",
        ],
        &repo(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let points = v["points"].as_array().unwrap();
    assert_eq!(points.len(), 12);
    let r = reference();
    // The first point is PyPortfolioOpt's min-volatility portfolio; max Sharpe is marked.
    for (i, s) in symbols(&r).iter().enumerate() {
        let got = points[0]["weights"][s].as_f64().unwrap();
        assert!((got - r["min_volatility"][i].as_f64().unwrap()).abs() < 1e-5);
        let ms = v["max_sharpe"]["weights"][s].as_f64().unwrap();
        let want = r["max_sharpe_rf2"][i].as_f64().unwrap();
        assert!((ms - want).abs() < 1e-5);
    }
    let returns: Vec<f64> = points
        .iter()
        .map(|p| p["expected_return"].as_f64().unwrap())
        .collect();
    let vols: Vec<f64> = points
        .iter()
        .map(|p| p["volatility"].as_f64().unwrap())
        .collect();
    let step = returns[1] - returns[0];
    for k in 1..returns.len() {
        assert!(
            (returns[k] - returns[k - 1] - step).abs() < 1e-6,
            "evenly spaced returns"
        );
        assert!(
            vols[k] >= vols[k - 1] - 1e-9,
            "volatility rises along the frontier"
        );
    }
    let best = v["max_sharpe"]["sharpe"].as_f64().unwrap();
    assert!(points
        .iter()
        .all(|p| p["sharpe"].as_f64().unwrap() <= best + 1e-6));
    let csv = std::fs::read_to_string(dir.path().join("frontier.csv")).unwrap();
    assert_eq!(csv.lines().count(), 13);
    assert!(csv.starts_with("point,expected_return,volatility,sharpe,AAPL"));
    let html = std::fs::read_to_string(dir.path().join("frontier.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("max Sharpe") && !html.contains("<script"));
}

#[test]
fn every_estimator_runs() {
    for cov in [
        "sample",
        "ledoit-wolf",
        "ledoit-wolf-single-factor",
        "ledoit-wolf-constant-correlation",
        "oracle-approximating",
        "exponential",
        "semicovariance",
    ] {
        for mu in ["historical", "ema", "capm"] {
            let o = optimize(&["--method", "max-sharpe", "--cov", cov, "--mu", mu, "--json"]);
            assert!(
                o.status.success(),
                "{cov} {mu}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            assert!(v["sharpe"].as_f64().unwrap().is_finite(), "{cov} {mu}");
        }
    }
}

#[test]
fn constraints_from_flags_match_pypfopt() {
    let r = reference();
    let symbols = symbols(&r);
    let dir = tempfile::tempdir().unwrap();
    let groups = dir.path().join("groups.csv");
    let mut text = String::from("symbol,group\n");
    for (s, g) in symbols.iter().zip(r["sectors"].as_array().unwrap()) {
        text.push_str(&format!("{s},{}\n", g.as_str().unwrap()));
    }
    std::fs::write(&groups, text).unwrap();
    let current = dir.path().join("current.csv");
    let mut text = String::from("symbol,weight\n");
    for s in &symbols {
        text.push_str(&format!("{s},{}\n", 1.0 / symbols.len() as f64));
    }
    std::fs::write(&current, text).unwrap();
    let g = groups.to_str().unwrap();
    let c = current.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--method", "max-quadratic-utility", "--risk-aversion", "2"],
            "utility_2",
        ),
        (
            vec!["--method", "min-volatility", "--l2", "0.1"],
            "min_volatility_l2",
        ),
        (
            vec![
                "--method",
                "efficient-return",
                "--target-return",
                "0.2",
                "--market-neutral",
                "--bounds",
                "-1,1",
            ],
            "neutral_return_20",
        ),
        (
            vec![
                "--method",
                "min-volatility",
                "--groups",
                g,
                "--group-bound",
                "tech=0.2:1",
                "--group-bound",
                "energy=0:0.05",
                "--group-bound",
                "fin=0:0.1",
            ],
            "min_volatility_sectors",
        ),
        (
            vec![
                "--method",
                "min-volatility",
                "--current",
                c,
                "--max-turnover",
                "0.5",
            ],
            "min_volatility_turnover",
        ),
        (
            vec![
                "--method",
                "min-volatility",
                "--current",
                c,
                "--cost",
                "0.001",
            ],
            "min_volatility_cost",
        ),
    ];
    for (args, key) in cases {
        let mut all = args.clone();
        all.push("--json");
        let o = optimize(&all);
        assert!(
            o.status.success(),
            "{key}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        for (s, w) in symbols.iter().zip(r[key].as_array().unwrap()) {
            let got = v["weights"][s].as_f64().unwrap();
            assert!((got - w.as_f64().unwrap()).abs() < 1e-5, "{key} {s}: {got}");
        }
    }
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "symbol,group\nAAPL,tech\nNOPE,tech\n").unwrap();
    assert_one_line_error(
        &optimize(&[
            "--method",
            "min-volatility",
            "--groups",
            bad.to_str().unwrap(),
        ]),
        "line 3: unknown symbol \"NOPE\"",
    );
    assert_one_line_error(
        &optimize(&[
            "--method",
            "min-volatility",
            "--groups",
            g,
            "--group-bound",
            "crypto=0:1",
        ]),
        "which --groups does not define",
    );
    assert_one_line_error(
        &optimize(&["--method", "min-volatility", "--max-turnover", "0.2"]),
        "needs the current weights",
    );
}

#[test]
fn pairwise_policy_and_psd_repair() {
    // Three assets seen in pairs: A and B move together, then B and C, then C against A.
    // Each pairwise correlation is +1, +1 and -1: no positive semi-definite matrix has them.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gaps.csv");
    let mut text = String::from("date,A,B,C\n");
    let mut day = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let (mut a, mut b, mut c) = (100.0f64, 100.0f64, 100.0f64);
    for t in 0..150 {
        let step = if (t * 7) % 5 < 2 { 0.01 } else { -0.008 } + 0.001 * ((t % 3) as f64);
        let cell = |v: f64, on: bool| if on { format!("{v}") } else { String::new() };
        match t / 50 {
            0 => {
                a *= 1.0 + step;
                b *= 1.0 + step;
            }
            1 => {
                b *= 1.0 + step;
                c *= 1.0 + step;
            }
            _ => {
                a *= 1.0 + step;
                c *= 1.0 - step;
            }
        }
        let seen = [!(51..100).contains(&t), t < 101, t >= 49];
        text.push_str(&format!(
            "{day},{},{},{}\n",
            cell(a, seen[0]),
            cell(b, seen[1]),
            cell(c, seen[2])
        ));
        day = day.succ_opt().unwrap();
    }
    std::fs::write(&file, text).unwrap();
    let path = file.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "optimize",
            "--prices",
            path,
            "--method",
            "min-volatility",
            "--missing",
            "pairwise",
            "--json",
        ];
        args.extend_from_slice(extra);
        oxfolio(&args, &repo())
    };
    assert_one_line_error(
        &run(&[]),
        "not positive semi-definite; ask for --psd-repair",
    );
    for method in ["spectral", "diagonal"] {
        let o = run(&["--psd-repair", method]);
        assert!(
            o.status.success(),
            "{method}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["missing"], "pairwise");
        assert_eq!(v["psd_repair"]["method"], method);
        assert!(v["psd_repair"]["min_eigenvalue"].as_f64().unwrap() < 0.0);
        assert_eq!(v["psd_repair"]["negative_eigenvalues"], 1);
    }
    // The common window keeps only the days all three have prices.
    let o = oxfolio(
        &[
            "optimize",
            "--prices",
            path,
            "--method",
            "min-volatility",
            "--json",
        ],
        &repo(),
    );
    assert_one_line_error(&o, "fewer than 2 days");
}

#[test]
fn risk_budgets_from_a_file() {
    let r = reference();
    let symbols = symbols(&r);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("budgets.csv");
    let mut text = String::from("symbol,budget\n");
    for (k, s) in symbols.iter().enumerate() {
        text.push_str(&format!("{s},{}\n", 1 + k % 3));
    }
    std::fs::write(&file, &text).unwrap();
    let o = optimize(&[
        "--method",
        "risk-parity",
        "--risk-budgets",
        file.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let vol = v["volatility"].as_f64().unwrap();
    let total: f64 = (0..symbols.len()).map(|k| (1 + k % 3) as f64).sum();
    for (k, s) in symbols.iter().enumerate() {
        let share = v["risk_contributions"][s].as_f64().unwrap() / vol;
        assert!(
            (share - (1 + k % 3) as f64 / total).abs() < 1e-10,
            "{s}: {share}"
        );
    }
    std::fs::write(&file, "symbol,budget\nAAPL,1\n").unwrap();
    assert_one_line_error(
        &optimize(&[
            "--method",
            "risk-parity",
            "--risk-budgets",
            file.to_str().unwrap(),
        ]),
        "no budget for AMD",
    );
}
