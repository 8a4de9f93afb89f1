//! Position sizers on hand-worked cases.

use oxfolio_risk::sizing::{
    guarded_floor_lots, Binding, ConfidenceScaled, FixedFractional, Kelly, Side, VolatilityTarget,
};

fn ff(risk: f64, cap: f64, lot: f64) -> FixedFractional {
    FixedFractional {
        risk_fraction: risk,
        max_position_fraction: cap,
        lot_size: lot,
    }
}

#[test]
fn fixed_fractional_by_hand() {
    // Risk budget 100,000 x 1% = 1,000 over a 2.00 stop distance = 500 units;
    // cap 100,000 x 20% / 50 = 400 units: the cap binds.
    let s = ff(0.01, 0.2, 1.0)
        .size(100_000.0, 50.0, 48.0, None)
        .expect("size");
    assert_eq!(
        (s.shares, s.side, s.binding_constraint),
        (400.0, Side::Long, Binding::MaxPosition)
    );
    assert_eq!(s.capital_at_risk, 800.0);
    assert_eq!(s.position_value, 20_000.0);
    // A wider stop (5.00): 200 units by risk, the budget binds.
    let s = ff(0.01, 0.2, 1.0)
        .size(100_000.0, 50.0, 45.0, None)
        .expect("size");
    assert_eq!(
        (s.shares, s.binding_constraint, s.capital_at_risk),
        (200.0, Binding::RiskBudget, 1_000.0)
    );
}

#[test]
fn exact_tie_between_budget_and_cap() {
    // 1,000 / 2.5 = 400 = 20,000 / 50.
    let s = ff(0.01, 0.2, 1.0)
        .size(100_000.0, 50.0, 47.5, None)
        .expect("size");
    assert_eq!((s.shares, s.binding_constraint), (400.0, Binding::Both));
}

#[test]
fn floating_point_quotients_are_not_rounded_down_a_whole_unit() {
    // entry 0.1 + 0.2 = 0.30000000000000004, stop 0.2: distance 0.10000000000000003;
    // budget 30 x 10% = 3 gives 29.999999999999993 units, which is 30.
    let entry = 0.1 + 0.2;
    assert!(3.0 / (entry - 0.2) < 30.0);
    let s = ff(0.1, 1.0, 1.0)
        .size(30.0, entry, 0.2, None)
        .expect("size");
    assert_eq!(s.shares, 30.0);
    assert_eq!(guarded_floor_lots(0.3, 0.1), 0.30000000000000004);
    assert_eq!(guarded_floor_lots(2.9999999999, 1.0), 3.0);
    assert_eq!(guarded_floor_lots(2.999, 1.0), 2.0);
}

#[test]
fn shorts_take_their_side_from_the_stop() {
    let s = ff(0.01, 0.2, 1.0)
        .size(100_000.0, 50.0, 52.0, None)
        .expect("size");
    assert_eq!(
        (s.shares, s.side, s.binding_constraint),
        (400.0, Side::Short, Binding::MaxPosition)
    );
    let s = ff(0.01, 0.2, 1.0)
        .size(100_000.0, 50.0, 52.0, Some(Side::Short))
        .expect("size");
    assert_eq!(s.side, Side::Short);
    let e = ff(0.01, 0.2, 1.0)
        .size(100_000.0, 50.0, 52.0, Some(Side::Long))
        .expect_err("wrong side");
    assert!(
        e.to_string()
            .contains("wrong side of the entry 50 for a long trade"),
        "{e}"
    );
}

#[test]
fn lots_round_down_so_no_limit_is_exceeded() {
    // Cap 19%: 19,000 / 50 = 380 units, rounded down to 3 lots of 100.
    let s = ff(0.01, 0.19, 100.0)
        .size(100_000.0, 50.0, 48.0, None)
        .expect("size");
    assert_eq!(
        (s.shares, s.binding_constraint),
        (300.0, Binding::MaxPosition)
    );
    assert!(s.capital_at_risk <= 1_000.0 && s.position_value <= 19_000.0);
    // Crypto-style lot 0.001: 1,000 / 2 = 500 units; cap 0.2 x 100,000 / 30,000 = 0.666 BTC.
    let s = ff(0.01, 0.2, 0.001)
        .size(100_000.0, 30_000.0, 29_998.0, None)
        .expect("size");
    assert!((s.shares - 0.666).abs() < 1e-12);
}

