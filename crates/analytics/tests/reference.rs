//! Metrics against empyrical-reloaded and quantstats on real return series. The fixture
//! and the script that made it are in tests/fixtures.

use serde_json::Value;

use oxfolio_analytics::rolling::{rolling_sharpe, rolling_volatility};
use oxfolio_analytics::tables::{monthly_returns, yearly_returns};
use oxfolio_analytics::{compute, MetricsOptions};
use oxfolio_core::time::{from_ymd, Timestamp};

const REL: f64 = 1e-9;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= REL * a.abs().max(b.abs()).max(1e-12) || (a - b).abs() < 1e-15
}

fn date(s: &str) -> Timestamp {
    let p: Vec<u32> = s.split('-').map(|x| x.parse().expect("number")).collect();
    from_ymd(p[0] as i32, p[1], p[2]).expect("date")
}

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/metrics_reference.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
}

/// A fixture case's name, returns, dates and options.
fn inputs(case: &Value) -> (&str, Vec<f64>, Vec<Timestamp>, MetricsOptions) {
    let dates = case["dates"]
        .as_array()
        .expect("dates")
        .iter()
        .map(|d| date(d.as_str().expect("s")))
        .collect();
    let options = MetricsOptions {
        periods_per_year: case["periods_per_year"].as_f64().expect("ppy"),
        risk_free: case["risk_free"].as_f64().expect("rf"),
    };
    (
        case["name"].as_str().expect("name"),
        floats(&case["returns"]),
        dates,
        options,
    )
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

#[test]
fn summary_metrics_match_the_references() {
    let doc = fixture();
    let mut checked = 0;
    for case in doc["cases"].as_array().expect("cases") {
        let (name, returns, dates, options) = inputs(case);
        let m = compute(&returns, Some(&dates), None, &options).expect("metrics");
        let json = serde_json::to_value(&m).expect("serialise");
        for (key, expected) in case["expected"].as_object().expect("expected") {
            let ours = json[key]
                .as_f64()
                .unwrap_or_else(|| panic!("{name}: no `{key}` in our output"));
            let theirs = expected.as_f64().expect("number");
            assert!(
                close(ours, theirs),
                "{name}: {key} = {ours}, reference {theirs}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 5 * 20);
}

#[test]
fn rolling_and_calendar_tables_match_empyrical() {
    let doc = fixture();
    for case in doc["cases"].as_array().expect("cases") {
        let (name, returns, dates, options) = inputs(case);
        let ppy = options.periods_per_year;
        let window = case["rolling_window"].as_u64().expect("window") as usize;
        let sharpe = rolling_sharpe(&returns, window, ppy, options.risk_free_per_period());
        let vol = rolling_volatility(&returns, window, ppy);
        let (ref_sharpe, ref_vol) = (
            floats(&case["rolling_sharpe"]),
            floats(&case["rolling_volatility"]),
        );
        assert_eq!(sharpe.len() - (window - 1), ref_sharpe.len(), "{name}");
        assert!(sharpe[..window - 1].iter().all(|x| x.is_nan()));
        for (k, (a, b)) in sharpe[window - 1..].iter().zip(&ref_sharpe).enumerate() {
            assert!(close(*a, *b), "{name}: rolling sharpe {k}: {a} vs {b}");
        }
        for (k, (a, b)) in vol[window - 1..].iter().zip(&ref_vol).enumerate() {
            assert!(close(*a, *b), "{name}: rolling vol {k}: {a} vs {b}");
        }
        let monthly = monthly_returns(&returns, &dates);
        let ref_monthly = case["monthly"].as_array().expect("monthly");
        assert_eq!(monthly.len(), ref_monthly.len(), "{name}");
        for (ours, theirs) in monthly.iter().zip(ref_monthly) {
            assert_eq!(ours.year as i64, theirs[0].as_i64().expect("y"));
            assert_eq!(ours.month.map(i64::from), theirs[1].as_i64());
            assert!(
                close(ours.value, theirs[2].as_f64().expect("v")),
                "{name}: {ours:?}"
            );
        }
        let yearly = yearly_returns(&returns, &dates);
        let ref_yearly = case["yearly"].as_array().expect("yearly");
        assert_eq!(yearly.len(), ref_yearly.len());
        for (ours, theirs) in yearly.iter().zip(ref_yearly) {
            assert!(
                close(ours.value, theirs[1].as_f64().expect("v")),
                "{name}: {ours:?}"
            );
        }
    }
}

/// Where the references differ, our definition is named and checked by hand: win rate
/// ignores zero-return periods (quantstats), unlike a plain positive share of all periods.
#[test]
fn win_rate_excludes_zero_periods() {
    let m = compute(
        &[0.01, 0.0, -0.01, 0.02, 0.0],
        None,
        None,
        &MetricsOptions::default(),
    )
    .expect("ok");
    assert_eq!(m.win_rate, 2.0 / 3.0);
}
