//! One test per row of the fill table (docs/EVENTS.md), on hand-made bars.

mod events_common;

use events_common::{bar, fills, run, Action};
use oxfolio_engine::events::costs::SlippageModel;
use oxfolio_engine::events::fill::{FillTiming, IntrabarPriority};
use oxfolio_engine::events::{
    ExecutionConfig, OrderKind, OrderRequest, OrderStatus, TimeInForce, Trail,
};

fn exec() -> ExecutionConfig {
    ExecutionConfig {
        allow_short: true,
        ..ExecutionConfig::default()
    }
}

fn quiet() -> Vec<(f64, f64, f64, f64, f64)> {
    vec![bar(100.0, 101.0, 99.0, 100.0); 6]
}

#[test]
fn market_fills_at_the_next_open() {
    let mut bars = quiet();
    bars[2] = bar(103.0, 104.0, 102.0, 103.5);
    let (r, _) = run(
        &bars,
        vec![(1, Action::Submit(OrderRequest::market(0, 10.0)))],
        exec(),
    );
    assert_eq!(fills(&r), vec![(2, 10.0, 103.0)]);
}

#[test]
fn market_fills_at_the_same_close_only_when_asked() {
    let mut bars = quiet();
    bars[1] = bar(100.0, 101.0, 99.0, 100.7);
    let same = ExecutionConfig {
        fill_timing: FillTiming::SameClose,
        ..exec()
    };
    let (r, _) = run(
        &bars,
        vec![(1, Action::Submit(OrderRequest::market(0, 10.0)))],
        same,
    );
    assert_eq!(fills(&r), vec![(1, 10.0, 100.7)]);
}

#[test]
fn buy_limit_fills_at_the_open_when_better_else_at_the_limit() {
    let mut bars = quiet();
    bars[2] = bar(98.0, 99.0, 97.0, 98.0);
    let (r, _) = run(
        &bars,
        vec![(1, Action::Submit(OrderRequest::limit(0, 10.0, 99.5)))],
        exec(),
    );
    assert_eq!(fills(&r), vec![(2, 10.0, 98.0)], "open below the limit");
    let (r, _) = run(
        &quiet(),
        vec![(1, Action::Submit(OrderRequest::limit(0, 10.0, 99.5)))],
        exec(),
    );
    assert_eq!(fills(&r), vec![(2, 10.0, 99.5)], "low reaches the limit");
    let (r, _) = run(
        &quiet(),
        vec![(1, Action::Submit(OrderRequest::limit(0, 10.0, 98.0)))],
        exec(),
    );
    assert!(r.fills.is_empty(), "never reached");
    assert_eq!(
        r.orders[0].status,
        OrderStatus::Cancelled,
        "cancelled at the end"
    );
}

#[test]
fn sell_limit_fills_at_the_open_when_better_else_at_the_limit() {
    let mut bars = quiet();
    bars[2] = bar(102.0, 103.0, 101.5, 102.0);
    let (r, _) = run(
        &bars,
        vec![(1, Action::Submit(OrderRequest::limit(0, -10.0, 100.5)))],
        exec(),
    );
    assert_eq!(fills(&r), vec![(2, -10.0, 102.0)]);
    let (r, _) = run(
        &quiet(),
        vec![(1, Action::Submit(OrderRequest::limit(0, -10.0, 100.5)))],
        exec(),
    );
    assert_eq!(fills(&r), vec![(2, -10.0, 100.5)]);
}

#[test]
fn buy_stop_fills_at_the_worse_of_stop_and_open() {
    let mut bars = quiet();
    bars[2] = bar(103.0, 104.0, 102.5, 103.0);
    let (r, _) = run(
        &bars,
        vec![(1, Action::Submit(OrderRequest::stop(0, 10.0, 100.5)))],
        exec(),
    );
    assert_eq!(fills(&r), vec![(2, 10.0, 103.0)], "gap through the stop");
    let (r, _) = run(
        &quiet(),
        vec![(1, Action::Submit(OrderRequest::stop(0, 10.0, 100.5)))],
        exec(),
    );
    assert_eq!(fills(&r), vec![(2, 10.0, 100.5)], "range reaches the stop");
}

