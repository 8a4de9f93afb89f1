//! Every bad input gets a clear error naming the place, or a named policy that reports.

mod common;

use common::{dates, random_market};
use oxfolio_engine::config::{BacktestConfig, LimitPolicy, MissingPrice};
use oxfolio_engine::results::EventKind;
use oxfolio_engine::{
    Backtest, Builtin, Context, Decision, Market, StrategyConfig, StrategyError, TradeList,
};

fn weights(w: Vec<f64>) -> impl FnMut(&Context<'_>) -> Result<Decision, StrategyError> {
    move |_| Ok(Decision::Weights(w.clone()))
}

fn run_err(
    market: &Market,
    cfg: BacktestConfig,
    mut s: impl FnMut(&Context<'_>) -> Result<Decision, StrategyError>,
) -> String {
    Backtest::new(market, cfg)
        .unwrap()
        .run(&mut s)
        .unwrap_err()
        .to_string()
}

#[test]
fn unknown_symbols_are_named() {
    let m = random_market(1, 3, 10);
    let e = run_err(&m, BacktestConfig::default(), |_| {
        Ok(Decision::Trades(vec![(7, 1.0)]))
    });
    assert!(
        e.contains("2020-01-02") && e.contains("names no symbol"),
        "{e}"
    );
    let e = run_err(&m, BacktestConfig::default(), weights(vec![0.5, 0.5]));
    assert!(e.contains("2 values for 3 symbols"), "{e}");
    let cfg = StrategyConfig {
        kind: "fixed_weights".into(),
        weights: [("NOPE".to_string(), 1.0)].into(),
        ..StrategyConfig::default()
    };
    let e = Builtin::new(&cfg, m.symbols()).unwrap_err().to_string();
    assert!(e.contains("unknown symbol `NOPE`"), "{e}");
    let cfg = BacktestConfig {
        initial_positions: [("ZZZ".to_string(), 10.0)].into(),
        ..BacktestConfig::default()
    };
    let e = Backtest::new(&m, cfg).unwrap_err().to_string();
    assert!(
        e.contains("unknown symbol `ZZZ`") && e.contains("S0, S1, S2"),
        "{e}"
    );
}

#[test]
fn nan_and_infinite_weights_are_errors() {
    let m = random_market(2, 2, 10);
    let e = run_err(&m, BacktestConfig::default(), weights(vec![f64::NAN, 0.5]));
    assert!(e.contains("weight of S0 is NaN"), "{e}");
    let e = run_err(
        &m,
        BacktestConfig::default(),
        weights(vec![0.5, f64::INFINITY]),
    );
    assert!(e.contains("weight of S1 is inf"), "{e}");
}

#[test]
fn gross_weights_above_the_leverage_limit_follow_the_policy() {
    let m = random_market(3, 2, 10);
    // Scale (default): executed at the limit, reported.
    let r = Backtest::new(&m, BacktestConfig::default())
        .unwrap()
        .run(&mut weights(vec![0.9, 0.9]))
        .unwrap();
    assert!(r.events.iter().any(|e| e.kind == EventKind::Leverage));
    assert!(r.daily.gross_exposure[0] <= 1.01 * r.daily.equity[0]);
    // Reject: nothing traded that day.
    let cfg = BacktestConfig {
        limit_policy: LimitPolicy::Reject,
        ..BacktestConfig::default()
    };
    let r = Backtest::new(&m, cfg)
        .unwrap()
        .run(&mut weights(vec![0.9, 0.9]))
        .unwrap();
    assert!(r.fills.is_empty());
    assert!(r.events.iter().all(|e| e.kind == EventKind::Leverage));
    // Error: the run stops, naming the date and the limit.
    let cfg = BacktestConfig {
        limit_policy: LimitPolicy::Error,
        ..BacktestConfig::default()
    };
    let e = run_err(&m, cfg, weights(vec![0.9, 0.9]));
    assert!(
        e.contains("2020-01-02") && e.contains("above the limit"),
        "{e}"
    );
    // Shorts with shorting off are clipped to flat, and reported.
    let r = Backtest::new(&m, BacktestConfig::default())
        .unwrap()
        .run(&mut weights(vec![-0.5, 0.5]))
        .unwrap();
    assert!(r.positions().iter().all(|q| *q >= 0.0));
    assert!(r.events.iter().any(|e| e.kind == EventKind::Short));
}

fn market_with_gap() -> Market {
    // S1 has no price on date 3.
    let n = 2;
    let days = 6;
    let mut close = vec![10.0; n * days];
    close[3 * n + 1] = f64::NAN;
    Market::new(
        dates(days),
        vec!["S0".into(), "S1".into()],
        close,
        None,
        None,
        None,
        None,
    )
    .unwrap()
}

#[test]
fn positions_without_a_price_follow_the_policy() {
    let m = market_with_gap();
    let e = run_err(&m, BacktestConfig::default(), weights(vec![0.5, 0.5]));
    assert!(
        e.contains("2020-01-04") && e.contains("S1") && e.contains("missing_price"),
        "{e}"
    );
    let cfg = BacktestConfig {
        missing_price: MissingPrice::Hold,
        ..BacktestConfig::default()
    };
    let r = Backtest::new(&m, cfg)
        .unwrap()
        .run(&mut weights(vec![0.5, 0.5]))
        .unwrap();
    let missing: Vec<_> = r
        .events
        .iter()
        .filter(|e| e.kind == EventKind::MissingPrice)
        .collect();
    assert!(!missing.is_empty());
    assert!(missing.iter().all(|e| e.day == 3 && e.symbol == Some(1)));
    // Held at the last price: equity unchanged through the gap.
    assert!((r.daily.equity[2] - r.daily.equity[1]).abs() < 1e-6);
}

#[test]
fn date_ranges_outside_the_data_or_empty_are_errors() {
    let m = random_market(4, 2, 10);
    let cfg = BacktestConfig {
        start: Some("2031-01-01".into()),
        ..BacktestConfig::default()
    };
    let e = Backtest::new(&m, cfg).unwrap_err().to_string();
    assert!(
        e.contains("after the data") && e.contains("2020-01-01 to 2020-01-10"),
        "{e}"
    );
    let cfg = BacktestConfig {
        end: Some("2019-01-01".into()),
        ..BacktestConfig::default()
    };
    let e = Backtest::new(&m, cfg).unwrap_err().to_string();
    assert!(e.contains("before the data"), "{e}");
    let cfg = BacktestConfig {
        start: Some("2020-01-08".into()),
        end: Some("2020-01-05".into()),
        ..BacktestConfig::default()
    };
    let e = Backtest::new(&m, cfg).unwrap_err().to_string();
    assert!(e.contains("no dates to trade"), "{e}");
    let cfg = BacktestConfig {
        start: Some("2020-13-01".into()),
        ..BacktestConfig::default()
    };
    let e = Backtest::new(&m, cfg).unwrap_err().to_string();
    assert!(e.contains("not a YYYY-MM-DD date"), "{e}");
}

#[test]
fn zero_volume_under_a_participation_cap_holds_the_order_back() {
    let n = 1;
    let days = 6;
    let close = vec![10.0; days];
    let volume = vec![0.0; days];
    let m = Market::new(
        dates(days),
        vec!["S0".into()],
        close.clone(),
        Some(close.clone()),
        Some(close.clone()),
        Some(close),
        Some(volume),
    )
    .unwrap();
    let cfg = BacktestConfig {
        max_adv_participation: Some(0.1),
        ..BacktestConfig::default()
    };
    let mut once = |ctx: &Context<'_>| {
        Ok(if ctx.t == 1 {
            Decision::Positions(vec![100.0; n])
        } else {
            Decision::Hold
        })
    };
    let r = Backtest::new(&m, cfg).unwrap().run(&mut once).unwrap();
    assert!(r.fills.is_empty());
    // Carried every day, reported every day.
    assert_eq!(r.orders.len(), days - 1);
    assert!(r
        .orders
        .iter()
        .all(|o| o.carried == 100.0 && o.executed == 0.0));
    assert_eq!(
        r.events
            .iter()
            .filter(|e| e.kind == EventKind::VolumeCap)
            .count(),
        days - 1
    );
}

