//! External trades through the risk overlay: target positions per date become trades
//! (`TradeList::from_targets`), and the variance cap (15% volatility) trims them.
//!
//! `cargo run --release -p oxfolio-engine --example external_trades`

#[path = "shared/mod.rs"]
mod shared;

use oxfolio_engine::config::{BacktestConfig, Mode};
use oxfolio_engine::{Backtest, TradeList};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let market = shared::bundled_market()?;
    let (usoi, bno) = (
        market.index_of("USO").ok_or("no USO")?,
        market.index_of("BNO").ok_or("no BNO")?,
    );
    let spy = market.index_of("SPY").ok_or("no SPY")?;
    let d = market.dates();
    let base = market
        .dates()
        .iter()
        .position(|t| oxfolio_core::time::format_timestamp(*t).as_str() >= "2016-01-04")
        .ok_or("no 2016")?;
    let mut targets = Vec::new();
    for (k, t) in (base..d.len()).step_by(63).enumerate() {
        let mut p = vec![0.0; market.n_symbols()];
        // Alternate between an oil-heavy book and an equity book, far above 15% volatility.
        if k % 2 == 0 {
            p[usoi] = 3_000.0;
            p[bno] = 4_000.0;
        } else {
            p[spy] = 1_500.0;
        }
        targets.push((d[t], p));
    }
    let mut trades = TradeList::from_targets(&vec![0.0; market.n_symbols()], &targets);
    let config = BacktestConfig {
        mode: Mode::ExternalTrades,
        max_portfolio_variance: Some(0.15 * 0.15),
        ..shared::config()
    };
    let results = Backtest::new(&market, config)?.run(&mut trades)?;
    shared::summary("external trades under a 15% volatility cap", &results);
    for o in results.overlay.iter().take(3) {
        println!(
            "  overlay on {}: variance {:.4} -> {:.4}",
            oxfolio_core::time::format_timestamp(results.dates[o.day]),
            o.requested_variance,
            o.executed_variance
        );
    }
    Ok(())
}
