//! Breakout with ATR stops, long only: enter when the close rises above the highest high
//! of the previous `lookback` bars, with a stop `atr_multiple` ATRs below the close; while
//! long, the stop is raised (never lowered) to `close - atr_multiple x ATR` each bar. The
//! stop is an engine order, so it fills by the fill table.

use crate::error::StrategyError;
use crate::events::context::EventContext;
use crate::events::order::{OrderKind, OrderRole};
use crate::events::risk_loop::Entry;
use crate::events::strategy::OrderStrategy;
use crate::indicators::{Atr, Highest};

/// The strategy on one symbol.
#[derive(Clone, Debug)]
pub struct AtrBreakout {
    symbol: usize,
    highest: Highest,
    channel: Option<f64>,
    atr: Atr,
    atr_multiple: f64,
    quantity: Option<f64>,
}

impl AtrBreakout {
    /// Breakout over `lookback` bars with an `atr_period` ATR stop at `atr_multiple`.
    pub fn new(
        symbol: usize,
        lookback: usize,
        atr_period: usize,
        atr_multiple: f64,
        quantity: Option<f64>,
    ) -> Result<AtrBreakout, StrategyError> {
        if lookback == 0 || atr_period == 0 || !(atr_multiple.is_finite() && atr_multiple > 0.0) {
            return Err(StrategyError::new(format!(
                "atr_breakout needs lookback and atr_period >= 1 and a positive atr_multiple, got {lookback}, {atr_period}, {atr_multiple}"
            )));
        }
        Ok(AtrBreakout {
            symbol,
            highest: Highest::new(lookback),
            channel: None,
            atr: Atr::new(atr_period),
            atr_multiple,
            quantity,
        })
    }
}

impl OrderStrategy for AtrBreakout {
    fn name(&self) -> &str {
        "atr_breakout"
    }

    fn on_bar(&mut self, ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
        let i = self.symbol;
        let Some(bar) = ctx.bar(i) else {
            return Ok(());
        };
        let atr = self.atr.update(bar.high, bar.low, bar.close);
        // The channel of the previous bars, before this bar joins it.
        let channel = self.channel;
        self.channel = self.highest.update(bar.high);
        let (Some(atr), Some(channel)) = (atr, channel) else {
            return Ok(());
        };
        let stop = bar.close - self.atr_multiple * atr;
        let position = ctx.position(i);
        if position > 0.0 {
            let guard = ctx
                .broker()
                .live_orders()
                .find(|o| o.request.symbol == i && o.role == OrderRole::StopLoss)
                .map(|o| (o.id, o.request.kind));
            if let Some((id, OrderKind::Stop { stop: level })) = guard {
                if stop > level {
                    ctx.modify(id, None, Some(OrderKind::Stop { stop }))
                        .map_err(|e| StrategyError::new(e.to_string()))?;
                }
            }
        } else if position == 0.0 && bar.close > channel && stop > 0.0 {
            let has_entry = ctx
                .broker()
                .live_orders()
                .any(|o| o.request.symbol == i && o.role == OrderRole::Strategy);
            if !has_entry {
                ctx.enter(
                    i,
                    Entry {
                        stop: Some(stop),
                        ..Entry::long(self.quantity)
                    },
                )?;
            }
        }
        Ok(())
    }
}
