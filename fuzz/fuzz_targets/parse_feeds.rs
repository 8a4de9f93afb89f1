//! Arbitrary bytes through every market-data parser: errors are fine, panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oxfolio_book::replay::{binance, lean, nbbo};

fuzz_target!(|data: &[u8]| {
    if let Ok(quotes) = lean::parse_quote_ticks(data, "fuzz") {
        let trades = lean::parse_trade_ticks(data, "fuzz").unwrap_or_default();
        let _ = nbbo::replay(&quotes, &trades, 10_000.0);
        let _ = nbbo::spreads(&quotes, 10_000.0);
    }
    let _ = lean::parse_trade_ticks(data, "fuzz");
    let _ = lean::parse_quote_bars(data, "fuzz");
    if let Ok(rows) = binance::parse_depth(data, "fuzz") {
        let (snap, updates): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r.snapshot);
        let _ = binance::build(&snap, &updates);
    }
});
