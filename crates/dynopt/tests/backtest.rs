//! The static versus dynamic backtest on the bundled futures: P&L and cost accounting
//! recomputed independently, static = rounded ideal, the ideal position formula, no
//! look-ahead, recorded solves that reproduce, and bad parameters.

use std::path::Path;

use chrono::NaiveDate;
use oxfolio_dynopt::config::ForecastRule;
use oxfolio_dynopt::{run, DynoptConfig, Universe, UniverseSpec};

const SOME: [&str; 8] = [
    "SP500", "US10", "GOLD", "EUR", "DAX", "JGB", "CORN", "KOSPI",
];

fn universe(instruments: &[&str], start: &str) -> Universe {
    Universe::load(&UniverseSpec {
        dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/futures/carver"),
        instruments: instruments.iter().map(|s| s.to_string()).collect(),
        start: NaiveDate::parse_from_str(start, "%Y-%m-%d").ok(),
        end: None,
        base_currency: "USD".into(),
    })
    .unwrap()
}

fn config() -> DynoptConfig {
    DynoptConfig::new("unused")
}

#[test]
fn pnl_and_costs_recomputed_from_positions_and_prices() {
    let u = universe(&SOME, "2016-01-01");
    let r = run(&u, &config(), false).unwrap();
    let n = u.n();
    for run in [&r.static_run, &r.dynamic_run] {
        for t in 1..u.dates.len() {
            let (mut pnl, mut costs) = (0.0, 0.0);
            for i in 0..n {
                let (p0, p1) = (u.prices[(t - 1) * n + i], u.prices[t * n + i]);
                let (k0, k1) = (run.positions[(t - 1) * n + i], run.positions[t * n + i]);
                let instrument = &u.instruments[i];
                if p0.is_finite() && p1.is_finite() {
                    pnl += k0 as f64 * (p1 - p0) * instrument.point_size * u.fx[t * n + i];
                }
                if k1 != k0 {
                    let spread =
                        instrument.spread_cost * instrument.point_size * (k1 - k0).abs() as f64;
                    let commission = (instrument.per_block * (k1 - k0).abs() as f64)
                        .max(instrument.per_trade)
                        .max(
                            instrument.percentage
                                * p1.abs()
                                * instrument.point_size
                                * (k1 - k0).abs() as f64,
                        );
                    costs += (spread + commission) * u.fx[t * n + i];
                }
            }
            assert!((run.costs[t] - costs).abs() < 1e-9, "day {t}");
            assert!(
                (run.pnl[t] - (pnl - costs)).abs() < 1e-6 * (1.0 + pnl.abs()),
                "day {t}"
            );
        }
    }
    assert!(r.dynamic_metrics.total_turnover > 0);
}

#[test]
fn static_positions_are_the_rounded_ideal_of_the_day_before() {
    let u = universe(&SOME, "2016-01-01");
    let r = run(&u, &config(), false).unwrap();
    let n = u.n();
    for t in 1..u.dates.len() {
        for i in 0..n {
            let ideal = r.ideal[(t - 1) * n + i];
            let held = r.static_run.positions[t * n + i];
            if ideal.is_finite() {
                assert_eq!(held, ideal.round() as i64, "day {t} instrument {i}");
            } else {
                assert_eq!(held, 0);
            }
        }
    }
}

#[test]
fn ideal_position_follows_the_formula() {
    // One instrument, constant long forecast, fixed IDM 1: ideal = capital x risk target /
    // (point size x FX x sigma x sqrt(252)), sigma the EWMA of squared price changes.
    let u = universe(&["DAX"], "2018-01-01");
    let mut c = config();
    c.system.forecast = ForecastRule::Long;
    c.system.idm = Some(1.0);
    let r = run(&u, &c, false).unwrap();
    let alpha = 2.0 / 33.0;
    let mut variance: Option<f64> = None;
    let mut changes = 0;
    for t in 1..u.dates.len() {
        let change = u.prices[t] - u.prices[t - 1];
        variance = Some(match variance {
            None => change * change,
            Some(v) => v + alpha * (change * change - v),
        });
        changes += 1;
        if changes >= 64 {
            let sigma = variance.unwrap().sqrt() * 252f64.sqrt();
            let want = 100_000.0 * 0.2 / (1.0 * u.fx[t] * sigma);
            let got = r.ideal[t];
            assert!(
                (got - want).abs() < 1e-9 * want.abs(),
                "day {t}: {got} vs {want}"
            );
        } else {
            assert!(r.ideal[t].is_nan());
        }
    }
}

