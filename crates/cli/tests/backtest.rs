//! `oxfolio backtest` end to end: the default run, the minimal config contract in TOML
//! and YAML, the run folder and `metrics.json` keys, a run reproduced from its own
//! folder, and one-line errors.

mod common;

use std::path::Path;
use std::process::Output;

use common::{assert_one_line_error, oxfolio, repo, text};

fn metrics(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("metrics.json")).expect("metrics.json"))
        .expect("JSON")
}

const FILES: [&str; 14] = [
    "metrics.json",
    "equity.csv",
    "positions.csv",
    "weights.csv",
    "fills.csv",
    "orders.csv",
    "trades.csv",
    "pnl.csv",
    "signals.csv",
    "events.csv",
    "summary_by_symbol.csv",
    "config.toml",
    "report.html",
    "equity.csv",
];

#[test]
fn the_default_run_writes_the_whole_run_folder() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("run");
    let o = oxfolio(&["backtest", "--out", out.to_str().unwrap()], &repo());
    assert!(o.status.success(), "{}", text(&o.stderr));
    let s = text(&o.stdout);
    assert!(
        s.contains("equal_weight on 14 symbols") && s.contains("final_equity"),
        "{s}"
    );
    for f in FILES {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let m = metrics(&out);
    for key in [
        "total_return",
        "cagr",
        "annual_volatility",
        "sharpe",
        "sortino",
        "max_drawdown",
        "calmar",
        "var_95",
        "cvar_95",
        "final_equity",
        "total_costs",
        "num_fills",
    ] {
        assert!(m[key].is_number(), "{key}");
    }
    for phase in ["load", "simulate", "analytics", "report"] {
        assert!(m["timings"][phase].as_f64().unwrap() >= 0.0, "{phase}");
    }
    // Headers of the run folder's files are part of the contract.
    let header = |f: &str| {
        text(&std::fs::read(out.join(f)).unwrap())
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        header("fills.csv"),
        "date,symbol,quantity,price,fill_number,cost,impact"
    );
    assert_eq!(
        header("trades.csv"),
        "date,num_trades,num_symbols,notional,cost"
    );
    assert_eq!(header("signals.csv"), "date,symbol,kind,value");
    assert!(
        header("pnl.csv").starts_with("date,symbol,holding_pnl,executed_pnl,external_pnl,costs")
    );
    let html = text(&std::fs::read(out.join("report.html")).unwrap());
    assert!(html.contains("<svg") && !html.contains("<script") && !html.contains("http://cdn"));
    // The P&L identity on every row of equity.csv.
    let eq = text(&std::fs::read(out.join("equity.csv")).unwrap());
    let mut prev = m["initial_equity"].as_f64().unwrap();
    let base: Vec<&str> = eq.lines().nth(1).unwrap().split(',').collect();
    assert_eq!((base[0], base[3]), ("2014-12-31", ""));
    assert_eq!(base[1].parse::<f64>().unwrap(), prev);
    for line in eq.lines().skip(2) {
        let c: Vec<f64> = line
            .split(',')
            .skip(1)
            .map(|v| v.parse().unwrap())
            .collect();
        let (equity, holding, executed, costs) = (c[0], c[4], c[5], c[7]);
        assert!(
            ((equity - prev) - (holding + executed - costs)).abs() <= 1e-9 * equity,
            "{line}"
        );
        prev = equity;
    }
    // The fills add up to num_fills and total_costs.
    let fills = text(&std::fs::read(out.join("fills.csv")).unwrap());
    assert_eq!(
        fills.lines().count() - 1,
        m["num_fills"].as_u64().unwrap() as usize
    );
    let cost: f64 = fills
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(5).unwrap().parse::<f64>().unwrap())
        .sum();
    assert!((cost - m["total_costs"].as_f64().unwrap()).abs() < 1e-6);
}

