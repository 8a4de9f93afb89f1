//! Test markets: seeded random walks with OHLCV, so properties run over many shapes.

#![allow(dead_code)]

use oxfolio_core::time::from_ymd;
use oxfolio_engine::Market;

/// A small deterministic generator (SplitMix64).
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `days` business-like dates from 2020-01-01 (one per calendar day; the engine does not
/// care about weekends).
pub fn dates(days: usize) -> Vec<i64> {
    let start = from_ymd(2020, 1, 1).unwrap();
    (0..days as i64)
        .map(|d| start + d * 86_400_000_000_000)
        .collect()
}

/// A random OHLCV market of `n` symbols over `days` dates.
pub fn random_market(seed: u64, n: usize, days: usize) -> Market {
    let mut rng = Rng(seed);
    let mut price: Vec<f64> = (0..n).map(|_| 20.0 + 80.0 * rng.uniform()).collect();
    let (mut open, mut high, mut low, mut close, mut volume) =
        (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..days {
        for p in price.iter_mut() {
            let o = *p * (1.0 + 0.01 * (rng.uniform() - 0.5));
            let c = o * (1.0 + 0.04 * (rng.uniform() - 0.5));
            open.push(o);
            close.push(c);
            high.push(o.max(c) * (1.0 + 0.01 * rng.uniform()));
            low.push(o.min(c) * (1.0 - 0.01 * rng.uniform()));
            volume.push((1_000.0 + 50_000.0 * rng.uniform()).round());
            *p = c;
        }
    }
    let symbols = (0..n).map(|i| format!("S{i}")).collect();
    Market::new(
        dates(days),
        symbols,
        close,
        Some(open),
        Some(high),
        Some(low),
        Some(volume),
    )
    .unwrap()
}
