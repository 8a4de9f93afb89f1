//! Futures specifications and margins from the bundled QuantConnect files.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use oxfolio_derivatives::futures::{load_lean_specs, MarginSchedule};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/futures/lean")
        .join(rel)
}

#[test]
fn lean_specs_load() {
    let specs = load_lean_specs(&data("symbol-properties-futures.csv")).expect("specs");
    assert_eq!(specs.len(), 216);
    let es = specs
        .iter()
        .find(|s| s.market == "cme" && s.symbol == "ES")
        .expect("ES");
    assert_eq!(
        (es.multiplier, es.tick_size, es.currency.as_str()),
        (50.0, 0.25, "USD")
    );
    assert_eq!(es.tick_value(), 12.5);
    let zn = specs.iter().find(|s| s.symbol == "ZN").expect("ZN");
    assert_eq!((zn.multiplier, zn.tick_size), (1000.0, 0.015625));
    let fesx = specs.iter().find(|s| s.symbol == "FESX").expect("FESX");
    assert_eq!(fesx.currency, "EUR");
}

#[test]
fn margin_schedule_steps() {
    let m = MarginSchedule::load(&data("margins/ES.csv")).expect("margins");
    let d = |y, mo, dd| NaiveDate::from_ymd_opt(y, mo, dd).expect("date");
    // 20120326,4375,3500 then 20120924,3850,3500.
    assert_eq!(m.at(d(2012, 3, 25)), None);
    assert_eq!(m.at(d(2012, 3, 26)), Some((4375.0, 3500.0)));
    assert_eq!(m.at(d(2012, 9, 23)), Some((4375.0, 3500.0)));
    assert_eq!(m.at(d(2012, 9, 24)), Some((3850.0, 3500.0)));
    let dir = std::env::temp_dir().join(format!("oxfolio-margins-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "date,initial,maintenance\n20120326,4375,3500\n20120101,1,1\n",
    )
    .expect("write");
    assert!(MarginSchedule::load(&bad)
        .expect_err("order")
        .to_string()
        .contains("line 3: dates must ascend"));
    std::fs::remove_dir_all(&dir).ok();
}