#[test]
fn a_strategy_error_names_the_date_and_the_strategy() {
    let m = random_market(5, 2, 10);
    let e = run_err(&m, BacktestConfig::default(), |ctx| {
        if ctx.t == 4 {
            Err(StrategyError::new("model file missing"))
        } else {
            Ok(Decision::Hold)
        }
    });
    assert_eq!(
        e,
        "2020-01-05: strategy `custom` failed: model file missing"
    );
}

#[test]
fn bad_markets_and_configs_are_named() {
    let e = Market::new(
        dates(2),
        vec!["A".into()],
        vec![10.0, -1.0],
        None,
        None,
        None,
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("close of A on 2020-01-02 is -1"), "{e}");
    let mut d = dates(2);
    d.swap(0, 1);
    let e = Market::new(
        d,
        vec!["A".into()],
        vec![10.0, 11.0],
        None,
        None,
        None,
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("not strictly increasing"), "{e}");
    let e = Market::new(
        dates(1),
        vec!["A".into(), "A".into()],
        vec![10.0, 11.0],
        None,
        None,
        None,
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("`A` appears twice"), "{e}");
    let m = random_market(6, 2, 5);
    for (cfg, needle) in [
        (
            BacktestConfig {
                transaction_cost_bps: -1.0,
                ..Default::default()
            },
            "transaction_cost_bps",
        ),
        (
            BacktestConfig {
                num_fills: 0,
                ..Default::default()
            },
            "num_fills",
        ),
        (
            BacktestConfig {
                initial_cash: f64::NAN,
                ..Default::default()
            },
            "initial_cash",
        ),
        (
            BacktestConfig {
                max_gross_leverage: 0.0,
                ..Default::default()
            },
            "max_gross_leverage",
        ),
    ] {
        let e = Backtest::new(&m, cfg).unwrap_err().to_string();
        assert!(e.contains(needle), "{e}");
    }
    // The mode accepts names and the numbers 1-3, nothing else.
    let ok: BacktestConfig = toml::from_str("mode = 2").unwrap();
    assert_eq!(ok.mode, oxfolio_engine::config::Mode::AlphaDriven);
    let ok: BacktestConfig = toml::from_str("mode = \"external_trades\"").unwrap();
    assert_eq!(ok.mode, oxfolio_engine::config::Mode::ExternalTrades);
    let e = toml::from_str::<BacktestConfig>("mode = 4")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("target_portfolio (1), alpha_driven (2) or external_trades (3)"),
        "{e}"
    );
    let e = toml::from_str::<BacktestConfig>("initial_csh = 4")
        .unwrap_err()
        .to_string();
    assert!(e.contains("initial_csh"), "{e}");
    // A decision that does not fit the mode.
    let cfg = BacktestConfig {
        mode: oxfolio_engine::config::Mode::AlphaDriven,
        ..Default::default()
    };
    let e = run_err(&m, cfg, weights(vec![0.5, 0.5]));
    assert!(e.contains("does not fit mode AlphaDriven"), "{e}");
}

