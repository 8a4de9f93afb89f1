//! Each month, the 3 symbols with the best 126-day return, equally weighted (built-in
//! `momentum_top_k`), as a closure.
//!
//! `cargo run --release -p oxfolio-engine --example momentum_top_k`

#[path = "shared/mod.rs"]
mod shared;

use oxfolio_engine::{Backtest, Context, Decision, StrategyError};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let market = shared::bundled_market()?;
    let bt = Backtest::new(&market, shared::config())?;
    let (k, lookback) = (3, 126);
    let mut first = true;
    let results = bt.run(
        &mut |ctx: &Context<'_>| -> Result<Decision, StrategyError> {
            if !(first || ctx.flags.first_of_month) || ctx.t <= lookback + 1 {
                return Ok(Decision::Hold);
            }
            first = false;
            let mut ranked: Vec<(usize, f64)> = (0..ctx.n_symbols())
                .map(|i| (i, ctx.trailing_return(i, lookback)))
                .filter(|(_, r)| r.is_finite())
                .collect();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let mut w = vec![0.0; ctx.n_symbols()];
            for (i, _) in ranked.iter().take(k) {
                w[*i] = 1.0 / k as f64;
            }
            Ok(Decision::Weights(w))
        },
    )?;
    shared::summary("momentum top 3 of 126 days, monthly", &results);
    Ok(())
}
