//! Times the optimisers on a wide close-price file: the median of repeated runs of each
//! method, given the estimates (max Sharpe, min volatility, risk parity, efficient
//! return), or from returns (HRP, which estimates its own covariance as PyPortfolioOpt's
//! HRPOpt does). Prints JSON.
//!
//! `cargo run --release -p oxfolio-optim --example bench_optim -- PRICES.csv [REPEATS]`

use std::time::Instant;

use oxfolio_optim::estimates::{covariance, mean_historical_return, returns_from_prices};
use oxfolio_optim::mean_variance::{efficient_return, max_sharpe, min_volatility};
use oxfolio_optim::{hrp, risk_parity, Bounds, Estimator, Linkage};

fn median_seconds(repeats: usize, mut f: impl FnMut() -> Vec<f64>) -> (f64, Vec<f64>) {
    let mut times = Vec::with_capacity(repeats);
    let mut last = Vec::new();
    for _ in 0..repeats {
        let started = Instant::now();
        last = f();
        times.push(started.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], last)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .ok_or("usage: bench_optim PRICES.csv [REPEATS]")?;
    let repeats: usize = args.get(2).map_or(Ok(7), |s| s.parse())?;
    let text = std::fs::read_to_string(path)?;
    let mut lines = text.lines();
    let n = lines.next().ok_or("empty file")?.split(',').count() - 1;
    let mut prices = Vec::new();
    for line in lines {
        for cell in line.split(',').skip(1) {
            prices.push(cell.parse::<f64>()?);
        }
    }
    let returns = returns_from_prices(&prices, n)?;
    let mu = mean_historical_return(&returns, n, true, 252.0);
    let (cov, _) = covariance(&returns, n, Estimator::Sample, 252.0)?;
    let b = Bounds::LONG_ONLY;
    let target = {
        let low = min_volatility(&mu, &cov, b, 0.0)?.expected_return;
        let high = mu.iter().cloned().fold(f64::MIN, f64::max);
        low + 0.5 * (high - low)
    };
    let mut out = serde_json::Map::new();
    let mut record = |name: &str, (seconds, weights): (f64, Vec<f64>)| {
        out.insert(
            name.to_string(),
            serde_json::json!({"seconds": seconds, "weights": weights}),
        );
    };
    record(
        "max_sharpe",
        median_seconds(repeats, || {
            max_sharpe(&mu, &cov, b, 0.02)
                .map(|p| p.weights)
                .unwrap_or_default()
        }),
    );
    record(
        "min_volatility",
        median_seconds(repeats, || {
            min_volatility(&mu, &cov, b, 0.0)
                .map(|p| p.weights)
                .unwrap_or_default()
        }),
    );
    record(
        "efficient_return",
        median_seconds(repeats, || {
            efficient_return(&mu, &cov, b, target, 0.0)
                .map(|p| p.weights)
                .unwrap_or_default()
        }),
    );
    record(
        "risk_parity",
        median_seconds(repeats, || {
            risk_parity(&mu, &cov, None, 0.0)
                .map(|p| p.weights)
                .unwrap_or_default()
        }),
    );
    record(
        "hrp",
        median_seconds(repeats, || {
            match covariance(&returns, n, Estimator::Sample, 1.0) {
                Ok((c, _)) => hrp(&mu, &c, Linkage::Single, 0.0)
                    .map(|p| p.weights)
                    .unwrap_or_default(),
                Err(_) => Vec::new(),
            }
        }),
    );
    out.insert("assets".into(), n.into());
    out.insert("observations".into(), (returns.len() / n).into());
    out.insert("efficient_return_target".into(), target.into());
    println!("{}", serde_json::Value::Object(out));
    Ok(())
}