#[test]
fn bad_inputs_are_named() {
    let sizer = ff(0.01, 0.2, 1.0);
    let msg = |r: Result<_, oxfolio_risk::RiskError>| {
        r.map(|_: oxfolio_risk::sizing::Size| ())
            .expect_err("error")
            .to_string()
    };
    assert!(msg(sizer.size(100.0, 50.0, 50.0, None)).contains("equals the entry"));
    assert!(msg(sizer.size(-1.0, 50.0, 48.0, None)).contains("invalid capital"));
    assert!(msg(sizer.size(100.0, f64::NAN, 48.0, None)).contains("invalid entry"));
    assert!(msg(ff(1.5, 0.2, 1.0).size(100.0, 50.0, 48.0, None)).contains("invalid risk_fraction"));
    assert!(msg(ff(-0.1, 0.2, 1.0).size(100.0, 50.0, 48.0, None)).contains("invalid risk_fraction"));
    assert!(msg(ff(0.01, 0.2, 0.0).size(100.0, 50.0, 48.0, None)).contains("invalid lot_size"));
    let zero = ff(0.0, 0.2, 1.0)
        .size(100_000.0, 50.0, 48.0, None)
        .expect("zero risk sizes zero");
    assert_eq!((zero.shares, zero.binding_constraint), (0.0, Binding::None));
}

#[test]
fn kelly_by_hand() {
    let full = Kelly::default();
    let k = full.from_stats(0.6, 2.0).expect("kelly");
    assert!((k.kelly_fraction_raw - 0.4).abs() < 1e-15);
    assert_eq!(k.kelly_fraction, k.kelly_fraction_clamped);
    let half = Kelly {
        kelly_fraction: 0.5,
        ..Kelly::default()
    };
    assert!((half.from_stats(0.6, 2.0).expect("kelly").kelly_fraction - 0.2).abs() < 1e-15);
    let losing = full.from_stats(0.3, 1.0).expect("kelly");
    assert!((losing.kelly_fraction_raw + 0.4).abs() < 1e-15);
    assert_eq!(losing.kelly_fraction_clamped, 0.0);
    let picky = Kelly {
        min_win_rate: 0.5,
        ..Kelly::default()
    };
    assert_eq!(
        picky.from_stats(0.45, 3.0).expect("kelly").kelly_fraction,
        0.0
    );
    let capped = Kelly {
        max_fraction: 0.25,
        ..Kelly::default()
    };
    assert_eq!(
        capped.from_stats(0.9, 5.0).expect("kelly").kelly_fraction,
        0.25
    );
    // Trades: W = 2/5, R = 150 / 50 = 3, f* = 0.4 - 0.6 / 3 = 0.2.
    let t = full
        .from_trades(&[100.0, -50.0, 200.0, -50.0, 0.0])
        .expect("kelly");
    assert!((t.win_rate - 0.4).abs() < 1e-15 && (t.win_loss_ratio - 3.0).abs() < 1e-15);
    assert!((t.kelly_fraction_raw - 0.2).abs() < 1e-15);
    assert!(full.from_trades(&[]).is_err());
    assert!(full.from_trades(&[1.0, 2.0]).is_err());
    assert!(full.from_stats(1.2, 2.0).is_err());
    assert!(full.from_stats(0.5, 0.0).is_err());
}

#[test]
fn confidence_interpolates_the_risk_fraction() {
    let c = ConfidenceScaled {
        base_risk_fraction: 0.005,
        max_risk_fraction: 0.02,
        min_confidence: 0.5,
        max_position_fraction: 1.0,
        lot_size: 1.0,
    };
    assert_eq!(c.risk_fraction(0.4).expect("ok"), 0.0);
    assert!((c.risk_fraction(0.5).expect("ok") - 0.005).abs() < 1e-15);
    assert!((c.risk_fraction(0.75).expect("ok") - 0.0125).abs() < 1e-15);
    assert!((c.risk_fraction(1.0).expect("ok") - 0.02).abs() < 1e-15);
    // 100,000 x 1.25% / 2 = 625 units.
    assert_eq!(
        c.size(100_000.0, 50.0, 48.0, 0.75, None)
            .expect("size")
            .shares,
        625.0
    );
    assert!(c.risk_fraction(1.1).is_err());
}

#[test]
fn volatility_target_by_hand() {
    // 100,000 x 10% / 20% = 50,000 of value = 1,000 units at 50; cap 30% = 600 units.
    let v = VolatilityTarget {
        target_volatility: 0.1,
        max_position_fraction: 0.3,
        lot_size: 1.0,
    };
    let s = v.size(100_000.0, 50.0, 0.2).expect("size");
    assert_eq!(
        (s.shares, s.binding_constraint),
        (600.0, Binding::MaxPosition)
    );
    let loose = VolatilityTarget {
        max_position_fraction: 1.0,
        ..v
    };
    assert_eq!(
        loose.size(100_000.0, 50.0, 0.2).expect("size").shares,
        1_000.0
    );
    assert!(v.size(100_000.0, 50.0, 0.0).is_err());
}
