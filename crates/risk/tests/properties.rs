//! Property tests of the risk toolkit.

use std::collections::BTreeMap;

use proptest::prelude::*;

use oxfolio_core::time::from_ymd;
use oxfolio_risk::manager::{PortfolioLimits, ProposedTrade, RiskManager};
use oxfolio_risk::sizing::Side;
use oxfolio_risk::stops::{Bar, PositionStops, StopConfig};

fn limits() -> PortfolioLimits {
    PortfolioLimits {
        max_heat: 0.05,
        daily_loss_limit: 0.03,
        max_position_fraction: 0.5,
        min_confidence: 0.5,
    }
}

prop_compose! {
    fn proposal()(symbol in 0usize..4, long in any::<bool>(), quantity in 1.0f64..2_000.0, price in 1.0f64..200.0,
                  stop_offset in -0.3f64..0.3, has_stop in any::<bool>(), confidence in prop::option::of(0.0f64..1.0)) -> ProposedTrade {
        ProposedTrade {
            symbol: ["A", "B", "C", "D"][symbol].to_string(),
            side: if long { Side::Long } else { Side::Short },
            quantity,
            price,
            stop: has_stop.then_some(price * (1.0 + stop_offset)),
            confidence,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    /// After every approved trade, heat is within its cap.
    #[test]
    fn heat_never_exceeds_the_cap_after_an_approved_trade(trades in prop::collection::vec(proposal(), 1..30)) {
        let mut m = RiskManager::new(100_000.0, limits(), Vec::new(), StopConfig::default()).expect("manager");
        let day = from_ymd(2024, 1, 2).expect("date");
        for t in &trades {
            if m.open(t, day).map(|v| v.approved).unwrap_or(false) {
                prop_assert!(m.heat() <= limits().max_heat + 1e-12, "heat {} after {:?}", m.heat(), t);
            }
        }
    }

    /// The trailing level only ever moves in the trade's favour.
    #[test]
    fn trailing_stop_never_moves_against_the_trade(long in any::<bool>(), pct in 0.01f64..0.3,
            moves in prop::collection::vec((-0.05f64..0.05, 0.0f64..0.03, 0.0f64..0.03), 1..60)) {
        let side = if long { Side::Long } else { Side::Short };
        let cfg = StopConfig { trailing_percent: Some(pct), ..StopConfig::default() };
        let mut s = PositionStops::new(side, 100.0, None, &cfg).expect("stops");
        let mut price = 100.0f64;
        let mut level = s.stop_level().expect("level");
        for (step, up, down) in moves {
            let open = price;
            price *= 1.0 + step;
            let bar = Bar { open, high: open.max(price) * (1.0 + up), low: open.min(price) * (1.0 - down), close: price, atr: None };
            if s.on_bar(&bar).expect("valid bar").is_some() {
                break;
            }
            let new = s.stop_level().expect("level");
            if long { prop_assert!(new >= level); } else { prop_assert!(new <= level); }
            level = new;
        }
    }

    /// Validation reports exactly the checks that fail, each judged on its own.
    #[test]
    fn validation_reports_every_failed_check(setup in prop::collection::vec(proposal(), 0..8), t in proposal(), mark in 0.5f64..1.5) {
        let mut m = RiskManager::new(100_000.0, limits(), Vec::new(), StopConfig::default()).expect("manager");
        let day = from_ymd(2024, 1, 2).expect("date");
        for s in &setup {
            let _ = m.open(s, day);
        }
        // Move every price on the same day (no daily roll), to reach other zones.
        let bars: BTreeMap<String, Bar> = m.positions().iter().map(|(k, p)| (k.clone(), Bar::flat(p.last * mark))).collect();
        let _ = m.on_bars(day, &bars);
        let v = m.validate(&t);
        let reported: Vec<&str> = v.failures.iter().map(|f| f.check).collect();
        let s = m.summary();
        let sign = t.side.sign();
        // An open position in the symbol is marked at the trade's price first.
        let remark = m.positions().get(&t.symbol).map_or(0.0, |p| p.quantity * (t.price - p.last));
        let equity = s.equity + remark;
        let mut expected = Vec::new();
        let existing = m.positions().get(&t.symbol);
        let stop_wrong = t.stop.is_some_and(|st| (t.price - st) * sign <= 0.0);
        if stop_wrong { expected.push("valid_prices"); }
        let opposite = existing.is_some_and(|p| p.quantity.signum() != sign);
        if opposite { expected.push("position_side"); }
        let notional = t.quantity * t.price;
        if t.side == Side::Long && notional > s.cash { expected.push("balance"); }
        let held = existing.map_or(0.0, |p| p.quantity) + sign * t.quantity;
        if (held * t.price).abs() > limits().max_position_fraction * equity { expected.push("position_limit"); }
        if t.confidence.is_some_and(|c| c < limits().min_confidence) { expected.push("confidence"); }
        if m.zone().halt { expected.push("drawdown_zone"); }
        if !opposite {
            // The symbol's position after the trade keeps its stop unless the trade brings one.
            // An invalid stop leaves only the heat already held in the symbol.
            let (stop, qty) = if stop_wrong {
                (existing.and_then(|p| p.stops.stop_level()), existing.map_or(0.0, |p| p.quantity.abs()))
            } else {
                (t.stop.or_else(|| existing.and_then(|p| p.stops.stop_level())), held.abs())
            };
            let after = stop.map_or(0.0, |st| (qty * (t.price - st) * sign).max(0.0));
            let others: f64 = m.positions().values().filter(|p| p.symbol != t.symbol).map(|p| {
                p.stops.stop_level().map_or(0.0, |st| (p.quantity.abs() * (p.last - st) * p.quantity.signum()).max(0.0))
            }).sum();
            if others + after > limits().max_heat * equity { expected.push("heat"); }
        }
        // Everything happened on one day: the day's loss is against the initial cash.
        if 1.0 - equity / 100_000.0 >= limits().daily_loss_limit { expected.push("daily_loss"); }
        prop_assert_eq!(reported, expected);
        prop_assert_eq!(v.approved, v.failures.is_empty());
    }
}
