//! SMA crossover, long only: enter when the fast average crosses above the slow one,
//! leave when it crosses below. A cross is judged against the last non-zero difference of
//! the averages (as backtrader's `CrossOver`), so a touch without a cross is no signal.

use crate::error::StrategyError;
use crate::events::context::EventContext;
use crate::events::risk_loop::Entry;
use crate::events::strategy::OrderStrategy;
use crate::indicators::Sma;

/// The strategy on one symbol.
#[derive(Clone, Debug)]
pub struct SmaCrossover {
    symbol: usize,
    fast: Sma,
    slow: Sma,
    quantity: Option<f64>,
    last_difference: f64,
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
            fast: Sma::new(fast),
            slow: Sma::new(slow),
            quantity,
            last_difference: 0.0,
        })
    }
}

impl OrderStrategy for SmaCrossover {
    fn name(&self) -> &str {
        "sma_crossover"
    }

    #[inline]
    fn on_bar(&mut self, ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
        let close = ctx.close(self.symbol);
        if close.is_nan() {
            return Ok(());
        }
        let fast = self.fast.update(close);
        let slow = self.slow.update(close);
        let (Some(fast), Some(slow)) = (fast, slow) else {
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
