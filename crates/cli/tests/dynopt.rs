//! `oxfolio dynopt` end to end: the default run folder on the bundled futures, the JSON
//! solve contract, and one-line errors for bad inputs.

mod common;

use common::{assert_one_line_error, json, oxfolio, repo, stdout};

#[test]
fn default_run_writes_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let solves = dir.path().join("solves.jsonl");
    let o = oxfolio(
        &[
            "dynopt",
            "--out",
            out.to_str().unwrap(),
            "--json",
            "--record-solves",
            solves.to_str().unwrap(),
        ],
        &repo(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = json(&o);
    assert_eq!(m["instruments"].as_array().unwrap().len(), 33);
    assert_eq!(m["capital"], 100000.0);
    assert_eq!(m["risk_target"], 0.2);
    for run in ["static", "dynamic"] {
        for key in [
            "annual_return",
            "annual_volatility",
            "sharpe",
            "total_turnover",
            "annual_turnover",
            "average_tracking_error",
            "costs_paid",
        ] {
            assert!(m[run][key].is_number(), "{run}.{key}");
        }
    }
    assert!(m["dynamic"]["average_adjustment_factor"].is_number());
    for key in ["load", "simulate", "report"] {
        assert!(m["timings"][key].is_number());
    }
    // Dynamic positions track the ideal better than rounding each one on its own.
    assert!(
        m["dynamic"]["average_tracking_error"].as_f64().unwrap()
            < m["static"]["average_tracking_error"].as_f64().unwrap()
    );
    for file in [
        "metrics.json",
        "comparison.csv",
        "equity.csv",
        "positions_static.csv",
        "positions_dynamic.csv",
        "ideal_positions.csv",
        "decisions.csv",
        "weights.csv",
        "instruments.csv",
        "config.toml",
        "report.html",
    ] {
        assert!(out.join(file).is_file(), "{file}");
    }
    let lines = std::fs::read_to_string(&solves).unwrap().lines().count();
    assert_eq!(lines as u64, m["dynamic"]["rebalances"].as_u64().unwrap());
    // The folder's config reproduces the run.
    let again = dir.path().join("again");
    let o = oxfolio(
        &[
            "dynopt",
            "--config",
            out.join("config.toml").to_str().unwrap(),
            "--out",
            again.to_str().unwrap(),
        ],
        &repo(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read(out.join("positions_dynamic.csv")).unwrap(),
        std::fs::read(again.join("positions_dynamic.csv")).unwrap()
    );
}

#[test]
fn solve_json_contract() {
    let o = oxfolio(
        &[
            "dynopt",
            "solve",
            "--input",
            "examples/dynopt_solve.json",
            "--json",
        ],
        &repo(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    // Hand check: the greedy result is (2, 0, 1); previous (1, 0, 0) is 0.0488 away in
    // tracking error, so a = (0.0488 - 0.01) / 0.0488 = 0.795 and round(0.795) = 1 contract
    // of SP500 and of GOLD: the greedy result itself.
    assert_eq!(v["positions"]["SP500"], 2);
    assert_eq!(v["positions"]["US10"], 0);
    assert_eq!(v["positions"]["GOLD"], 1);
    assert_eq!(v["buffering"]["outcome"], "adjusted");
    let a = v["buffering"]["adjustment_factor"].as_f64().unwrap();
    let t = v["buffering"]["tracking_error_to_greedy"].as_f64().unwrap();
    assert!((a - (t - 0.01) / t).abs() < 1e-15);
    assert_eq!(v["buffering_changed_trade"], false);
    let te = v["tracking_error"].as_f64().unwrap();
    let cost = v["cost_penalty"].as_f64().unwrap();
    assert!((v["objective"].as_f64().unwrap() - (te + cost)).abs() < 1e-15);
    // Cost penalty: 50 x (0.0003 x 1 x 0.21 + 0.0004 x 1 x 0.19).
    assert!((cost - 50.0 * (0.0003 * 0.21 + 0.0004 * 0.19)).abs() < 1e-15);
    let text = oxfolio(
        &["dynopt", "solve", "--input", "examples/dynopt_solve.json"],
        &repo(),
    );
    assert!(stdout(&text).contains("SP500"));
}

fn solve_error(dir: &std::path::Path, edit: impl Fn(&mut serde_json::Value), needle: &str) {
    let mut v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("examples/dynopt_solve.json")).unwrap(),
    )
    .unwrap();
    edit(&mut v);
    let path = dir.join("bad.json");
    std::fs::write(&path, v.to_string()).unwrap();
    assert_one_line_error(
        &oxfolio(
            &["dynopt", "solve", "--input", path.to_str().unwrap()],
            &repo(),
        ),
        needle,
    );
}

#[test]
fn bad_solve_inputs_fail_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    solve_error(d, |v| v["covariance"][0][1] = 0.2.into(), "symmetric");
    solve_error(
        d,
        |v| {
            v["covariance"][0][1] = 0.05.into();
            v["covariance"][1][0] = 0.05.into();
        },
        "not positive semi-definite",
    );
    solve_error(
        d,
        |v| v["covariance"][1][1] = 0.0.into(),
        "zero or missing volatility",
    );
    solve_error(
        d,
        |v| v["previous_positions"][0] = 1.5.into(),
        "whole number",
    );
    solve_error(
        d,
        |v| v["reduce_only"] = serde_json::json!(["BUND"]),
        "unknown instrument \"BUND\"",
    );
    solve_error(
        d,
        |v| v["per_contract_value"][2] = 0.0.into(),
        "per_contract_value[2]",
    );
    solve_error(
        d,
        |v| v["optimal_positions"] = serde_json::json!([1.0]),
        "1 entries for 3",
    );
    solve_error(d, |v| v["shadowcost"] = 1.into(), "unknown field");
}

#[test]
fn bad_configs_fail_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    let data = repo().join("data/futures/carver");
    std::fs::write(
        &config,
        format!("[data]\ndir = {:?}\ninstruments = [\"BUND\"]\n", data),
    )
    .unwrap();
    assert_one_line_error(
        &oxfolio(
            &[
                "dynopt",
                "--config",
                config.to_str().unwrap(),
                "--out",
                dir.path().join("o").to_str().unwrap(),
            ],
            &repo(),
        ),
        "no row in",
    );
    std::fs::write(
        &config,
        format!("[data]\ndir = {:?}\n[system]\nriskk = 1\n", data),
    )
    .unwrap();
    assert_one_line_error(
        &oxfolio(&["dynopt", "--config", config.to_str().unwrap()], &repo()),
        "unknown field",
    );
}
