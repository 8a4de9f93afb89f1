//! Account rules: cash, shorting, margin with a leverage limit, borrow fees, futures
//! multipliers.

mod events_common;

use std::collections::BTreeMap;

use events_common::{bar, market, run, Action, Script};
use oxfolio_engine::config::{BacktestConfig, InstrumentConfig, SettlementConfig};
use oxfolio_engine::events::{
    EventEngine, EventSettings, ExecutionConfig, OrderRequest, OrderStatus,
};

fn flat(n: usize, p: f64) -> Vec<(f64, f64, f64, f64, f64)> {
    vec![bar(p, p, p, p); n]
}

fn run_with(
    bars: &[(f64, f64, f64, f64, f64)],
    actions: Vec<(usize, Action)>,
    backtest: BacktestConfig,
    execution: ExecutionConfig,
) -> oxfolio_engine::events::EventResults {
    let m = market(bars);
    let engine = EventEngine::new(
        &m,
        EventSettings {
            backtest,
            execution,
            risk: None,
        },
    )
    .expect("engine");
    engine.run(&mut Script::new(actions)).expect("run")
}

#[test]
fn a_buy_beyond_cash_is_rejected_with_the_reason() {
    let backtest = BacktestConfig {
        initial_cash: 1000.0,
        ..BacktestConfig::default()
    };
    let r = run_with(
        &flat(4, 100.0),
        vec![(0, Action::Submit(OrderRequest::market(0, 11.0)))],
        backtest.clone(),
        ExecutionConfig::default(),
    );
    assert!(r.fills.is_empty());
    assert_eq!(r.orders[0].status, OrderStatus::Rejected);
    assert!(
        r.orders[0].reason.contains("insufficient cash"),
        "{}",
        r.orders[0].reason
    );
    assert_eq!(r.final_equity(), 1000.0);
    // Ten fit exactly.
    let r = run_with(
        &flat(4, 100.0),
        vec![(0, Action::Submit(OrderRequest::market(0, 10.0)))],
        backtest,
        ExecutionConfig::default(),
    );
    assert_eq!(r.fills.len(), 1);
    assert!(r.cash_series().iter().all(|c| *c >= 0.0));
}

#[test]
fn shorting_off_rejects_sells_below_zero() {
    let (r, _) = run(
        &flat(4, 100.0),
        vec![
            (0, Action::Submit(OrderRequest::market(0, 5.0))),
            (1, Action::Submit(OrderRequest::market(0, -8.0))),
        ],
        ExecutionConfig::default(),
    );
    assert_eq!(r.fills.len(), 1);
    assert_eq!(r.orders[1].status, OrderStatus::Rejected);
    assert!(
        r.orders[1].reason.contains("shorting is off"),
        "{}",
        r.orders[1].reason
    );
    let (r, _) = run(
        &flat(4, 100.0),
        vec![(0, Action::Submit(OrderRequest::market(0, -8.0)))],
        ExecutionConfig {
            allow_short: true,
            ..ExecutionConfig::default()
        },
    );
    assert_eq!(r.final_positions, vec![-8.0]);
    // Short proceeds are cash; equity is unchanged at a flat price.
    assert_eq!(r.final_equity(), 1e6);
}

#[test]
fn margin_allows_leverage_up_to_the_limit() {
    let backtest = BacktestConfig {
        initial_cash: 10_000.0,
        ..BacktestConfig::default()
    };
    let margin = ExecutionConfig {
        margin: true,
        max_leverage: 2.0,
        ..ExecutionConfig::default()
    };
    let r = run_with(
        &flat(4, 100.0),
        vec![
            (0, Action::Submit(OrderRequest::market(0, 150.0))),
            (1, Action::Submit(OrderRequest::market(0, 60.0))),
        ],
        backtest,
        margin,
    );
    assert_eq!(r.orders[0].status, OrderStatus::Filled, "1.5x is allowed");
    assert_eq!(r.orders[1].status, OrderStatus::Rejected, "2.1x is not");
    assert!(
        r.orders[1].reason.contains("leverage"),
        "{}",
        r.orders[1].reason
    );
    assert!(
        r.cash_series().last().is_some_and(|c| *c < 0.0),
        "borrowed cash"
    );
}

#[test]
fn shorts_pay_the_borrow_fee_per_trading_day() {
    // 10 bars on 10 calendar days; short 100 at 50 from bar 1: fee charged on days 2..9.
    let bars = flat(10, 50.0);
    let execution = ExecutionConfig {
        allow_short: true,
        borrow_fee_bps: 252.0, // 1 bp of notional per day
        ..ExecutionConfig::default()
    };
    let (r, _) = run(
        &bars,
        vec![(0, Action::Submit(OrderRequest::market(0, -100.0)))],
        execution,
    );
    let per_day = 100.0 * 50.0 * 1e-4;
    assert!(
        (r.borrow_fees - 8.0 * per_day).abs() < 1e-9,
        "{}",
        r.borrow_fees
    );
    assert!((r.final_equity() - (1e6 - 8.0 * per_day)).abs() < 1e-6);
}

#[test]
fn futures_use_the_multiplier_and_settle_daily() {
    let mut bars = flat(5, 4000.0);
    bars[2] = bar(4000.0, 4010.0, 3990.0, 4010.0);
    bars[3] = bar(4010.0, 4020.0, 4000.0, 4020.0);
    bars[4] = bar(4020.0, 4030.0, 4000.0, 4005.0);
    let mut instruments = BTreeMap::new();
    instruments.insert(
        "X".to_string(),
        InstrumentConfig {
            multiplier: 50.0,
            lot_size: 1.0,
            settlement: SettlementConfig::Future,
        },
    );
    let backtest = BacktestConfig {
        initial_cash: 100_000.0,
        instruments,
        ..BacktestConfig::default()
    };
    let r = run_with(
        &bars,
        vec![(0, Action::Submit(OrderRequest::market(0, 2.0)))],
        backtest,
        ExecutionConfig::default(),
    );
    // Bought 2 at 4000 (bar 1's open); marked at 4005: 2 x 5 x 50.
    assert!(
        (r.final_equity() - 100_500.0).abs() < 1e-9,
        "{}",
        r.final_equity()
    );
    // No notional left the cash; variation margin did.
    assert!((r.cash_series()[4] - 100_500.0).abs() < 1e-9);
}
