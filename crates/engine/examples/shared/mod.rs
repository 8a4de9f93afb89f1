//! Shared by the examples: the bundled Lean data set as a market, and a short summary.

use std::path::Path;

use oxfolio_data::source::SourceSpec;
use oxfolio_engine::config::BacktestConfig;
use oxfolio_engine::{Market, Results};

/// The 14 bundled Lean symbols, split- and dividend-adjusted daily OHLCV from 2014-04-03.
pub fn bundled_market() -> Result<Market, Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/lean");
    let mut spec = SourceSpec::new(root.join("daily"));
    spec.header = false;
    spec.columns = Some(
        ["date", "open", "high", "low", "close", "volume"]
            .map(String::from)
            .to_vec(),
    );
    spec.price_scale = 10_000.0;
    spec.factor_files = Some(root.join("factor_files"));
    spec.daily = true;
    spec.start = Some("2014-04-03".into());
    Ok(Market::load(&spec)?)
}

/// The examples' common settings: from 2015, 10 bps costs, 5 bps impact.
pub fn config() -> BacktestConfig {
    BacktestConfig {
        start: Some("2015-01-02".into()),
        transaction_cost_bps: 10.0,
        impact_bps: 5.0,
        ..BacktestConfig::default()
    }
}

/// Prints final equity, total return, max drawdown, fills and costs.
pub fn summary(name: &str, r: &Results) {
    let (mut peak, mut worst) = (r.initial_equity, 0.0f64);
    for e in &r.daily.equity {
        peak = peak.max(*e);
        worst = worst.min(e / peak - 1.0);
    }
    println!(
        "{name}: final equity {:.2}, total return {:.2}%, max drawdown {:.2}%, {} fills, costs {:.2}, {} engine events",
        r.final_equity(),
        100.0 * (r.final_equity() / r.initial_equity - 1.0),
        100.0 * worst,
        r.fills.len(),
        r.total_costs(),
        r.events.len()
    );
}
