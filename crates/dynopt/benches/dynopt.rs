//! One greedy solve at 100 instruments, and the 12-year daily static-versus-dynamic
//! backtest of the 33 bundled futures.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use oxfolio_dynopt::{run, DynoptConfig, Problem, Solution, Universe, UniverseSpec, Workspace};

/// Optimal positions, per-contract values, covariance, costs and previous positions.
type ProblemData = (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>, Vec<i64>);

/// A deterministic 100-instrument problem: one-factor correlations, a few contracts each.
fn problem_data(n: usize) -> ProblemData {
    let mut seed = 12345u64;
    let mut uniform = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let loading: Vec<f64> = (0..n).map(|_| 0.3 + 0.5 * uniform()).collect();
    let covariance: Vec<f64> = (0..n * n)
        .map(|k| {
            let (i, j) = (k / n, k % n);
            if i == j {
                1.0
            } else {
                loading[i] * loading[j]
            }
        })
        .collect();
    let optimal: Vec<f64> = (0..n).map(|_| 6.0 * uniform() - 3.0).collect();
    let value: Vec<f64> = (0..n).map(|_| 0.02 + 0.1 * uniform()).collect();
    let costs: Vec<f64> = (0..n).map(|_| 0.001 + 0.004 * uniform()).collect();
    let previous: Vec<i64> = optimal
        .iter()
        .map(|o| (o + 1.5 * uniform() - 0.75).round() as i64)
        .collect();
    (optimal, value, covariance, costs, previous)
}

fn greedy(c: &mut Criterion) {
    let (optimal, value, covariance, costs, previous) = problem_data(100);
    let problem = Problem {
        optimal: &optimal,
        per_contract_value: &value,
        covariance: &covariance,
        costs_per_unit_weight: &costs,
        previous: Some(&previous),
        shadow_cost: 50.0,
        tracking_error_buffer: 0.0,
        limits: None,
    };
    let mut workspace = Workspace::default();
    let mut solution = Solution::default();
    c.bench_function("greedy_100_instruments", |b| {
        b.iter(|| workspace.solve_into(&problem, &mut solution))
    });
}

fn backtest(c: &mut Criterion) {
    let universe = Universe::load(&UniverseSpec {
        dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/futures/carver"),
        instruments: vec![],
        start: None,
        end: None,
        base_currency: "USD".into(),
    })
    .expect("bundled futures");
    let config = DynoptConfig::new("unused");
    let mut group = c.benchmark_group("backtest");
    group.sample_size(20);
    group.bench_function("33_futures_12_years_daily", |b| {
        b.iter(|| run(&universe, &config, false).expect("run"))
    });
    group.finish();
}

criterion_group!(benches, greedy, backtest);
criterion_main!(benches);
