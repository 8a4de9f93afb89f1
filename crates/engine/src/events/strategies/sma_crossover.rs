//! SMA crossover, long only: enter when the fast average crosses above the slow one,
//! leave when it crosses below. A cross is judged against the last non-zero difference of
//! the averages (as backtrader's `CrossOver`), so a touch without a cross is no signal.

use crate::error::StrategyError;
use crate::events::context::EventContext;
use crate::events::risk_loop::Entry;
use crate::events::strategy::OrderStrategy;

/// The strategy on one symbol.
#[derive(Clone, Debug)]
pub struct SmaCrossover {
    symbol: usize,
    windows: Windows,
    quantity: Option<f64>,
    last_difference: f64,
}

/// Two simple moving averages over one ring of the last closes: each keeps a running sum,
/// adding the new close and taking out the one leaving its window, as
/// [`crate::indicators::Sma`] does (the same sums, to the bit), with one store per bar.
#[derive(Clone, Debug)]
struct Windows {
    /// Closes by arrival count modulo the capacity, a power of two above `slow`; slots
    /// not yet written hold 0.0, so a window still filling takes out nothing.
    ring: Vec<f64>,
    seen: usize,
    fast: usize,
    slow: usize,
    fast_sum: f64,
    slow_sum: f64,
}

impl Windows {
    fn new(fast: usize, slow: usize) -> Windows {
        Windows {
            ring: vec![0.0; (slow + 1).next_power_of_two()],
            seen: 0,
            fast,
            slow,
            fast_sum: 0.0,
            slow_sum: 0.0,
        }
    }

    /// Takes a close; the fast and slow averages once `slow` closes are in.
    #[inline]
    fn update(&mut self, x: f64) -> Option<(f64, f64)> {
        let mask = self.ring.len() - 1;
        let k = self.seen;
        self.ring[k & mask] = x;
        self.fast_sum += x - self.ring[k.wrapping_sub(self.fast) & mask];
        self.slow_sum += x - self.ring[k.wrapping_sub(self.slow) & mask];
        self.seen = k + 1;
        (self.seen >= self.slow).then(|| {
            (
                self.fast_sum / self.fast as f64,
                self.slow_sum / self.slow as f64,
            )
        })
    }
}

impl SmaCrossover {
    /// `fast` and `slow` bars on `symbol`; `quantity` units per entry (`None`: the risk
    /// layer's sizer decides).
    pub fn new(
        symbol: usize,
        fast: usize,
        slow: usize,
        quantity: Option<f64>,
    ) -> Result<SmaCrossover, StrategyError> {
        if fast == 0 || fast >= slow {
            return Err(StrategyError::new(format!(
                "sma_crossover needs 0 < fast < slow, got fast {fast}, slow {slow}"
            )));
        }
        Ok(SmaCrossover {
            symbol,
            windows: Windows::new(fast, slow),
            quantity,
            last_difference: 0.0,
        })
    }
}

impl OrderStrategy for SmaCrossover {
    fn name(&self) -> &str {
        "sma_crossover"
    }

    #[inline(always)]
    fn on_bar(&mut self, ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
        let close = ctx.close(self.symbol);
        if close.is_nan() {
            return Ok(());
        }
        let Some((fast, slow)) = self.windows.update(close) else {
            return Ok(());
        };
        let difference = fast - slow;
        let before = self.last_difference;
        if difference != 0.0 {
            self.last_difference = difference;
        }
        if before < 0.0 && difference > 0.0 && ctx.position(self.symbol) == 0.0 {
            ctx.enter(self.symbol, Entry::long(self.quantity))?;
        } else if before > 0.0 && difference < 0.0 && ctx.position(self.symbol) > 0.0 {
            ctx.exit(self.symbol)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::Sma;

    /// The shared ring gives the averages of two separate `Sma`s, bit for bit.
    #[test]
    fn windows_match_two_smas() {
        for (fast, slow) in [(1, 2), (3, 4), (10, 30), (7, 31), (16, 32)] {
            let mut windows = Windows::new(fast, slow);
            let (mut f, mut s) = (Sma::new(fast), Sma::new(slow));
            let mut x = 100.0f64;
            for k in 0..500u32 {
                x *= 1.0 + ((k * 7919 % 101) as f64 - 50.0) * 4e-4;
                let expected = match (f.update(x), s.update(x)) {
                    (Some(a), Some(b)) => Some((a.to_bits(), b.to_bits())),
                    _ => None,
                };
                let got = windows.update(x).map(|(a, b)| (a.to_bits(), b.to_bits()));
                assert_eq!(got, expected, "fast {fast}, slow {slow}, close {k}");
            }
        }
    }
}
