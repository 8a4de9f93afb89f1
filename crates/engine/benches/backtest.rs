//! The backtester's hot path at the size of the peer comparison: 500 symbols x 5,040
//! days of close-only data. (a) monthly rebalance to equal weight with 10 bps costs;
//! (b) a closure called every day that rebalances on 20% relative drift.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};

use oxfolio_engine::config::BacktestConfig;
use oxfolio_engine::signals::{drift_rebalancer, DriftMeasure};
use oxfolio_engine::{Backtest, Builtin, Market, StrategyConfig};

fn market(n: usize, days: usize) -> Market {
    // Seeded geometric random walks (SplitMix64 uniforms, about 2% daily volatility).
    let mut uniform = common::uniforms(42);
    let mut price = vec![100.0; n];
    let mut close = Vec::with_capacity(n * days);
    for _ in 0..days {
        for p in price.iter_mut() {
            *p *= 1.0 + 0.07 * (uniform() - 0.5) + 0.0003;
            close.push(*p);
        }
    }
    let start = oxfolio_core::time::from_ymd(2000, 1, 3).expect("date");
    let dates = (0..days as i64)
        .map(|d| start + d * 86_400_000_000_000)
        .collect();
    let symbols = (0..n).map(|i| format!("S{i:03}")).collect();
    Market::new(dates, symbols, close, None, None, None, None).expect("market")
}

fn config() -> BacktestConfig {
    BacktestConfig {
        transaction_cost_bps: 10.0,
        fractional: true,
        ..BacktestConfig::default()
    }
}

fn bench(c: &mut Criterion) {
    let m = market(500, 5_040);
    let mut group = c.benchmark_group("backtest_500x5040");
    group.sample_size(20);
    group.bench_function("monthly_equal_weight", |b| {
        let bt = Backtest::new(&m, config()).expect("backtest");
        let sc = StrategyConfig::default();
        b.iter(|| {
            let mut s = Builtin::new(&sc, m.symbols()).expect("strategy");
            bt.run(&mut s).expect("run")
        })
    });
    group.bench_function("daily_closure_drift_20pct", |b| {
        let bt = Backtest::new(&m, config()).expect("backtest");
        b.iter(|| {
            let n = m.n_symbols();
            let mut s = drift_rebalancer(vec![1.0 / n as f64; n], 0.2, DriftMeasure::Relative);
            bt.run(&mut s).expect("run")
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
