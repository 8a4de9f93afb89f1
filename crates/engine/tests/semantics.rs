//! One test per row of the semantics table in `docs/BACKTEST.md` not already covered by
//! `golden.rs`, `properties.rs` and `bad_input.rs`.

mod common;

use common::{dates, random_market};
use oxfolio_engine::config::{
    BacktestConfig, DecisionTime, FillPrice, InstrumentConfig, Mode, SettlementConfig,
};
use oxfolio_engine::results::SignalKind;
use oxfolio_engine::signals::{Conditional, DriftMeasure, Rebalance, Recorded, TargetWeights};
use oxfolio_engine::{
    Backtest, Builtin, Context, Decision, Market, StrategyConfig, StrategyError, TradeList,
};

fn flat_market(open: f64, close: f64, days: usize) -> Market {
    let c = vec![close; days];
    let mut o = vec![close; days];
    o[1] = open;
    let h: Vec<f64> = o.iter().zip(&c).map(|(a, b)| a.max(*b) + 2.0).collect();
    let l: Vec<f64> = o.iter().zip(&c).map(|(a, b)| a.min(*b) - 2.0).collect();
    Market::new(
        dates(days),
        vec!["X".into()],
        c,
        Some(o),
        Some(h),
        Some(l),
        Some(vec![1e6; days]),
    )
    .unwrap()
}

fn buy_on_day_one(q: f64) -> impl FnMut(&Context<'_>) -> Result<Decision, StrategyError> {
    move |ctx| {
        Ok(if ctx.t == 1 {
            Decision::Positions(vec![q])
        } else {
            Decision::Hold
        })
    }
}

#[test]
fn at_open_decisions_see_the_open_and_size_at_it() {
    // Day 1 opens at 20 (t-1 close 10). Deciding at the open sizes weights at 20.
    let m = flat_market(20.0, 20.0, 4);
    let cfg = BacktestConfig {
        initial_cash: 1_000.0,
        decision_time: DecisionTime::AtOpen,
        ..Default::default()
    };
    let mut s = |ctx: &Context<'_>| {
        assert_eq!(ctx.reference_prices[0], m.open_row(ctx.t).unwrap()[0]);
        Ok(if ctx.t == 1 {
            Decision::Weights(vec![1.0])
        } else {
            Decision::Hold
        })
    };
    let r = Backtest::new(&m, cfg.clone()).unwrap().run(&mut s).unwrap();
    assert_eq!(r.fills[0].quantity, 50.0);
    assert_eq!(r.fills[0].price, 20.0);
    // Before the open, the same weights are sized at the previous close (20 here too).
    let r = Backtest::new(
        &m,
        BacktestConfig {
            decision_time: DecisionTime::BeforeOpen,
            ..cfg
        },
    )
    .unwrap()
    .run(&mut |ctx: &Context<'_>| {
        Ok(if ctx.t == 1 {
            Decision::Weights(vec![1.0])
        } else {
            Decision::Hold
        })
    })
    .unwrap();
    assert_eq!(r.orders[0].reference_price, 20.0);
}

#[test]
fn fill_price_models() {
    // Open 10, close 14, high 16, low 8 on day 1.
    let m = flat_market(10.0, 14.0, 3);
    let price = |model, fills| {
        let cfg = BacktestConfig {
            fill_price: model,
            num_fills: fills,
            fractional: true,
            ..Default::default()
        };
        let r = Backtest::new(&m, cfg)
            .unwrap()
            .run(&mut buy_on_day_one(30.0))
            .unwrap();
        r.fills.iter().map(|f| f.price).collect::<Vec<_>>()
    };
    assert_eq!(price(FillPrice::Path, 1), vec![10.0]);
    assert_eq!(price(FillPrice::Path, 3), vec![10.0, 12.0, 14.0]);
    assert_eq!(
        price(FillPrice::Typical, 2),
        vec![(16.0 + 8.0 + 14.0) / 3.0; 2]
    );
    assert_eq!(price(FillPrice::Open, 1), vec![10.0]);
    assert_eq!(price(FillPrice::Close, 1), vec![14.0]);
}

