//! What an order-level strategy is: handlers the engine calls as the run unfolds. Every
//! handler has a default that does nothing.

use super::broker::Fill;
use super::context::EventContext;
use super::order::OrderUpdate;
use crate::error::StrategyError;

/// An order-level strategy. The engine calls, in order: `on_start` once before the first
/// bar; for each bar, `on_order` and `on_fill` for what happened to orders during the bar,
/// then `on_bar` once the bar has closed (every symbol's bar of that timestamp at once);
/// `on_end` after the last bar.
pub trait OrderStrategy {
    /// Name used in messages and results.
    fn name(&self) -> &str {
        "custom"
    }

    /// Before the first bar.
    fn on_start(&mut self, _ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
        Ok(())
    }

    /// After a bar closed: read it, submit, modify or cancel orders.
    fn on_bar(&mut self, _ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
        Ok(())
    }

    /// An order changed state.
    fn on_order(
        &mut self,
        _ctx: &mut EventContext<'_>,
        _order: &OrderUpdate,
    ) -> Result<(), StrategyError> {
        Ok(())
    }

    /// An order filled (partly or fully).
    fn on_fill(&mut self, _ctx: &mut EventContext<'_>, _fill: &Fill) -> Result<(), StrategyError> {
        Ok(())
    }

    /// After the last bar.
    fn on_end(&mut self, _ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
        Ok(())
    }
}

impl<S: OrderStrategy + ?Sized> OrderStrategy for Box<S> {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn on_start(&mut self, ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
        (**self).on_start(ctx)
    }
    fn on_bar(&mut self, ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
        (**self).on_bar(ctx)
    }
    fn on_order(
        &mut self,
        ctx: &mut EventContext<'_>,
        order: &OrderUpdate,
    ) -> Result<(), StrategyError> {
        (**self).on_order(ctx, order)
    }
    fn on_fill(&mut self, ctx: &mut EventContext<'_>, fill: &Fill) -> Result<(), StrategyError> {
        (**self).on_fill(ctx, fill)
    }
    fn on_end(&mut self, ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
        (**self).on_end(ctx)
    }
}