#[test]
fn sell_stop_fills_at_the_worse_of_stop_and_open() {
    let mut bars = quiet();
    bars[3] = bar(95.0, 96.0, 94.0, 95.5);
    let (r, _) = run(
        &bars,
        vec![(1, Action::Submit(OrderRequest::stop(0, -10.0, 97.0)))],
        exec(),
    );
    assert_eq!(
        fills(&r),
        vec![(3, -10.0, 95.0)],
        "gap down through the stop"
    );
    let (r, _) = run(
        &quiet(),
        vec![(1, Action::Submit(OrderRequest::stop(0, -10.0, 99.5)))],
        exec(),
    );
    assert_eq!(fills(&r), vec![(2, -10.0, 99.5)]);
}

#[test]
fn stop_limit_fills_within_its_limit_or_rests() {
    let (r, _) = run(
        &quiet(),
        vec![(
            1,
            Action::Submit(OrderRequest::stop_limit(0, 10.0, 100.5, 101.0)),
        )],
        exec(),
    );
    assert_eq!(
        fills(&r),
        vec![(2, 10.0, 100.5)],
        "triggered at the stop, within the limit"
    );
    let mut bars = quiet();
    bars[2] = bar(102.0, 103.0, 101.5, 102.5);
    bars[3] = bar(102.0, 102.5, 100.8, 101.0);
    let (r, _) = run(
        &bars,
        vec![(
            1,
            Action::Submit(OrderRequest::stop_limit(0, 10.0, 100.5, 101.0)),
        )],
        exec(),
    );
    assert_eq!(
        fills(&r),
        vec![(3, 10.0, 101.0)],
        "gap beyond the limit rests, fills next bar"
    );
    assert_eq!(r.orders[0].status, OrderStatus::Filled);
}

#[test]
fn trailing_stop_follows_the_best_price() {
    let bars = vec![
        bar(100.0, 100.0, 100.0, 100.0),
        bar(100.0, 100.0, 100.0, 100.0),
        bar(100.0, 110.0, 100.0, 109.0), // best 110: level 104.5 for the next bar
        bar(109.0, 112.0, 108.0, 111.0), // best 112: level 106.4
        bar(111.0, 111.5, 105.0, 106.0), // reaches 106.4
        bar(106.0, 106.0, 106.0, 106.0),
    ];
    let (r, _) = run(
        &bars,
        vec![
            (0, Action::Submit(OrderRequest::market(0, 10.0))),
            (
                1,
                Action::Submit(OrderRequest::trailing(0, -10.0, Trail::Percent(0.05))),
            ),
        ],
        exec(),
    );
    let f = fills(&r);
    assert_eq!(f.len(), 2);
    assert_eq!((f[1].0, f[1].1), (4, -10.0));
    assert!((f[1].2 - 106.4).abs() < 1e-9, "{}", f[1].2);
    // By amount, with a gap through the level.
    let mut gap = bars.clone();
    gap[4] = bar(101.0, 102.0, 100.0, 101.0);
    let (r, _) = run(
        &gap,
        vec![
            (0, Action::Submit(OrderRequest::market(0, 10.0))),
            (
                1,
                Action::Submit(OrderRequest::trailing(0, -10.0, Trail::Amount(3.0))),
            ),
        ],
        exec(),
    );
    assert_eq!(fills(&r)[1], (4, -10.0, 101.0), "gap below 109: the open");
}

fn bracket_bars(entry_bar: (f64, f64, f64, f64)) -> Vec<(f64, f64, f64, f64, f64)> {
    let mut bars = quiet();
    bars[2] = bar(entry_bar.0, entry_bar.1, entry_bar.2, entry_bar.3);
    bars
}