#[test]
fn trade_files_name_the_bad_line() {
    let dir = std::env::temp_dir().join(format!("oxfolio-trades-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let m = random_market(7, 2, 5);
    let cases = [
        (
            "date,symbol,quantity\n2020-01-02,S0,10\n2020-01-03,XX,5\n",
            ":3: unknown symbol `XX`",
        ),
        (
            "date,symbol,quantity\n2020-01-02,S0,abc\n",
            ":2: quantity `abc`",
        ),
        (
            "date,symbol,quantity\n2020-02-02,S0,1\n",
            ":2: 2020-02-02 is not a trading date",
        ),
        (
            "date,symbol,qty\n2020-01-02,S0,1\n",
            ":1: no `quantity` column",
        ),
        (
            "date,symbol,quantity\n02/01/2020,S0,1\n",
            ":2: date `02/01/2020`",
        ),
    ];
    for (k, (text, needle)) in cases.iter().enumerate() {
        let path = dir.join(format!("t{k}.csv"));
        std::fs::write(&path, text).unwrap();
        let e = TradeList::read_csv(&path, m.symbols(), m.dates())
            .unwrap_err()
            .to_string();
        assert!(e.contains(needle), "{e}");
    }
    let path = dir.join("good.csv");
    std::fs::write(
        &path,
        "symbol,quantity,date\nS1,-3,2020-01-03\nS0,10,2020-01-02\n",
    )
    .unwrap();
    let list = TradeList::read_csv(&path, m.symbols(), m.dates()).unwrap();
    assert_eq!(list.len(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}
