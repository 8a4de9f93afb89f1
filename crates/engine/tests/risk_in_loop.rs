//! The risk toolkit inside the engine: sizing, pre-trade refusals with reasons, stops and
//! targets as engine orders, time exits, drawdown halts.

mod events_common;

use events_common::{bar, market};
use oxfolio_engine::config::BacktestConfig;
use oxfolio_engine::error::StrategyError;
use oxfolio_engine::events::order::OrderRole;
use oxfolio_engine::events::{
    Entry, EventContext, EventEngine, EventResults, EventSettings, OrderStrategy,
};
use oxfolio_risk::config::RiskManagement;

/// Asks for a long entry whenever flat with no entry pending.
struct AlwaysIn;

impl OrderStrategy for AlwaysIn {
    fn on_bar(&mut self, ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
        let pending = ctx
            .broker()
            .live_orders()
            .any(|o| o.role == OrderRole::Strategy);
        if ctx.position(0) == 0.0 && !pending {
            ctx.enter(0, Entry::long(None))?;
        }
        Ok(())
    }
}

fn run(bars: &[(f64, f64, f64, f64, f64)], yaml: &str) -> EventResults {
    let m = market(bars);
    let risk = RiskManagement::from_yaml(yaml).expect("risk yaml");
    let engine = EventEngine::new(
        &m,
        EventSettings {
            backtest: BacktestConfig {
                initial_cash: 100_000.0,
                ..BacktestConfig::default()
            },
            risk: Some(risk),
            ..EventSettings::default()
        },
    )
    .expect("engine");
    engine.run(&mut AlwaysIn).expect("run")
}

const SIZED: &str = "risk_management:
  position_sizing: {method: fixed_fractional, risk_fraction: 0.01, max_position_fraction: 0.5}
  stop_loss: {stop_percent: 0.05, take_profit_percent: 0.10}
  portfolio: {max_heat: 0.05, daily_loss_limit: 0.5, max_position_fraction: 0.5}
";

#[test]
fn entries_are_sized_and_guarded_by_engine_orders() {
    let mut bars = vec![bar(100.0, 100.5, 99.5, 100.0); 8];
    // Bar 1: the entry fills at 100; bar 3 falls through the 95 stop.
    bars[3] = bar(99.0, 99.5, 94.0, 94.5);
    let r = run(&bars, SIZED);
    // 1% of 100,000 at risk over a 5-point stop: 200 shares (under the 50% cap).
    let entry = &r.fills[0];
    assert_eq!((entry.bar, entry.quantity, entry.price), (1, 200.0, 100.0));
    let stop = &r.fills[1];
    assert_eq!(stop.role, OrderRole::StopLoss);
    assert_eq!((stop.bar, stop.quantity, stop.price), (3, -200.0, 95.0));
    // The take profit was cancelled by the stop (one cancels the other).
    let target = r
        .orders
        .iter()
        .find(|o| o.role == OrderRole::TakeProfit)
        .expect("target");
    assert_eq!(target.status.name(), "cancelled");
    let trip = &r.round_trips[0];
    assert!(
        (trip.r_multiple.expect("R") + 1.0).abs() < 1e-12,
        "a full stop is -1R"
    );
}

#[test]
fn refusals_are_recorded_with_every_reason() {
    // A stop of 0.1% makes the 1% risk budget ask for all the cash (1,000 shares): above
    // the 30% position limit, and 100 of heat is above the 0.05% cap.
    let yaml = "risk_management:
  position_sizing: {method: fixed_fractional, risk_fraction: 0.01, max_position_fraction: 1.0}
  stop_loss: {stop_percent: 0.001}
  portfolio: {max_heat: 0.0005, daily_loss_limit: 0.5, max_position_fraction: 0.3}
";
    let r = run(&[bar(100.0, 100.5, 99.5, 100.0); 3], yaml);
    assert!(r.fills.is_empty());
    assert_eq!(r.refusals.len(), 3, "one refusal per bar");
    let reasons = r.refusals[0].reasons.join("; ");
    assert!(reasons.contains("position_limit"), "{reasons}");
    assert!(reasons.contains("heat"), "{reasons}");
}

#[test]
fn time_exits_and_drawdown_halts() {
    let yaml = "risk_management:
  position_sizing: {method: fixed_fractional, risk_fraction: 0.2, max_position_fraction: 1.0}
  stop_loss: {stop_percent: 0.5, max_holding_bars: 2}
  portfolio: {max_heat: 1.0, daily_loss_limit: 0.9, max_position_fraction: 1.0}
  drawdown_zones:
    - {name: normal, from_drawdown: 0.0, risk_multiplier: 1.0}
    - {name: emergency, from_drawdown: 0.1, risk_multiplier: 0.0, halt: true}
";
    let mut bars = vec![bar(100.0, 100.0, 100.0, 100.0); 8];
    for b in bars.iter_mut().skip(4) {
        *b = bar(70.0, 70.0, 70.0, 70.0);
    }
    let r = run(&bars, yaml);
    // Entry at bar 1: 20% of 100,000 over a 50-point stop = 400 shares.
    assert_eq!((r.fills[0].bar, r.fills[0].quantity), (1, 400.0));
    // Two bars held after bar 3: a time exit at bar 4's open (70).
    let exit = &r.fills[1];
    assert_eq!(exit.role, OrderRole::TimeExit);
    assert_eq!((exit.bar, exit.price), (4, 70.0));
    // 400 x 30 = 12,000 lost: a 12% drawdown, in the halting zone: no more entries.
    assert_eq!(r.fills.len(), 2);
    assert!(!r.refusals.is_empty());
    let reasons = r.refusals[0].reasons.join("; ");
    assert!(
        reasons.contains("zero units") || reasons.contains("drawdown_zone"),
        "{reasons}"
    );
    assert!(reasons.contains("emergency"), "{reasons}");
}
