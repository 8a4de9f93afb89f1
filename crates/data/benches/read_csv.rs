//! Hot paths of the data layer: reading and validating a 1,000,000-row OHLCV CSV, and
//! resampling a million minute bars to daily bars.

use std::io::Write;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use oxfolio_core::time::Period;
use oxfolio_data::resample::{resample, ResampleOptions};
use oxfolio_data::{read_csv, CsvOptions, ValidationOptions};

const ROWS: usize = 1_000_000;

/// Writes `rows` minute bars (ISO timestamps, a seeded random walk) like a vendor file.
pub fn write_minute_bars(path: &Path, rows: usize) {
    let file = std::fs::File::create(path).expect("create");
    let mut w = std::io::BufWriter::new(file);
    writeln!(w, "timestamp,open,high,low,close,volume").expect("write");
    let mut state: u64 = 42;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut price = 100.0f64;
    let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 1)
        .expect("date")
        .and_hms_opt(0, 0, 0)
        .expect("time");
    for i in 0..rows {
        let t = start + chrono::Duration::minutes(i as i64);
        let open = price;
        price *= 1.0 + (next() - 0.5) * 0.002;
        let close = price;
        let high = open.max(close) * (1.0 + next() * 0.001);
        let low = open.min(close) * (1.0 - next() * 0.001);
        let volume = (next() * 10_000.0).round();
        writeln!(
            w,
            "{},{open:.4},{high:.4},{low:.4},{close:.4},{volume}",
            t.format("%Y-%m-%d %H:%M:%S")
        )
        .expect("write");
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("minute.csv");
    write_minute_bars(&path, ROWS);
    let mut g = c.benchmark_group("data");
    g.sample_size(10);
    g.throughput(Throughput::Elements(ROWS as u64));
    g.bench_function("read_validate_csv_1m_rows", |b| {
        b.iter(|| {
            let d = read_csv(&path, &CsvOptions::default(), &ValidationOptions::default())
                .expect("read");
            assert_eq!(d.series[0].bars.len(), ROWS);
        })
    });
    let bars = read_csv(&path, &CsvOptions::default(), &ValidationOptions::default())
        .expect("read")
        .series
        .remove(0)
        .bars;
    g.bench_function("resample_1m_minute_bars_to_daily", |b| {
        b.iter(|| resample(&bars, ResampleOptions::new(Period::Daily)).len())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