#[test]
fn the_minimal_contract_config_runs_in_toml_and_yaml_alike() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut finals = Vec::new();
    for name in ["minimal.toml", "minimal.yaml"] {
        let out = tmp.path().join(name);
        let config = repo().join("examples").join(name);
        let o = oxfolio(
            &[
                "--config",
                config.to_str().unwrap(),
                "backtest",
                "--out",
                out.to_str().unwrap(),
                "--json",
            ],
            tmp.path(),
        );
        assert!(o.status.success(), "{}", text(&o.stderr));
        let m: serde_json::Value = serde_json::from_str(&text(&o.stdout)).expect("JSON");
        assert_eq!(m["start"], "2015-01-05");
        assert_eq!(m["end"], "2019-12-31");
        assert_eq!(m["symbols"], 19);
        // Close-only data: one fill per symbol and day.
        let fills = text(&std::fs::read(out.join("fills.csv")).unwrap());
        assert!(fills
            .lines()
            .skip(1)
            .all(|l| l.split(',').nth(4) == Some("1")));
        finals.push(m["final_equity"].as_f64().unwrap());
    }
    assert_eq!(finals[0], finals[1]);
    // The run reproduces from its own folder's resolved config.
    let again = tmp.path().join("again");
    let resolved = tmp.path().join("minimal.toml/config.toml");
    let o = oxfolio(
        &[
            "--config",
            resolved.to_str().unwrap(),
            "backtest",
            "--out",
            again.to_str().unwrap(),
            "--json",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(metrics(&again)["final_equity"].as_f64().unwrap(), finals[0]);
    assert_eq!(
        std::fs::read(again.join("equity.csv")).unwrap(),
        std::fs::read(tmp.path().join("minimal.toml/equity.csv")).unwrap()
    );
}

fn run_config(body: &str) -> Output {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("c.toml");
    let prices = repo().join("data/wide/closes.csv");
    std::fs::write(
        &path,
        format!("[data]\nprices = \"{}\"\n{body}", prices.display()),
    )
    .unwrap();
    let out = tmp.path().join("out");
    oxfolio(
        &[
            "--config",
            path.to_str().unwrap(),
            "backtest",
            "--out",
            out.to_str().unwrap(),
            "--json",
        ],
        tmp.path(),
    )
}

#[test]
fn every_builtin_strategy_runs_from_a_config() {
    for (strategy, extra) in [
        ("kind = \"equal_weight\"\nrebalance = \"drift\"\ndrift_threshold = 0.2", ""),
        ("kind = \"fixed_weights\"\nweights = { AAPL = 0.6, XOM = 0.4 }\nrebalance = \"weekly\"", ""),
        ("kind = \"inverse_volatility\"\nlookback = 60\nsymbols = [\"AAPL\", \"JPM\", \"XOM\", \"WMT\"]", ""),
        ("kind = \"volatility_target\"\ntarget_volatility = 0.08\nlookback = 20", ""),
        ("kind = \"drawdown_scaled\"\nmax_drawdown = 0.15\nmin_exposure = 0.2", ""),
        ("kind = \"fixed_positions\"\npositions = { AAPL = 1000, MA = 500 }", ""),
        ("kind = \"momentum_top_k\"\nk = 3\nlookback = 126\nweighting = \"inverse_volatility\"", ""),
        ("kind = \"momentum_alpha\"\nlookback = 60", "mode = \"alpha_driven\"\nrisk_aversion = 5\nallow_short = false\n"),
        ("kind = \"equal_weight\"", "max_portfolio_variance = 0.01\ncovariance_window = 60\n"),
    ] {
        let o = run_config(&format!("[backtest]\nstart = \"2016-01-01\"\nend = \"2018-12-31\"\ntransaction_cost_bps = 5\n{extra}[strategy]\n{strategy}\n"));
        assert!(o.status.success(), "{strategy}: {}", text(&o.stderr));
        let m: serde_json::Value = serde_json::from_str(&text(&o.stdout)).expect("JSON");
        assert!(m["num_fills"].as_u64().unwrap() > 0, "{strategy}");
        assert!(m["final_equity"].as_f64().unwrap() > 0.0, "{strategy}");
    }
}

#[test]
fn bad_configs_fail_with_one_line() {
    assert_one_line_error(
        &run_config("[strategy]\nkind = \"magic\"\n"),
        "unknown strategy kind `magic`",
    );
    assert_one_line_error(
        &run_config("[strategy]\nkind = \"fixed_weights\"\nweights = { NOPE = 1.0 }\n"),
        "unknown symbol `NOPE`",
    );
    assert_one_line_error(
        &run_config("[backtest]\ntransaction_cost_bps = -3\n"),
        "transaction_cost_bps must be a non-negative number",
    );
    assert_one_line_error(
        &run_config("[backtest]\nmax_adv_participation = 0.1\n"),
        "needs volume data",
    );
    assert_one_line_error(
        &run_config("[backtest]\nstart = \"2030-01-01\"\n"),
        "after the data",
    );
    assert_one_line_error(&run_config("[backtest]\nmode = 7\n"), "alpha_driven (2)");
    assert_one_line_error(&run_config("[backtest]\nintial_cash = 5\n"), "intial_cash");
    assert_one_line_error(&run_config("[backtest]\nmode = 3\n"), "strategy.trades");
}

#[test]
fn external_trades_from_a_file() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(
        tmp.path().join("trades.csv"),
        "date,symbol,quantity\n2016-01-04,AAPL,100\n2016-02-01,AAPL,-40\n2016-02-01,XOM,25\n",
    )
    .unwrap();
    let prices = repo().join("data/wide/closes.csv");
    std::fs::write(
        tmp.path().join("c.toml"),
        format!("[data]\nprices = \"{}\"\nstart = \"2015-06-01\"\n[backtest]\nmode = 3\n[strategy]\nkind = \"trades_file\"\ntrades = \"trades.csv\"\n", prices.display()),
    )
    .unwrap();
    let o = oxfolio(
        &["--config", "c.toml", "backtest", "--out", "out"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let fills = text(&std::fs::read(tmp.path().join("out/fills.csv")).unwrap());
    let rows: Vec<&str> = fills.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{fills}");
    assert!(rows[0].starts_with("2016-01-04,AAPL,100,"));
    assert!(rows[1].starts_with("2016-02-01,AAPL,-40,"));
}

#[test]
fn every_example_config_runs() {
    let dir = repo().join("examples/strategies");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples/strategies")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml" || x == "yaml"))
        .collect();
    names.sort();
    assert!(names.len() >= 8);
    let tmp = tempfile::tempdir().expect("tmp");
    for path in names {
        let out = tmp.path().join(path.file_name().unwrap());
        let o = oxfolio(
            &[
                "--config",
                path.to_str().unwrap(),
                "backtest",
                "--out",
                out.to_str().unwrap(),
                "--json",
            ],
            tmp.path(),
        );
        assert!(
            o.status.success(),
            "{}: {}",
            path.display(),
            text(&o.stderr)
        );
        let m = metrics(&out);
        assert!(m["num_fills"].as_u64().unwrap() > 0, "{}", path.display());
    }
}
