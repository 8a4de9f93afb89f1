//! The shipped order-level strategies on real and hand-made data.

mod events_common;

use std::io::Write;

use events_common::{bar, market};
use oxfolio_data::source::SourceSpec;
use oxfolio_engine::builtin::StrategyConfig;
use oxfolio_engine::config::BacktestConfig;
use oxfolio_engine::events::order::{OrderKind, OrderRole};
use oxfolio_engine::events::schedule::Schedule;
use oxfolio_engine::events::strategies::{build, AtrBreakout, OptimizedMomentum, SmaCrossover};
use oxfolio_engine::events::{EventEngine, EventResults, EventSettings, OrderStrategy};
use oxfolio_engine::Market;
use oxfolio_optim::hierarchy::Linkage;
use oxfolio_optim::methods::Method;

fn spy() -> Market {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/bars/spy_daily.csv");
    let spec: SourceSpec = toml::from_str(&format!("path = \"{path}\"")).expect("spec");
    Market::load(&spec).expect("spy")
}

fn settings(cash: f64, bps: f64) -> EventSettings {
    EventSettings {
        backtest: BacktestConfig {
            initial_cash: cash,
            transaction_cost_bps: bps,
            ..BacktestConfig::default()
        },
        ..EventSettings::default()
    }
}

fn run_on(m: &Market, s: EventSettings, strategy: &mut dyn OrderStrategy) -> EventResults {
    EventEngine::new(m, s)
        .expect("engine")
        .run(strategy)
        .expect("run")
}

#[test]
fn sma_crossover_matches_a_hand_computation_on_spy() {
    let m = spy();
    let r = run_on(
        &m,
        settings(100_000.0, 10.0),
        &mut SmaCrossover::new(0, 10, 30, Some(100.0)).expect("strategy"),
    );
    // Independently: window sums, last non-zero difference, orders at the next open.
    let c = m.closes();
    let o = m.opens().expect("opens");
    let mean = |t: usize, n: usize| c[t + 1 - n..=t].iter().sum::<f64>() / n as f64;
    let (mut last, mut long, mut cash) = (0.0f64, false, 100_000.0f64);
    let mut expected = Vec::new();
    for t in 29..c.len() - 1 {
        let d = mean(t, 10) - mean(t, 30);
        let (up, down) = (last < 0.0 && d > 0.0, last > 0.0 && d < 0.0);
        if d != 0.0 {
            last = d;
        }
        if (up && !long) || (down && long) {
            let q = if up { 100.0 } else { -100.0 };
            cash -= q * o[t + 1] + 0.001 * 100.0 * o[t + 1];
            long = up;
            expected.push((t + 1, q, o[t + 1]));
        }
    }
    let fills: Vec<(usize, f64, f64)> = r
        .fills
        .iter()
        .map(|f| (f.bar, f.quantity, f.price))
        .collect();
    assert_eq!(fills.len(), expected.len());
    for (a, b) in fills.iter().zip(&expected) {
        assert_eq!((a.0, a.1), (b.0, b.1));
        assert!((a.2 - b.2).abs() < 1e-12);
    }
    let last_close = c[c.len() - 1];
    let equity = cash + if long { 100.0 * last_close } else { 0.0 };
    assert!(
        (r.final_equity() - equity).abs() < 1e-6,
        "{} vs {equity}",
        r.final_equity()
    );
    // The figure backtrader, backtesting.py and vectorbt give on this file with
    // 10,000,000 cash (bench/event_peers.py): 10,008,765.34, i.e. 8,765.34 of P&L.
    assert!((r.final_equity() - 100_000.0 - 8_765.34).abs() < 0.005);
    let stats = r.stats();
    assert_eq!(stats.trades, r.round_trips.len());
    assert!(stats.win_rate > 0.0 && stats.win_rate < 1.0);
}

#[test]
fn no_look_ahead_later_bars_do_not_change_earlier_fills() {
    let m = spy();
    let cut = 3000;
    let base = run_on(
        &m,
        settings(100_000.0, 10.0),
        &mut SmaCrossover::new(0, 10, 30, Some(100.0)).expect("strategy"),
    );
    // Every price after bar `cut` doubled.
    let scale = |col: &[f64]| -> Vec<f64> {
        col.iter()
            .enumerate()
            .map(|(t, x)| if t > cut { 2.0 * x } else { *x })
            .collect()
    };
    let changed = Market::new(
        m.dates().to_vec(),
        m.symbols().to_vec(),
        scale(m.closes()),
        m.opens().map(scale),
        m.highs().map(scale),
        m.lows().map(scale),
        m.volumes().map(|v| v.to_vec()),
    )
    .expect("market");
    let other = run_on(
        &changed,
        settings(100_000.0, 10.0),
        &mut SmaCrossover::new(0, 10, 30, Some(100.0)).expect("strategy"),
    );
    let upto = |r: &EventResults| -> Vec<(usize, f64, f64)> {
        r.fills
            .iter()
            .filter(|f| f.bar <= cut)
            .map(|f| (f.bar, f.quantity, f.price))
            .collect()
    };
    assert_eq!(upto(&base), upto(&other));
    assert_eq!(base.equity[..=cut], other.equity[..=cut]);
    assert_ne!(base.final_equity(), other.final_equity());
}