#[test]
fn lots_fractions_and_split_fills() {
    let m = flat_market(10.0, 10.0, 3);
    let run = |cfg: BacktestConfig, q: f64| {
        let r = Backtest::new(&m, cfg)
            .unwrap()
            .run(&mut buy_on_day_one(q))
            .unwrap();
        r.fills.iter().map(|f| f.quantity).collect::<Vec<_>>()
    };
    // Whole shares: 10.7 rounds toward zero to 10, split 4/3/3 over three fills.
    assert_eq!(
        run(
            BacktestConfig {
                num_fills: 3,
                ..Default::default()
            },
            10.7
        ),
        vec![4.0, 3.0, 3.0]
    );
    // Lots of 100: 250 becomes 200, split 100/100.
    let lots = BacktestConfig {
        num_fills: 2,
        instruments: [(
            "X".to_string(),
            InstrumentConfig {
                lot_size: 100.0,
                ..Default::default()
            },
        )]
        .into(),
        ..Default::default()
    };
    assert_eq!(run(lots, 250.0), vec![100.0, 100.0]);
    // Fractional units: as asked, equal parts.
    assert_eq!(
        run(
            BacktestConfig {
                num_fills: 2,
                fractional: true,
                ..Default::default()
            },
            10.5
        ),
        vec![5.25, 5.25]
    );
}

#[test]
fn costs_bps_plus_per_share_commission_with_a_minimum() {
    let m = flat_market(10.0, 10.0, 3);
    let cfg = BacktestConfig {
        transaction_cost_bps: 10.0,
        commission_per_share: 0.005,
        commission_min: 1.0,
        ..Default::default()
    };
    // 100 shares at 10: 1,000 x 10 bps = 1.0, commission max(0.5, 1.0) = 1.0.
    let r = Backtest::new(&m, cfg.clone())
        .unwrap()
        .run(&mut buy_on_day_one(100.0))
        .unwrap();
    assert!((r.fills[0].cost - 2.0).abs() < 1e-12);
    // 1,000 shares: 10,000 x 10 bps = 10, commission 5.
    let r = Backtest::new(&m, cfg)
        .unwrap()
        .run(&mut buy_on_day_one(1_000.0))
        .unwrap();
    assert!((r.fills[0].cost - 15.0).abs() < 1e-12);
}

#[test]
fn futures_settle_variation_margin_with_their_multiplier() {
    // 2 contracts with multiplier 50 bought at 10 (day 1); the price goes to 12 on day 2.
    let days = 4;
    let close = vec![10.0, 10.0, 12.0, 12.0];
    let m = Market::new(
        dates(days),
        vec!["ES".into()],
        close,
        None,
        None,
        None,
        None,
    )
    .unwrap();
    let cfg = BacktestConfig {
        initial_cash: 10_000.0,
        instruments: [(
            "ES".to_string(),
            InstrumentConfig {
                multiplier: 50.0,
                lot_size: 1.0,
                settlement: SettlementConfig::Future,
            },
        )]
        .into(),
        ..Default::default()
    };
    let r = Backtest::new(&m, cfg)
        .unwrap()
        .run(&mut buy_on_day_one(2.0))
        .unwrap();
    // No notional leaves cash; day 2 settles 2 x 2 x 50 = 200.
    assert_eq!(r.daily.cash[0], 10_000.0);
    assert_eq!(r.daily.equity[1], 10_200.0);
    assert_eq!(r.daily.holding_pnl[1], 200.0);
    assert_eq!(r.daily.gross_exposure[1], 2.0 * 12.0 * 50.0);
}

#[test]
fn pre_generated_trades_from_a_list_or_from_targets() {
    let m = random_market(9, 2, 6);
    let d = m.dates().to_vec();
    let list = TradeList::from_targets(
        &[0.0, 10.0],
        &[(d[1], vec![5.0, 10.0]), (d[3], vec![5.0, 0.0])],
    );
    assert_eq!(list.on(d[1]), Some(&[(0, 5.0)][..]));
    assert_eq!(list.on(d[3]), Some(&[(1, -10.0)][..]));
    let cfg = BacktestConfig {
        mode: Mode::ExternalTrades,
        initial_positions: [("S1".to_string(), 10.0)].into(),
        ..Default::default()
    };
    let mut list = list;
    let r = Backtest::new(&m, cfg).unwrap().run(&mut list).unwrap();
    let p = r.positions();
    assert_eq!(&p[p.len() - 2..], &[5.0, 0.0]);
}