#[test]
fn bracket_stop_first_when_both_inside_one_bar() {
    // The entry fills at bar 2's open (100); the bar reaches both 96 and 104.
    let bars = bracket_bars((100.0, 105.0, 95.0, 100.0));
    let actions = vec![(
        1,
        Action::Bracket(OrderRequest::market(0, 10.0), Some(96.0), Some(104.0)),
    )];
    let (r, _) = run(&bars, actions.clone(), exec());
    assert_eq!(
        fills(&r),
        vec![(2, 10.0, 100.0), (2, -10.0, 96.0)],
        "stop first (default)"
    );
    assert_eq!(
        r.orders[2].status,
        OrderStatus::Cancelled,
        "target cancelled"
    );
    let target_first = ExecutionConfig {
        intrabar: IntrabarPriority::TargetFirst,
        ..exec()
    };
    let (r, _) = run(&bars, actions, target_first);
    assert_eq!(
        fills(&r),
        vec![(2, 10.0, 100.0), (2, -10.0, 104.0)],
        "target first when named"
    );
}

#[test]
fn bracket_open_through_a_level_wins() {
    let mut bars = bracket_bars((100.0, 101.0, 99.0, 100.0));
    bars[3] = bar(105.0, 106.0, 95.0, 100.0); // opens through the target
    let actions = vec![(
        1,
        Action::Bracket(OrderRequest::market(0, 10.0), Some(96.0), Some(104.0)),
    )];
    let (r, _) = run(&bars, actions, exec());
    assert_eq!(fills(&r), vec![(2, 10.0, 100.0), (3, -10.0, 105.0)]);
}

#[test]
fn bracket_children_wait_for_an_entry_filled_inside_the_bar() {
    // A limit entry at 99.5 fills inside bar 2, whose low 95 would hit the stop: the
    // path is unknown, so the stop is live from bar 3.
    let bars = bracket_bars((100.0, 100.5, 95.0, 99.0));
    let actions = vec![(
        1,
        Action::Bracket(OrderRequest::limit(0, 10.0, 99.5), Some(96.0), Some(104.0)),
    )];
    let (r, _) = run(&bars, actions, exec());
    assert_eq!(fills(&r), vec![(2, 10.0, 99.5)]);
}

#[test]
fn volume_cap_gives_partial_fills() {
    let bars: Vec<_> = (0..5)
        .map(|_| (100.0, 101.0, 99.0, 100.0, 1000.0))
        .collect();
    let capped = ExecutionConfig {
        max_volume_share: Some(0.1),
        ..exec()
    };
    let (r, _) = run(
        &bars,
        vec![(0, Action::Submit(OrderRequest::market(0, 250.0)))],
        capped,
    );
    assert_eq!(
        fills(&r),
        vec![(1, 100.0, 100.0), (2, 100.0, 100.0), (3, 50.0, 100.0)]
    );
    assert_eq!(r.orders[0].status, OrderStatus::Filled);
}

#[test]
fn day_orders_expire_and_ioc_cancels_the_rest() {
    let (r, _) = run(
        &quiet(),
        vec![(
            1,
            Action::Submit(OrderRequest::limit(0, 10.0, 90.0).with_tif(TimeInForce::Day)),
        )],
        exec(),
    );
    assert_eq!(r.orders[0].status, OrderStatus::Expired);
    assert_eq!(
        r.orders[0].updated_bar, 3,
        "live on bar 2's day, expired on bar 3"
    );
    let bars: Vec<_> = (0..5)
        .map(|_| (100.0, 101.0, 99.0, 100.0, 1000.0))
        .collect();
    let capped = ExecutionConfig {
        max_volume_share: Some(0.1),
        ..exec()
    };
    let (r, _) = run(
        &bars,
        vec![(
            0,
            Action::Submit(OrderRequest::market(0, 250.0).with_tif(TimeInForce::Ioc)),
        )],
        capped,
    );
    assert_eq!(fills(&r), vec![(1, 100.0, 100.0)]);
    assert_eq!(r.orders[0].status, OrderStatus::Cancelled);
}

