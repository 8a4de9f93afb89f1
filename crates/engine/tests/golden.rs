//! A hand-checked run: 3 symbols, 10 days, every fill, cost and P&L figure worked out
//! below.
//!
//! Data (open / close; highs and lows bracket them; volumes 1,000,000 for A and B, 100
//! for C):
//!
//! | t | date | A | B | C |
//! |---|---|---|---|---|
//! | 0 | 2024-01-01 | 10 / 10 | 20 / 20 | 50 / 50 |
//! | 1 | 2024-01-02 | 10 / 12 | 20 / 20 | 50 / 50 |
//! | 2-3 | | 12 / 12 | 20 / 20 | 50 / 50 |
//! | 4 | 2024-01-05 | 12 / 12 | 20 / 22 | 50 / 50 |
//! | 5 | | 12 / 12 | 22 / 22 | 50 / 50 |
//! | 6 | 2024-01-09 | 12 / 11 | 22 / 22 | 50 / 50 |
//! | 7-9 | | 11 / 11 | 22 / 22 | 50 / 50 |
//!
//! Config: cash 10,000; `transaction_cost_bps = 10`; `impact_bps = 10`; `num_fills = 2`
//! (path model: fill 1 at the open, fill 2 at the close); `max_adv_participation = 0.1`
//! (C's ADV is 100, so 10 shares a day); remainder carried.
//!
//! Strategy: t=1 weights (0.5, 0.3, 0.1); t=6 target positions (0, 150, 20); else hold.
//!
//! t=1: portfolio value 10,000 at t=0's closes (10, 20, 50): targets A 500, B 150, C 20.
//!   C is capped at 10 (10 carried). Fills (buys pay +0.1%):
//!   A 250 @ 10.01 (cost 2.5025), B 75 @ 20.02 (1.5015), C 5 @ 50.05 (0.25025),
//!   A 250 @ 12.012 (3.003), B 75 @ 20.02 (1.5015), C 5 @ 50.05 (0.25025).
//!   Notional 9,009; costs 9.009; cash 10,000 - 9,009 - 9.009 = 981.991.
//!   Equity 981.991 + 500x12 + 150x20 + 10x50 = 10,481.991.
//!   Executed P&L: A 6,000 - 5,505.5 = 494.5; B 3,000 - 3,003 = -3; C 500 - 500.5 = -0.5;
//!   total 491. Holding 0. 491 - 9.009 = 481.991 = the equity change.
//!   External P&L: A 500 x (12 - 10) = 1,000; B and C 0.
//! t=2: the carried 10 C fill as 5 @ 50.05 twice: notional 500.5, costs 0.5005, executed
//!   P&L -0.5; cash 480.9905; equity 10,480.9905.
//! t=3: nothing. t=4: holding P&L B 150 x 2 = 300; equity 10,780.9905. t=5: nothing.
//! t=6: sell A 500 (ref 12): 250 @ 12 x 0.999 = 11.988 (cost 2.997) and 250 @ 11 x 0.999 =
//!   10.989 (cost 2.74725). Cash 480.9905 + 2,997 + 2,747.25 - 5.74425 = 6,219.49625.
//!   Holding P&L A 500 x (11 - 12) = -500; executed P&L -500 x 11 + 5,744.25 = 244.25;
//!   external P&L -500 x (11 - 12) = 500. Equity 6,219.49625 + 150 x 22 + 20 x 50 =
//!   10,519.49625 (change -261.49425 = -500 + 244.25 - 5.74425).
//! t=7..9: nothing; final equity 10,519.49625.

#![allow(clippy::inconsistent_digit_grouping)]

use oxfolio_core::time::from_ymd;
use oxfolio_engine::config::BacktestConfig;
use oxfolio_engine::results::EventKind;
use oxfolio_engine::{Backtest, Context, Decision, Market, StrategyError};

const DATES: [u32; 10] = [1, 2, 3, 4, 5, 8, 9, 10, 11, 12];

