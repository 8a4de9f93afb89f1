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
    /// A number with the sign of the last non-zero difference of the averages (0 before
    /// any).
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
    /// `1 / fast` and `1 / slow`, rounded.
    fast_inverse: f64,
    slow_inverse: f64,
}

/// How far apart, relative to the fast average, the averages taken by the rounded
/// reciprocals must be for the difference's sign to be that of the divided averages. Each
/// product is within 2.5 units in the last place of the divided average, so the two
/// differences are within 5 units of the larger average; a gap above 16 units of the fast
/// one exceeds that (if the slow one is the larger, the gap grows with it), with margin.
const SIGN_MARGIN: f64 = 16.0 * f64::EPSILON / 2.0;

impl Windows {
    fn new(fast: usize, slow: usize) -> Windows {
        Windows {
            ring: vec![0.0; (slow + 1).next_power_of_two()],
            seen: 0,
            fast,
            slow,
            fast_sum: 0.0,
            slow_sum: 0.0,
            fast_inverse: 1.0 / fast as f64,
            slow_inverse: 1.0 / slow as f64,
        }
    }

    /// Takes a close; true once `slow` closes are in.
    #[inline]
    fn update(&mut self, x: f64) -> bool {
        let mask = self.ring.len() - 1;
        let k = self.seen;
        self.ring[k & mask] = x;
        self.fast_sum += x - self.ring[k.wrapping_sub(self.fast) & mask];
        self.slow_sum += x - self.ring[k.wrapping_sub(self.slow) & mask];
        self.seen = k + 1;
        self.seen >= self.slow
    }

    /// The fast and slow averages (`sum / length`).
    fn averages(&self) -> (f64, f64) {
        (
            self.fast_sum / self.fast as f64,
            self.slow_sum / self.slow as f64,
        )
    }

    /// A number with the sign of `fast average - slow average` (zero exactly when that
    /// difference is zero), the averages as [`Windows::averages`] gives them. Products by
    /// the reciprocals decide it unless the two are within a few units in the last place,
    /// where the divided averages do: the same decisions, without a division's latency
    /// before the branch that follows (costliest when mispredicted, at a cross).
    #[inline]
    fn difference(&self) -> f64 {
        let (fast, slow) = (
            self.fast_sum * self.fast_inverse,
            self.slow_sum * self.slow_inverse,
        );
        let difference = fast - slow;
        if difference.abs() > SIGN_MARGIN * fast.abs() {
            return difference;
        }
        self.exact_difference()
    }

    /// The averages' difference by division (out of line: a near tie is rare, and inline
    /// the compiler would compute it on every bar to select without a branch).
    #[cold]
    #[inline(never)]
    fn exact_difference(&self) -> f64 {
        let (fast, slow) = self.averages();
        fast - slow
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
        if !self.windows.update(close) {
            return Ok(());
        }
        let difference = self.windows.difference();
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

    /// The sign the crossover reads agrees with the divided averages', zero included, on
    /// prices on a tick grid with flat stretches (where the averages tie or differ in
    /// the last places) and on smooth ones; both ways of deciding are exercised.
    #[test]
    fn difference_has_the_sign_of_the_averages() {
        let (mut ties, mut near, mut clear) = (0, 0, 0);
        for (fast, slow) in [(10, 30), (3, 7), (5, 200), (1, 2)] {
            let mut windows = Windows::new(fast, slow);
            let mut x = 100.0f64;
            for k in 0..20_000u64 {
                let step = (k.wrapping_mul(2654435761) >> 7) % 9;
                if k % 97 > 40 && step > 0 {
                    // Moves on a tick grid (cents, or 1/64ths whose sums are exact), with
                    // long flat stretches in between.
                    let ticks = if fast % 2 == 0 { 100.0 } else { 64.0 };
                    x = ((x * ticks).round() + step as f64 - 4.0) / ticks;
                } else if k % 97 <= 10 {
                    x *= 1.0 + (step as f64 - 4.0) * 1e-4;
                }
                if !windows.update(x) {
                    continue;
                }
                let (a, b) = windows.averages();
                let (exact, got) = (a - b, windows.difference());
                assert_eq!(
                    (exact > 0.0, exact < 0.0),
                    (got > 0.0, got < 0.0),
                    "fast {fast}, slow {slow}, bar {k}: {a} - {b}"
                );
                let fast_product = windows.fast_sum * windows.fast_inverse;
                let approx = fast_product - windows.slow_sum * windows.slow_inverse;
                if exact == 0.0 {
                    ties += 1;
                } else if approx.abs() <= SIGN_MARGIN * fast_product.abs() {
                    near += 1;
                } else {
                    clear += 1;
                }
            }
        }
        assert!(
            ties > 10 && near > 100 && clear > 1000,
            "{ties} {near} {clear}"
        );
    }

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
                let got = windows.update(x).then(|| {
                    let (a, b) = windows.averages();
                    (a.to_bits(), b.to_bits())
                });
                assert_eq!(got, expected, "fast {fast}, slow {slow}, close {k}");
            }
        }
    }
}
