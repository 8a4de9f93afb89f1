//! `oxfolio backtest --config` with order-level strategies: the issue's TOML on a
//! single-symbol OHLCV file, the YAML with the risk toolkit, the run folder, a run
//! reproduced from its own folder, and one-line errors.

mod common;

use std::path::Path;

use common::{assert_one_line_error, json, oxfolio, repo, stderr, text};

const FILES: [&str; 9] = [
    "metrics.json",
    "equity.csv",
    "fills.csv",
    "orders.csv",
    "trades.csv",
    "refusals.csv",
    "optimisations.csv",
    "config.toml",
    "report.html",
];

fn issue_toml(prices: &Path) -> String {
    format!(
        "[data]\nprices = \"{}\"\n\n[backtest]\ninitial_cash = 100000\ntransaction_cost_bps = 10\n\n\
         [strategy]\nkind = \"sma_crossover\"\nfast = 10\nslow = 30\nquantity = 100        # fixed units per entry; long only\n",
        prices.display()
    )
}

fn rows(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .expect("file")
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn the_issue_toml_runs_on_a_minute_bar_file() {
    let tmp = tempfile::tempdir().expect("tmp");
    let bars = repo().join("data/bars/spy_minute.csv");
    let config = tmp.path().join("sma.toml");
    std::fs::write(&config, issue_toml(&bars)).expect("config");
    let out = tmp.path().join("run");
    let o = oxfolio(
        &[
            "backtest",
            "--config",
            config.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--json",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let m = json(&o);
    for key in [
        "final_equity",
        "num_fills",
        "timings",
        "trades",
        "total_costs",
    ] {
        assert!(m.get(key).is_some(), "metrics.json lacks {key}");
    }
    assert_eq!(m["engine"], "event");
    assert_eq!(m["bars"], 4128);
    for f in FILES {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    // Market orders fill at the next bar's open: each fill's price is the open of its bar,
    // one bar after the order's.
    let data = rows(&bars);
    let fills = rows(&out.join("fills.csv"));
    let orders = rows(&out.join("orders.csv"));
    assert!(!fills.is_empty());
    assert_eq!(m["num_fills"], fills.len());
    for f in &fills {
        let bar = data
            .iter()
            .position(|r| r[0] == f[0])
            .expect("fill on a bar");
        assert_eq!(f[5], data[bar][1], "fill price is that bar's open");
        let order = &orders[f[2].parse::<usize>().unwrap()];
        assert_eq!(
            order[14].parse::<usize>().unwrap() + 1,
            bar,
            "placed the bar before"
        );
        assert!(f[6].parse::<f64>().unwrap() > 0.0, "10 bps commission");
    }
    // The equity curve ends at metrics.json's final equity.
    let equity = rows(&out.join("equity.csv"));
    assert_eq!(equity.len(), 4128);
    let last: f64 = equity[equity.len() - 1][1].parse().unwrap();
    assert!((last - m["final_equity"].as_f64().unwrap()).abs() < 1e-6);

    // The resolved config reproduces the run.
    let again = tmp.path().join("again");
    let o = oxfolio(
        &[
            "backtest",
            "--config",
            out.join("config.toml").to_str().unwrap(),
            "--out",
            again.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(out.join("fills.csv")).unwrap(),
        std::fs::read_to_string(again.join("fills.csv")).unwrap()
    );
}

#[test]
fn the_risk_yaml_runs_with_every_exit_as_an_order() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("run");
    let o = oxfolio(
        &[
            "backtest",
            "--config",
            "examples/event_risk.yaml",
            "--out",
            out.to_str().unwrap(),
        ],
        &repo(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(text(&o.stdout).contains("event-driven"));
    let orders = rows(&out.join("orders.csv"));
    for role in ["strategy", "stop_loss", "trailing_stop", "take_profit"] {
        assert!(orders.iter().any(|r| r[3] == role), "no {role} order");
    }
    let trades = rows(&out.join("trades.csv"));
    assert!(!trades.is_empty());
    assert!(
        trades.iter().all(|t| !t[9].is_empty()),
        "every trip has an R multiple"
    );
    // 1% of equity at risk per entry: no trip loses much more than 1R (gaps aside).
    let worst = trades
        .iter()
        .map(|t| t[9].parse::<f64>().unwrap())
        .fold(f64::INFINITY, f64::min);
    assert!(worst > -3.0, "{worst}");
}

#[test]
fn order_level_errors_are_one_line() {
    let tmp = tempfile::tempdir().expect("tmp");
    let bars = repo().join("data/bars/spy_daily.csv");
    let write = |name: &str, body: String| {
        let p = tmp.path().join(name);
        std::fs::write(&p, body).expect("write");
        p
    };
    let bad_slow = write(
        "slow.toml",
        issue_toml(&bars).replace("slow = 30", "slow = 5"),
    );
    let o = oxfolio(
        &["backtest", "--config", bad_slow.to_str().unwrap()],
        tmp.path(),
    );
    assert_one_line_error(&o, "0 < fast < slow");
    let bad_key = write(
        "key.toml",
        issue_toml(&bars) + "\n[execution]\nfill_timming = \"next_open\"\n",
    );
    let o = oxfolio(
        &["backtest", "--config", bad_key.to_str().unwrap()],
        tmp.path(),
    );
    assert_one_line_error(&o, "fill_timming");
    let bad_cap = write(
        "cap.toml",
        issue_toml(&bars) + "\n[execution]\nmax_volume_share = 1.5\n",
    );
    let o = oxfolio(
        &["backtest", "--config", bad_cap.to_str().unwrap()],
        tmp.path(),
    );
    assert_one_line_error(&o, "max_volume_share");
    let no_signals = write(
        "signals.toml",
        issue_toml(&bars).replace("sma_crossover", "signals"),
    );
    let o = oxfolio(
        &["backtest", "--config", no_signals.to_str().unwrap()],
        tmp.path(),
    );
    assert_one_line_error(&o, "strategy.signals");
}