fn market() -> Market {
    let a = [
        (10., 10.),
        (10., 12.),
        (12., 12.),
        (12., 12.),
        (12., 12.),
        (12., 12.),
        (12., 11.),
        (11., 11.),
        (11., 11.),
        (11., 11.),
    ];
    let b = [
        (20., 20.),
        (20., 20.),
        (20., 20.),
        (20., 20.),
        (20., 22.),
        (22., 22.),
        (22., 22.),
        (22., 22.),
        (22., 22.),
        (22., 22.),
    ];
    let c = [(50., 50.); 10];
    let (mut open, mut close, mut high, mut low, mut volume) =
        (vec![], vec![], vec![], vec![], vec![]);
    for t in 0..10 {
        for (k, (o, cl)) in [a[t], b[t], c[t]].into_iter().enumerate() {
            open.push(o);
            close.push(cl);
            high.push(f64::max(o, cl) + 1.0);
            low.push(f64::min(o, cl) - 1.0);
            volume.push(if k == 2 { 100.0 } else { 1e6 });
        }
    }
    let dates = DATES
        .iter()
        .map(|d| from_ymd(2024, 1, *d).unwrap())
        .collect();
    let symbols = ["A", "B", "C"].map(String::from).to_vec();
    Market::new(
        dates,
        symbols,
        close,
        Some(open),
        Some(high),
        Some(low),
        Some(volume),
    )
    .unwrap()
}

fn config() -> BacktestConfig {
    BacktestConfig {
        initial_cash: 10_000.0,
        transaction_cost_bps: 10.0,
        impact_bps: 10.0,
        num_fills: 2,
        max_adv_participation: Some(0.1),
        ..BacktestConfig::default()
    }
}

