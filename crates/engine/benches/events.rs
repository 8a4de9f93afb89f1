//! The event-driven engine's hot path at the size of the peer comparison
//! (`bench/event_peers.py`): SMA 10/30 crossover, long only, 100 units, market orders at
//! the next open, 10 bps commission, over 1,000,000 one-minute bars of a seeded random walk.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};

use oxfolio_engine::config::BacktestConfig;
use oxfolio_engine::events::strategies::SmaCrossover;
use oxfolio_engine::events::{EventEngine, EventSettings};
use oxfolio_engine::Market;

fn market(bars: usize) -> Market {
    // SplitMix64 uniforms; a random walk of about 0.07% per bar with a bar range.
    let mut uniform = common::uniforms(7);
    let (mut open, mut high, mut low, mut close, mut volume) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut p = 100.0f64;
    for _ in 0..bars {
        let o = p;
        p *= 1.0 + 0.0024 * (uniform() - 0.5);
        let spread = 0.0008 * uniform() * p;
        open.push(o);
        close.push(p);
        high.push(o.max(p) + spread);
        low.push(o.min(p) - spread);
        volume.push(1000.0 + 9000.0 * uniform());
    }
    let start = oxfolio_core::time::from_ymd(2020, 1, 1).expect("date");
    let dates = (0..bars as i64)
        .map(|k| start + k * 60_000_000_000)
        .collect();
    Market::new(
        dates,
        vec!["X".into()],
        close,
        Some(open),
        Some(high),
        Some(low),
        Some(volume),
    )
    .expect("market")
}

fn bench(c: &mut Criterion) {
    let m = market(1_000_000);
    let settings = EventSettings {
        backtest: BacktestConfig {
            initial_cash: 10_000_000.0,
            transaction_cost_bps: 10.0,
            ..BacktestConfig::default()
        },
        ..EventSettings::default()
    };
    let engine = EventEngine::new(&m, settings).expect("engine");
    let mut group = c.benchmark_group("events");
    group.sample_size(20);
    group.bench_function("sma_crossover_1m_bars", |b| {
        b.iter(|| {
            let mut s = SmaCrossover::new(0, 10, 30, Some(100.0)).expect("strategy");
            engine.run(&mut s).expect("run").final_equity()
        })
    });
    // The loop without orders: the same averages, no trading.
    struct Watch(
        oxfolio_engine::indicators::Sma,
        oxfolio_engine::indicators::Sma,
        f64,
    );
    impl oxfolio_engine::events::OrderStrategy for Watch {
        fn on_bar(
            &mut self,
            ctx: &mut oxfolio_engine::events::EventContext<'_>,
        ) -> Result<(), oxfolio_engine::StrategyError> {
            let c = ctx.close(0);
            if let (Some(a), Some(b)) = (self.0.update(c), self.1.update(c)) {
                self.2 += a - b;
            }
            Ok(())
        }
    }
    group.bench_function("loop_without_orders_1m_bars", |b| {
        b.iter(|| {
            let mut s = Watch(
                oxfolio_engine::indicators::Sma::new(10),
                oxfolio_engine::indicators::Sma::new(30),
                0.0,
            );
            engine.run(&mut s).expect("run").final_equity() + s.2
        })
    });
    group.bench_function("two_smas_alone_1m", |b| {
        let closes = m.closes().to_vec();
        b.iter(|| {
            let mut a = oxfolio_engine::indicators::Sma::new(10);
            let mut c = oxfolio_engine::indicators::Sma::new(30);
            let mut acc = 0.0;
            for x in &closes {
                if let (Some(p), Some(q)) = (a.update(*x), c.update(*x)) {
                    acc += p - q;
                }
            }
            acc
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