#[test]
fn atr_breakout_enters_on_a_new_high_and_trails_its_stop() {
    let mut bars: Vec<_> = (0..12).map(|_| bar(100.0, 101.0, 99.0, 100.0)).collect();
    bars[5] = bar(100.0, 103.0, 100.0, 102.5); // close above the 5-bar high of 101
    bars[6] = bar(102.5, 105.0, 102.0, 104.5);
    bars[7] = bar(104.5, 107.0, 104.0, 106.5);
    bars[8] = bar(106.5, 106.5, 99.0, 99.5); // falls through the raised stop
    let m = market(&bars);
    let r = run_on(
        &m,
        settings(1e6, 0.0),
        &mut AtrBreakout::new(0, 5, 3, 2.0, Some(10.0)).expect("strategy"),
    );
    assert_eq!(
        (r.fills[0].bar, r.fills[0].quantity, r.fills[0].price),
        (6, 10.0, 102.5)
    );
    let stop_order = r
        .orders
        .iter()
        .find(|o| o.role == OrderRole::StopLoss)
        .expect("stop");
    let OrderKind::Stop { stop } = stop_order.request.kind else {
        panic!("a stop order");
    };
    let exit = &r.fills[1];
    assert_eq!((exit.bar, exit.role), (8, OrderRole::StopLoss));
    assert_eq!(exit.price, stop, "filled at its (raised) level");
    assert!(
        stop > 102.5 - 2.0 * 2.5,
        "the stop was raised from its entry level: {stop}"
    );
}

#[test]
fn momentum_records_its_optimisations_and_fallbacks() {
    // Four symbols over 120 days; every return negative in the first windows, so max
    // Sharpe fails (nothing above the risk-free rate), HRP breaks the 60% cap, and equal
    // weight takes over; later, rising prices let max Sharpe through.
    let n_days = 120;
    let day = 86_400_000_000_000i64;
    let start = oxfolio_core::time::from_ymd(2024, 1, 1).expect("date");
    let dates: Vec<i64> = (0..n_days as i64).map(|k| start + k * day).collect();
    let mut close = Vec::new();
    for t in 0..n_days {
        for i in 0..4 {
            let drift = if t < 70 { -0.002 } else { 0.003 };
            let wiggle = 0.01 * ((t * (i + 2)) as f64 * 0.7).sin();
            close.push(100.0 * (1.0 + drift * t as f64 + wiggle * (i as f64 + 1.0) / 4.0));
        }
    }
    let symbols = (0..4).map(|i| format!("S{i}")).collect();
    let m = Market::new(dates, symbols, close, None, None, None, None).expect("market");
    let mut s = OptimizedMomentum::new(
        3,
        20,
        Schedule::EveryN(20),
        vec![
            Method::MaxSharpe,
            Method::Hrp(Linkage::Single),
            Method::EqualWeight,
        ],
        0.0,
        0.6,
    )
    .expect("strategy");
    let r = run_on(&m, settings(1e6, 0.0), &mut s);
    assert!(r.optimisations.len() >= 4, "{}", r.optimisations.len());
    let first = &r.optimisations[0];
    assert_eq!(first.method, "equal-weight");
    assert!(
        first.failures[0].starts_with("max-sharpe"),
        "{:?}",
        first.failures
    );
    assert!(
        first.failures[0].contains("risk-free"),
        "{:?}",
        first.failures
    );
    assert!(
        first.failures[1].starts_with("hrp: weight"),
        "{:?}",
        first.failures
    );
    assert!(
        first.failures[1].contains("outside [0, 0.6]"),
        "{:?}",
        first.failures
    );
    assert_eq!(first.weights.len(), 3);
    let total: f64 = first.weights.iter().map(|w| w.1).sum();
    assert!((total - 1.0).abs() < 1e-9);
    assert!(first.weights.iter().all(|w| w.1 <= 0.6 + 1e-9));
    assert!(
        r.optimisations.iter().any(|o| o.method == "max-sharpe"),
        "rising prices later"
    );
    assert!(!r.fills.is_empty());
}

