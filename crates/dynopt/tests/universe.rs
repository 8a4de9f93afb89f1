//! Loading futures in pysystemtrade's layout: resampling, carrying, costs, and the bad
//! inputs the shared data holds (empty cells, weekend and intraday rows, interleaved FX
//! sources, negative prices, missing config or FX).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use oxfolio_dynopt::universe::read_daily;
use oxfolio_dynopt::{DynoptError, Universe, UniverseSpec};

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A two-instrument universe: AAA in USD, BBB in EUR.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "csvconfig/instrumentconfig.csv",
        "Instrument,Description,Pointsize,Currency,AssetClass,PerBlock,Percentage,PerTrade,Region\n\
         AAA,a,50,USD,Equity,2,0,0,US\nBBB,b,10,EUR,Bond,1,0.0001,0,EMEA\nBROKEN,c,x,USD,Equity,0,0,0,US\n",
    );
    write(
        d,
        "csvconfig/spreadcosts.csv",
        "Instrument,SpreadCost\nAAA,0.25\nBBB,0.5\n",
    );
    // 2024-01-05 is a Friday; 01-06/07 a weekend; AAA has an empty cell and two intraday rows.
    write(
        d,
        "adjusted_prices_csv/AAA.csv",
        "DATETIME,price\n2024-01-04 23:00:00,-10\n2024-01-05 14:00:00,-9\n2024-01-05 15:00:00,\n\
         2024-01-05 20:00:00,-8.5\n2024-01-07 23:00:00,-7\n2024-01-09 23:00:00,-6\n",
    );
    write(
        d,
        "adjusted_prices_csv/BBB.csv",
        "DATETIME,price\n2024-01-05 16:00:00,100\n2024-01-08 16:00:00,101\n2024-01-09 16:00:00,102\n",
    );
    write(
        d,
        "fx_prices_csv/EURUSD.csv",
        "DATETIME,PRICE\n2024-01-04 00:00:00,1.1\n2024-01-05 00:00:00,1.2\n2024-01-05 23:00:00,1.25\n2024-01-09 00:00:00,1.3\n",
    );
    dir
}

fn spec(dir: &Path, instruments: &[&str]) -> UniverseSpec {
    UniverseSpec {
        dir: dir.to_path_buf(),
        instruments: instruments.iter().map(|s| s.to_string()).collect(),
        start: None,
        end: None,
        base_currency: "USD".into(),
    }
}

#[test]
fn resampling_keeps_the_last_price_of_each_weekday_and_counts_the_rest() {
    let dir = fixture();
    let s = read_daily(&dir.path().join("adjusted_prices_csv/AAA.csv")).unwrap();
    let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).unwrap();
    assert_eq!(s.dates, vec![day(4), day(5), day(9)]);
    assert_eq!(s.closes, vec![-10.0, -8.5, -6.0]);
    assert_eq!(
        (
            s.report.rows,
            s.report.empty,
            s.report.weekend,
            s.report.same_day
        ),
        (6, 1, 1, 1)
    );
}

#[test]
fn universe_aligns_carries_and_converts() {
    let dir = fixture();
    let u = Universe::load(&spec(dir.path(), &["AAA", "BBB"])).unwrap();
    assert_eq!(u.dates.len(), 4); // 4th, 5th, 8th, 9th
    let nan = |v: f64| v.is_nan();
    // AAA has no close on the 8th: carried; BBB starts on the 5th.
    assert_eq!(u.prices[2 * 2], -8.5);
    assert!(nan(u.prices[1]));
    assert_eq!(u.price_reports[0].carried, 1);
    // EUR rate: the 23:00 row wins on the 5th (two sources), carried on the 8th.
    assert_eq!(u.fx[2 + 1], 1.25);
    assert_eq!(u.fx[2 * 2 + 1], 1.25);
    assert_eq!(u.fx[2 * 2], 1.0);
    assert_eq!(u.fx_reports["EUR"].same_day, 1);
    // Costs: spread x point size x contracts + the largest commission.
    let bbb = &u.instruments[1];
    assert!((bbb.trading_cost(3.0, 100.0) - (0.5 * 10.0 * 3.0 + 3.0)).abs() < 1e-12);
    let percentage = 0.0001 * 1e5 * 10.0 * 3000.0;
    assert!((bbb.trading_cost(-3000.0, 1e5) - (0.5 * 10.0 * 3000.0 + percentage)).abs() < 1e-6);
}

fn error(dir: &Path, instruments: &[&str]) -> String {
    Universe::load(&spec(dir, instruments))
        .unwrap_err()
        .to_string()
}

#[test]
fn bad_inputs_name_the_place() {
    let dir = fixture();
    let d = dir.path();
    write(
        d,
        "adjusted_prices_csv/NOCONF.csv",
        "DATETIME,price\n2024-01-05,1\n",
    );
    assert!(error(d, &["NOCONF"]).contains("NOCONF has no row in"));
    assert!(
        error(d, &["BROKEN"]).contains("Pointsize"),
        "{}",
        error(d, &["BROKEN"])
    );
    assert!(error(d, &["AAA", "AAA"]).contains("listed twice"));
    std::fs::remove_file(d.join("fx_prices_csv/EURUSD.csv")).unwrap();
    let e = error(d, &["BBB"]);
    assert!(
        e.contains("BBB is priced in EUR") && e.contains("EURUSD.csv"),
        "{e}"
    );
    write(
        d,
        "adjusted_prices_csv/AAA.csv",
        "DATETIME,price\n2024-01-05,1\n2024-01-04,2\n",
    );
    let e = error(d, &["AAA"]);
    assert!(e.contains("AAA.csv, line 3") && e.contains("sorted"), "{e}");
    write(
        d,
        "adjusted_prices_csv/AAA.csv",
        "DATETIME,price\n2024-01-05,abc\n",
    );
    assert!(error(d, &["AAA"]).contains("line 2"));
    write(
        d,
        "adjusted_prices_csv/AAA.csv",
        "DATETIME,price\n05/01/2024,1\n",
    );
    assert!(error(d, &["AAA"]).contains("YYYY-MM-DD"));
    assert!(matches!(
        Universe::load(&spec(d, &["ZZZ"])).unwrap_err(),
        DynoptError::MissingConfig { .. }
    ));
}

fn bundled() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/futures/carver")
}

#[test]
fn bundled_futures_load_with_every_currency() {
    let u = Universe::load(&spec(&bundled(), &[])).unwrap();
    assert_eq!(u.n(), 33);
    assert_eq!(u.fx_reports.len(), 6);
    let first = u.dates[0];
    assert_eq!(first, NaiveDate::from_ymd_opt(2011, 1, 3).unwrap());
    // Every FX value after an instrument's first price is known and positive.
    let n = u.n();
    for t in 0..u.dates.len() {
        for i in 0..n {
            if u.prices[t * n + i].is_finite() {
                assert!(u.fx[t * n + i] > 0.0);
            }
        }
    }
}