#[test]
fn cancel_and_modify() {
    let (r, s) = run(
        &quiet(),
        vec![
            (1, Action::Submit(OrderRequest::limit(0, 10.0, 90.0))),
            (2, Action::Cancel(0)),
            (3, Action::Cancel(0)),
        ],
        exec(),
    );
    assert!(r.fills.is_empty());
    assert_eq!(s.errors.len(), 1, "cancelling twice is an error");
    assert!(
        s.errors[0].contains("cannot go from cancelled"),
        "{}",
        s.errors[0]
    );
    let (r, _) = run(
        &quiet(),
        vec![
            (1, Action::Submit(OrderRequest::limit(0, 10.0, 90.0))),
            (
                2,
                Action::Modify(0, Some(20.0), Some(OrderKind::Limit { limit: 99.5 })),
            ),
        ],
        exec(),
    );
    assert_eq!(fills(&r), vec![(3, 20.0, 99.5)]);
}

#[test]
fn slippage_moves_market_fills_not_limits() {
    let slip = ExecutionConfig {
        slippage: SlippageModel::Bps { bps: 10.0 },
        ..exec()
    };
    let (r, _) = run(
        &quiet(),
        vec![(1, Action::Submit(OrderRequest::market(0, 10.0)))],
        slip.clone(),
    );
    assert!((r.fills[0].price - 100.1).abs() < 1e-12);
    let (r, _) = run(
        &quiet(),
        vec![(1, Action::Submit(OrderRequest::market(0, -10.0)))],
        slip.clone(),
    );
    assert!((r.fills[0].price - 99.9).abs() < 1e-12);
    let (r, _) = run(
        &quiet(),
        vec![(1, Action::Submit(OrderRequest::limit(0, 10.0, 99.5)))],
        slip,
    );
    assert_eq!(r.fills[0].price, 99.5);
}

#[test]
fn close_at_end_closes_at_the_last_close() {
    let mut bars = quiet();
    bars[5] = bar(100.0, 101.0, 99.0, 100.6);
    let closing = ExecutionConfig {
        close_at_end: true,
        ..exec()
    };
    let (r, _) = run(
        &bars,
        vec![(1, Action::Submit(OrderRequest::market(0, 10.0)))],
        closing,
    );
    assert_eq!(fills(&r), vec![(2, 10.0, 100.0), (5, -10.0, 100.6)]);
    assert_eq!(r.final_positions, vec![0.0]);
    assert_eq!(r.round_trips.len(), 1);
}

#[test]
fn impact_is_the_portfolio_levels_rule() {
    // Bar 2 opens at 100 with a high of 100.02: 5 bps of impact puts a buy at
    // 100 x 1.0005 = 100.05, above the bar (the trade's own impact is not in the recorded
    // bar); bar 4's sell receives 100 x 0.9995 = 99.95, below its low of 99.98. The same
    // 5 bps as a slippage model stops at the bar's high and low.
    use events_common::{market, Script};
    use oxfolio_engine::events::{EventEngine, EventSettings};
    use oxfolio_engine::BacktestConfig;
    let mut bars = quiet();
    bars[2] = bar(100.0, 100.02, 99.0, 100.0);
    bars[4] = bar(100.0, 101.0, 99.98, 100.0);
    let m = market(&bars);
    let run = |impact_bps: f64, slippage: SlippageModel| {
        let settings = EventSettings {
            backtest: BacktestConfig {
                initial_cash: 1e6,
                impact_bps,
                ..BacktestConfig::default()
            },
            execution: ExecutionConfig { slippage, ..exec() },
            risk: None,
        };
        let mut script = Script::new(vec![
            (1, Action::Submit(OrderRequest::market(0, 10.0))),
            (3, Action::Submit(OrderRequest::market(0, -10.0))),
        ]);
        let engine = EventEngine::new(&m, settings).expect("engine");
        fills(&engine.run(&mut script).expect("run"))
    };
    assert_eq!(
        run(5.0, SlippageModel::None),
        vec![(2, 10.0, 100.05), (4, -10.0, 99.95)]
    );
    assert_eq!(
        run(0.0, SlippageModel::Bps { bps: 5.0 }),
        vec![(2, 10.0, 100.02), (4, -10.0, 99.98)]
    );
}