#[test]
fn external_trades_pass_through_the_variance_overlay() {
    let m = random_market(10, 3, 80);
    let d = m.dates().to_vec();
    // Buy about 300k of notional on 100k of capital with leverage 3 allowed: far above a
    // small variance cap, so the overlay scales the holdings down.
    let trades =
        TradeList::from_triples((0..3).map(|i| (d[50], i, 100_000.0 / m.close_row(49)[i])));
    let cfg = BacktestConfig {
        initial_cash: 100_000.0,
        mode: Mode::ExternalTrades,
        max_gross_leverage: 3.0,
        max_portfolio_variance: Some(0.01),
        covariance_window: 40,
        fractional: true,
        ..Default::default()
    };
    let mut trades = trades;
    let r = Backtest::new(&m, cfg).unwrap().run(&mut trades).unwrap();
    assert_eq!(r.overlay.len(), 1);
    let o = r.overlay[0];
    assert!(o.requested_variance > 0.01 && o.executed_variance <= 0.01 * (1.0 + 1e-6));
    // External P&L is measured on the requested trades, executed P&L on the smaller fills.
    let order = r.orders.iter().find(|o| o.day == 50).unwrap();
    assert!(order.executed.abs() < order.requested.abs());
}

#[test]
fn alpha_driven_mode_turns_scores_into_weights() {
    let m = random_market(11, 4, 100);
    let cfg = BacktestConfig {
        mode: Mode::AlphaDriven,
        risk_aversion: 5.0,
        covariance_window: 40,
        fractional: true,
        ..Default::default()
    };
    let sc = StrategyConfig {
        kind: "momentum_alpha".into(),
        lookback: 40,
        ..Default::default()
    };
    let mut s = Builtin::new(&sc, m.symbols()).unwrap();
    let r = Backtest::new(&m, cfg).unwrap().run(&mut s).unwrap();
    assert!(r.signals.iter().any(|s| s.kind == SignalKind::Alpha));
    assert!(r.signals.iter().any(|s| s.kind == SignalKind::Weight));
    assert!(!r.fills.is_empty());
    // Long-only and within gross 1 at the reference prices.
    assert!(r.positions().iter().all(|q| *q >= -1e-9));
}

#[test]
fn signal_helpers_compose() {
    let m = random_market(12, 2, 40);
    // Conditional: only on first trading days of a month (2020-02-01 is day 31).
    let inner = TargetWeights::new(
        vec![0.5, 0.5],
        Rebalance::Daily,
        0.0,
        DriftMeasure::Absolute,
    );
    let mut s = Recorded::new(Conditional {
        predicate: |ctx: &Context<'_>| ctx.flags.first_of_month,
        inner,
    });
    let r = Backtest::new(&m, BacktestConfig::default())
        .unwrap()
        .run(&mut s)
        .unwrap();
    let days: Vec<u32> = r.orders.iter().map(|o| o.day).collect();
    assert!(days.iter().all(|d| *d == 31), "{days:?}");
    assert_eq!(s.history.len(), 39);
    assert_eq!(
        s.history
            .iter()
            .filter(|(_, d)| *d != Decision::Hold)
            .count(),
        1
    );
    // Drift: rebalances only when a weight moves more than 20% away from its target.
    let mut drift = TargetWeights::new(
        vec![0.5, 0.5],
        Rebalance::Drift,
        0.2,
        DriftMeasure::Relative,
    );
    let r = Backtest::new(&m, BacktestConfig::default())
        .unwrap()
        .run(&mut drift)
        .unwrap();
    let rebalances: std::collections::BTreeSet<u32> = r.orders.iter().map(|o| o.day).collect();
    assert!(
        rebalances.len() < 10 && rebalances.contains(&1),
        "{rebalances:?}"
    );
}

#[test]
fn schedules_rebalance_on_their_calendar() {
    let m = random_market(13, 3, 70);
    let run = |rebalance| {
        let sc = StrategyConfig {
            kind: "equal_weight".into(),
            rebalance,
            ..Default::default()
        };
        let mut s = Builtin::new(&sc, m.symbols()).unwrap();
        let r = Backtest::new(&m, BacktestConfig::default())
            .unwrap()
            .run(&mut s)
            .unwrap();
        r.signals
            .iter()
            .map(|s| s.day)
            .collect::<std::collections::BTreeSet<_>>()
    };
    // 2020-01-01 .. 2020-03-10: months start at days 31 (Feb 1) and 60 (Mar 1).
    assert_eq!(
        run(Rebalance::Monthly).into_iter().collect::<Vec<_>>(),
        vec![1, 31, 60]
    );
    // ISO weeks start on Mondays: 2020-01-06 is day 5.
    let weekly = run(Rebalance::Weekly);
    assert!(weekly.contains(&5) && weekly.contains(&12) && !weekly.contains(&6));
    assert_eq!(run(Rebalance::Daily).len(), 69);
}
