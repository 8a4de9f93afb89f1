//! The portfolio level charges fills with any `Commission`: the order level's models or a
//! user's. The model that restates the `[backtest]` cost keys gives the built-in costs;
//! a tiered model charges each fill its own fee; a cash-limited buy stays within cash.

mod common;

use oxfolio_engine::costs::{Commission, CommissionModel};
use oxfolio_engine::{Backtest, BacktestConfig, Context, Decision, StrategyError};

fn config() -> BacktestConfig {
    BacktestConfig {
        transaction_cost_bps: 10.0,
        commission_per_share: 0.005,
        commission_min: 1.0,
        ..BacktestConfig::default()
    }
}

/// Equal weights (all the cash) every 21 days.
fn rebalance(n: usize) -> impl FnMut(&Context<'_>) -> Result<Decision, StrategyError> {
    move |ctx: &Context<'_>| {
        Ok(if ctx.t % 21 == 1 {
            Decision::Weights(vec![1.0 / n as f64; n])
        } else {
            Decision::Hold
        })
    }
}

#[test]
fn the_keys_restated_as_a_model_give_the_built_in_costs() {
    let market = common::random_market(11, 6, 300);
    let built_in = Backtest::new(&market, config())
        .expect("backtest")
        .run(&mut rebalance(6))
        .expect("run");
    let model = CommissionModel::Combined {
        rate: 0.001,
        per_share: 0.005,
        minimum: 1.0,
    };
    let modelled = Backtest::new(&market, config())
        .expect("backtest")
        .with_commission(model)
        .run(&mut rebalance(6))
        .expect("run");
    assert!(built_in.fills.len() > 50, "{} fills", built_in.fills.len());
    assert_eq!(built_in.fills.len(), modelled.fills.len());
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
    for (a, b) in built_in.fills.iter().zip(&modelled.fills) {
        assert!(
            close(a.quantity, b.quantity) && close(a.cost, b.cost),
            "{a:?} vs {b:?}"
        );
    }
    for (a, b) in built_in.daily.equity.iter().zip(&modelled.daily.equity) {
        assert!(close(*a, *b), "{a} vs {b}");
    }
}

#[test]
fn a_tiered_model_charges_every_fill_its_fee_and_buys_stay_within_cash() {
    let market = common::random_market(12, 5, 250);
    let model = CommissionModel::Tiered {
        tiers: vec![(100.0, 0.02), (1e12, 0.01)],
        minimum: 25.0,
    };
    let results = Backtest::new(&market, BacktestConfig::default())
        .expect("backtest")
        .with_commission(model.clone())
        .run(&mut rebalance(5))
        .expect("run");
    assert!(results.fills.len() > 20);
    for f in &results.fills {
        assert_eq!(f.cost, model.fee(f.quantity, f.price, 1.0), "{f:?}");
        assert!(f.cost >= 25.0);
    }
    // All the cash in equal weights: the last buys of a day are cut to what the cash
    // pays, fees included, and cash never goes below zero.
    assert!(
        results.daily.cash.iter().all(|c| *c >= -1e-6),
        "{:?}",
        results
            .daily
            .cash
            .iter()
            .cloned()
            .fold(f64::INFINITY, f64::min)
    );
}