#[test]
fn decisions_never_see_later_prices() {
    let u = universe(&SOME, "2017-01-01");
    let full = run(&u, &config(), false).unwrap();
    let cut = 400;
    let mut changed = u.clone();
    let n = u.n();
    for v in &mut changed.prices[(cut + 1) * n..] {
        *v = *v * 1.5 + 3.0;
    }
    let other = run(&changed, &config(), false).unwrap();
    // Positions through day cut + 1 come from decisions on or before day cut.
    assert_eq!(
        full.dynamic_run.positions[..(cut + 2) * n],
        other.dynamic_run.positions[..(cut + 2) * n]
    );
    assert_eq!(
        full.static_run.positions[..(cut + 2) * n],
        other.static_run.positions[..(cut + 2) * n]
    );
    assert_ne!(full.dynamic_run.positions, other.dynamic_run.positions);
}

#[test]
fn recorded_solves_reproduce_and_zero_costs_go_straight_to_greedy() {
    let u = universe(&SOME, "2019-01-01");
    let mut c = config();
    c.dynamic.shadow_cost = 0.0;
    c.dynamic.buffer_fraction = 0.0;
    let r = run(&u, &c, true).unwrap();
    assert_eq!(r.solves.len(), r.dynamic_run.decisions.len());
    for solve in &r.solves {
        let again = solve.input.solve().unwrap();
        let positions: Vec<i64> = solve
            .input
            .instruments
            .iter()
            .map(|k| again.positions[k])
            .collect();
        assert_eq!(positions, solve.positions, "{}", solve.date);
        assert_eq!(again.positions, again.greedy_positions, "{}", solve.date);
    }
}

#[test]
fn bad_parameters_are_named() {
    let u = universe(&["SP500"], "2020-01-01");
    let mut c = config();
    c.system.ewmac_fast = 64;
    assert!(run(&u, &c, false)
        .unwrap_err()
        .to_string()
        .contains("ewmac_fast"));
    let mut c = config();
    c.system.capital = -1.0;
    assert!(run(&u, &c, false)
        .unwrap_err()
        .to_string()
        .contains("system.capital"));
    let mut c = config();
    c.dynamic.buffer_fraction = f64::NAN;
    assert!(run(&u, &c, false)
        .unwrap_err()
        .to_string()
        .contains("buffer_fraction"));
}

#[test]
fn every_weighting_runs_and_sums_to_one() {
    use oxfolio_dynopt::config::WeightMethod;
    let u = universe(&SOME, "2019-01-01");
    for method in [
        WeightMethod::Equal,
        WeightMethod::InverseVolatility,
        WeightMethod::RiskParity,
        WeightMethod::Hrp,
    ] {
        for by_class in [false, true] {
            let mut c = config();
            c.system.weights = method;
            c.system.weights_by_asset_class = by_class;
            let r = run(&u, &c, false).unwrap();
            for w in &r.weights {
                let total: f64 = w.weights.iter().sum();
                assert!((total - 1.0).abs() < 1e-12, "{method:?} {by_class}");
                assert!(w.idm >= 1.0 - 1e-12 && w.idm <= 2.5);
            }
        }
    }
}

#[test]
fn weekly_and_monthly_runs_trade_only_after_their_rebalance_days() {
    use chrono::Datelike;
    use oxfolio_dynopt::config::Rebalance;
    let u = universe(&SOME, "2018-01-01");
    let n = u.n();
    for (rule, key) in [(Rebalance::Weekly, 0u32), (Rebalance::Monthly, 1)] {
        let mut c = config();
        c.system.rebalance = rule;
        let r = run(&u, &c, false).unwrap();
        let period = |d: NaiveDate| {
            if key == 0 {
                d.iso_week().week()
            } else {
                d.month()
            }
        };
        for run in [&r.static_run, &r.dynamic_run] {
            for d in &run.decisions {
                assert!(d.t == 0 || period(u.dates[d.t]) != period(u.dates[d.t - 1]));
            }
            for t in 1..u.dates.len() {
                let traded = run.positions[(t - 1) * n..t * n] != run.positions[t * n..(t + 1) * n];
                if traded {
                    assert!(
                        run.decisions.iter().any(|d| d.t + 1 == t),
                        "{rule:?} traded on day {t}"
                    );
                }
            }
        }
        let weeks_or_months = if key == 0 { 52.0 } else { 12.0 };
        let years = u.dates.len() as f64 / 252.0;
        let per_year = r.dynamic_run.decisions.len() as f64 / years;
        assert!(
            (per_year - weeks_or_months).abs() < weeks_or_months * 0.1,
            "{per_year}"
        );
    }
}