#[test]
fn signals_file_trades_and_bad_files_are_errors() {
    let dir = tempfile::tempdir().expect("dir");
    let bars = vec![bar(100.0, 101.0, 99.0, 100.0); 6];
    let m = market(&bars);
    let path = dir.path().join("signals.csv");
    let mut f = std::fs::File::create(&path).expect("file");
    writeln!(
        f,
        "datetime,signal,confidence\n2024-01-02,1,0.8\n2024-01-04,0,\n"
    )
    .expect("write");
    let config = StrategyConfig {
        kind: "signals".into(),
        signals: Some(path.clone()),
        quantity: Some(10.0),
        ..StrategyConfig::default()
    };
    let mut s = build(&config, &m).expect("strategy");
    let r = run_on(&m, settings(1e6, 0.0), &mut s);
    let fills: Vec<(usize, f64)> = r.fills.iter().map(|f| (f.bar, f.quantity)).collect();
    assert_eq!(fills, vec![(2, 10.0), (4, -10.0)]);
    for (text, message) in [
        ("datetime,signal\n2025-01-01,1\n", "is not a bar"),
        ("datetime,signal\n2024-01-02,2\n", "must be -1, 0 or 1"),
        (
            "datetime,signal\n2024-01-02,1\n2024-01-02,0\n",
            "a second signal",
        ),
        (
            "datetime,signal,confidence\n2024-01-02,1,1.5\n",
            "confidence must be in [0, 1]",
        ),
        ("when,signal\n2024-01-02,1\n", "needs datetime"),
    ] {
        std::fs::write(&path, text).expect("write");
        let e = build(&config, &m).expect_err("error").to_string();
        assert!(e.contains(message), "{e}");
        assert!(e.contains("signals.csv"), "{e}");
    }
}

#[test]
fn indicators_registered_through_the_context_follow_the_bars() {
    use oxfolio_engine::events::{EventContext, IndicatorId, IndicatorSpec};
    use oxfolio_engine::indicators::{Atr, Sma};

    struct Reader {
        ids: Vec<IndicatorId>,
        seen: Vec<(Option<f64>, Option<f64>)>,
    }
    impl OrderStrategy for Reader {
        fn on_start(
            &mut self,
            ctx: &mut EventContext<'_>,
        ) -> Result<(), oxfolio_engine::StrategyError> {
            self.ids.push(ctx.add_indicator(0, IndicatorSpec::Sma(10)));
            self.ids.push(ctx.add_indicator(0, IndicatorSpec::Atr(14)));
            Ok(())
        }
        fn on_bar(
            &mut self,
            ctx: &mut EventContext<'_>,
        ) -> Result<(), oxfolio_engine::StrategyError> {
            self.seen
                .push((ctx.indicator(self.ids[0]), ctx.indicator(self.ids[1])));
            Ok(())
        }
    }
    let m = spy();
    let mut reader = Reader {
        ids: Vec::new(),
        seen: Vec::new(),
    };
    run_on(&m, settings(1e6, 0.0), &mut reader);
    let (mut sma, mut atr) = (Sma::new(10), Atr::new(14));
    let (h, l, c) = (
        m.highs().expect("highs"),
        m.lows().expect("lows"),
        m.closes(),
    );
    for (t, seen) in reader.seen.iter().enumerate() {
        assert_eq!(seen.0, sma.update(c[t]), "SMA at bar {t}");
        assert_eq!(seen.1, atr.update(h[t], l[t], c[t]), "ATR at bar {t}");
    }
    assert!(reader.seen[9].0.is_some() && reader.seen[8].0.is_none());
}

/// Bars with no live order run in the kernel's quiet loop: an indicator registered there
/// is fed from the next bar on, as on any other bar, and a failure names its bar.
#[test]
fn indicators_registered_mid_run_and_failures_name_their_bar() {
    use oxfolio_engine::events::{EventContext, IndicatorId, IndicatorSpec};
    use oxfolio_engine::indicators::Sma;
    use oxfolio_engine::{EngineError, StrategyError};

    struct Late {
        id: Option<IndicatorId>,
        seen: Vec<(usize, Option<f64>)>,
        fail_at: usize,
    }
    impl OrderStrategy for Late {
        fn on_bar(&mut self, ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
            match self.id {
                None if ctx.t() == 50 => {
                    self.id = Some(ctx.add_indicator(0, IndicatorSpec::Sma(5)))
                }
                Some(id) => self.seen.push((ctx.t(), ctx.indicator(id))),
                None => {}
            }
            if ctx.t() == self.fail_at {
                return Err(StrategyError::new("stop here"));
            }
            Ok(())
        }
    }
    let m = spy();
    let mut late = Late {
        id: None,
        seen: Vec::new(),
        fail_at: usize::MAX,
    };
    run_on(&m, settings(1e6, 0.0), &mut late);
    let mut sma = Sma::new(5);
    let expected: Vec<(usize, Option<f64>)> = (51..m.dates().len())
        .map(|t| (t, sma.update(m.closes()[t])))
        .collect();
    assert_eq!(late.seen, expected);

    let mut failing = Late {
        id: None,
        seen: Vec::new(),
        fail_at: 20,
    };
    let error = EventEngine::new(&m, settings(1e6, 0.0))
        .expect("engine")
        .run(&mut failing)
        .expect_err("the strategy fails");
    match error {
        EngineError::Strategy { date, .. } => {
            assert_eq!(date, oxfolio_core::time::format_timestamp(m.dates()[20]))
        }
        other => panic!("unexpected error {other}"),
    }
}