fn strategy(ctx: &Context<'_>) -> Result<Decision, StrategyError> {
    Ok(match ctx.t {
        1 => Decision::Weights(vec![0.5, 0.3, 0.1]),
        6 => Decision::Positions(vec![0.0, 150.0, 20.0]),
        _ => Decision::Hold,
    })
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn every_figure_matches_the_hand_calculation() {
    let market = market();
    let bt = Backtest::new(&market, config()).unwrap();
    let r = bt.run(&mut strategy).unwrap();

    let fills: Vec<(u32, u32, u32, f64, f64, f64)> = r
        .fills
        .iter()
        .map(|f| (f.day, f.symbol, f.fill, f.quantity, f.price, f.cost))
        .collect();
    let expected = [
        (1, 0, 1, 250.0, 10.01, 2.5025),
        (1, 1, 1, 75.0, 20.02, 1.5015),
        (1, 2, 1, 5.0, 50.05, 0.25025),
        (1, 0, 2, 250.0, 12.012, 3.003),
        (1, 1, 2, 75.0, 20.02, 1.5015),
        (1, 2, 2, 5.0, 50.05, 0.25025),
        (2, 2, 1, 5.0, 50.05, 0.25025),
        (2, 2, 2, 5.0, 50.05, 0.25025),
        (6, 0, 1, -250.0, 11.988, 2.997),
        (6, 0, 2, -250.0, 10.989, 2.74725),
    ];
    assert_eq!(fills.len(), expected.len(), "{fills:?}");
    for (got, want) in fills.iter().zip(expected) {
        assert_eq!((got.0, got.1, got.2), (want.0, want.1, want.2));
        assert!(
            close(got.3, want.3) && close(got.4, want.4) && close(got.5, want.5),
            "{got:?} vs {want:?}"
        );
    }

    let equity = [
        10_481.991,
        10_480.9905,
        10_480.9905,
        10_780.9905,
        10_780.9905,
        10_519.49625,
        10_519.49625,
        10_519.49625,
        10_519.49625,
    ];
    assert_eq!(r.daily.equity.len(), 9);
    for (got, want) in r.daily.equity.iter().zip(equity) {
        assert!(close(*got, want), "{got} vs {want}");
    }
    let d = &r.daily;
    let rows = [
        // day index in the run, holding, executed, external, costs, cash
        (0, 0.0, 491.0, 1_000.0, 9.009, 981.991),
        (1, 0.0, -0.5, 0.0, 0.5005, 480.9905),
        (3, 300.0, 0.0, 0.0, 0.0, 480.9905),
        (5, -500.0, 244.25, 500.0, 5.74425, 6_219.49625),
    ];
    for (k, holding, executed, external, costs, cash) in rows {
        assert!(
            close(d.holding_pnl[k], holding),
            "holding {k}: {}",
            d.holding_pnl[k]
        );
        assert!(
            close(d.executed_pnl[k], executed),
            "executed {k}: {}",
            d.executed_pnl[k]
        );
        assert!(
            close(d.external_pnl[k], external),
            "external {k}: {}",
            d.external_pnl[k]
        );
        assert!(close(d.costs[k], costs), "costs {k}: {}", d.costs[k]);
        assert!(close(d.cash[k], cash), "cash {k}: {}", d.cash[k]);
    }
    assert!(close(r.total_costs(), 9.009 + 0.5005 + 5.74425));
    // The volume cap on C held back 10 on day 1 and carried them.
    let c1 = r
        .orders
        .iter()
        .find(|o| o.day == 1 && o.symbol == 2)
        .unwrap();
    assert_eq!(
        (c1.requested, c1.executed, c1.carried, c1.dropped),
        (20.0, 10.0, 10.0, 0.0)
    );
    let c2 = r
        .orders
        .iter()
        .find(|o| o.day == 2 && o.symbol == 2)
        .unwrap();
    assert_eq!((c2.requested, c2.executed, c2.carried), (10.0, 10.0, 0.0));
    let caps: Vec<_> = r
        .events
        .iter()
        .filter(|e| e.kind == EventKind::VolumeCap)
        .collect();
    assert_eq!(caps.len(), 1);
    assert_eq!((caps[0].day, caps[0].symbol), (1, Some(2)));
    // Positions rebuilt from the orders.
    let p = r.positions();
    assert_eq!(&p[0..3], &[500.0, 150.0, 10.0]);
    assert_eq!(&p[5 * 3..6 * 3], &[0.0, 150.0, 20.0]);
}

#[test]
fn dropping_the_remainder_reports_it() {
    let market = market();
    let mut cfg = config();
    cfg.remainder = oxfolio_engine::config::Remainder::Drop;
    let r = Backtest::new(&market, cfg)
        .unwrap()
        .run(&mut strategy)
        .unwrap();
    let c1 = r
        .orders
        .iter()
        .find(|o| o.day == 1 && o.symbol == 2)
        .unwrap();
    assert_eq!((c1.executed, c1.carried, c1.dropped), (10.0, 0.0, 10.0));
    assert!(!r.orders.iter().any(|o| o.day == 2));
    // C then tops up on day 6 from 10 to its target 20: capped at 10 again, all filled.
    let c6 = r
        .orders
        .iter()
        .find(|o| o.day == 6 && o.symbol == 2)
        .unwrap();
    assert_eq!(c6.executed, 10.0);
}

#[test]
fn close_only_data_fills_once_at_the_close() {
    // The same closes without open, high, low, volume: trades decided for day t fill at
    // t's close, split fills collapse to one.
    let m = market().close_only();
    let mut cfg = config();
    cfg.max_adv_participation = None;
    let r = Backtest::new(&m, cfg.clone())
        .unwrap()
        .run(&mut strategy)
        .unwrap();
    let day1: Vec<_> = r.fills.iter().filter(|f| f.day == 1).collect();
    assert_eq!(day1.len(), 3);
    // A: 500 at 12 x 1.001 = 12.012.
    assert_eq!(day1[0].quantity, 500.0);
    assert!(close(day1[0].price, 12.012));
    // A participation cap needs volumes: a clear error.
    cfg.max_adv_participation = Some(0.1);
    let e = Backtest::new(&m, cfg).unwrap_err().to_string();
    assert!(e.contains("max_adv_participation needs volume data"), "{e}");
}
