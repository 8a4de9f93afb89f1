//! One million European options, price and every Greek, on one core (computed and
//! consumed; and written out as rows by the batch path); and implied volatility per option.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use oxfolio_derivatives::batch::{greek_columns, greek_columns_into, GreekColumns, OptionData};
use oxfolio_derivatives::{implied_volatility, European, OptionType};

fn options(n: usize) -> Vec<European> {
    let mut state: u64 = 11;
    let mut u = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|i| European {
            kind: if i % 2 == 0 {
                OptionType::Call
            } else {
                OptionType::Put
            },
            spot: 100.0,
            strike: 60.0 + 80.0 * u(),
            expiry: 0.05 + 2.0 * u(),
            vol: 0.1 + 0.6 * u(),
            rate: 0.05 * u(),
            dividend: 0.02 * u(),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let opts = options(1_000_000);
    let mut g = c.benchmark_group("options");
    g.sample_size(10);
    g.throughput(Throughput::Elements(opts.len() as u64));
    g.bench_function("greeks_1m_one_core", |b| {
        // Every Greek is consumed (black_box), so none can be optimised away.
        b.iter(|| {
            for o in &opts {
                std::hint::black_box(o.greeks_unchecked());
            }
        })
    });
    // The batch path on columns into reused columns: price, delta, gamma, vega, theta
    // and rho computed and stored for every option (RAYON_NUM_THREADS=1 for one core).
    let data: OptionData = opts.iter().copied().collect();
    let mut reused = GreekColumns::default();
    g.bench_function("greek_columns_into_1m", |b| {
        b.iter(|| greek_columns_into(&data.columns(), &mut reused).map(|e| e.len()))
    });
    // The same into freshly allocated columns (first-touch page faults included).
    g.bench_function("greek_columns_1m", |b| {
        b.iter(|| greek_columns(&data.columns()).map(|(c, _)| c.price.len()))
    });
    let few = &opts[..100_000];
    let prices: Vec<f64> = few.iter().map(|o| o.price_unchecked()).collect();
    g.throughput(Throughput::Elements(few.len() as u64));
    g.bench_function("implied_vol_100k_one_core", |b| {
        b.iter(|| {
            few.iter()
                .zip(&prices)
                .filter_map(|(o, p)| implied_volatility(o, *p).ok())
                .sum::<f64>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
