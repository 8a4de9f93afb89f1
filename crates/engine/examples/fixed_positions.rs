//! Hold fixed share counts (1,000 SPY, 500 QQQ), topped back up if a cap or cash ever
//! left them short (built-in `fixed_positions`), as a closure.
//!
//! `cargo run --release -p oxfolio-engine --example fixed_positions`

#[path = "shared/mod.rs"]
mod shared;

use oxfolio_engine::{Backtest, Context, Decision, StrategyError};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let market = shared::bundled_market()?;
    let mut target = vec![0.0; market.n_symbols()];
    for (symbol, q) in [("SPY", 1_000.0), ("QQQ", 500.0)] {
        target[market
            .index_of(symbol)
            .ok_or(format!("{symbol} is not in the data"))?] = q;
    }
    let bt = Backtest::new(&market, shared::config())?;
    let results = bt.run(
        &mut |ctx: &Context<'_>| -> Result<Decision, StrategyError> {
            Ok(if ctx.positions == target.as_slice() {
                Decision::Hold
            } else {
                Decision::Positions(target.clone())
            })
        },
    )?;
    shared::summary("1,000 SPY + 500 QQQ", &results);
    Ok(())
}
