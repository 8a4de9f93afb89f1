//! Builds a shipped order-level strategy from the `[strategy]` table.
//!
//! | kind | keys |
//! |---|---|
//! | `sma_crossover` | `fast` (10), `slow` (30), `quantity`, `symbols` (the first is traded; default the first symbol) |
//! | `atr_breakout` | `lookback` (breakout bars), `atr_period` (14), `atr_multiple` (2), `quantity` |
//! | `signals` | `signals` (the file), `quantity` |
//! | `optimized_momentum` | `k`, `lookback`, `schedule` (monthly), `methods` (max_sharpe, hrp, equal_weight), `min_weight`, `max_weight` |

use crate::builtin::StrategyConfig;
use crate::error::{EngineError, StrategyError};
use crate::events::broker::Fill;
use crate::events::context::EventContext;
use crate::events::kernel::EventEngine;
use crate::events::order::OrderUpdate;
use crate::events::results::EventResults;
use crate::events::schedule::Schedule;
use crate::events::strategy::OrderStrategy;
use crate::market::Market;

use super::{method_from_name, AtrBreakout, OptimizedMomentum, SignalFile, SmaCrossover};

/// The order-level kinds.
pub const EVENT_KINDS: [&str; 4] = [
    "sma_crossover",
    "atr_breakout",
    "signals",
    "optimized_momentum",
];

/// True when `kind` names an order-level strategy (run by the event-driven engine).
pub fn is_event_kind(kind: &str) -> bool {
    EVENT_KINDS.contains(&kind)
}

fn traded_symbol(config: &StrategyConfig, market: &Market) -> Result<usize, EngineError> {
    match config.symbols.as_deref() {
        None | Some([]) => Ok(0),
        Some([s, ..]) => market.index_of(s).ok_or_else(|| {
            EngineError::Config(format!(
                "strategy.symbols: unknown symbol `{s}` (the data has {})",
                market.symbols().join(", ")
            ))
        }),
    }
}

/// A shipped strategy, as one type: the engine's loop is compiled for it, so the per-bar
/// handler inlines (a `Box<dyn OrderStrategy>` would cost an indirect call per bar).
#[derive(Clone, Debug)]
pub enum Shipped {
    /// `sma_crossover`.
    SmaCrossover(SmaCrossover),
    /// `atr_breakout`.
    AtrBreakout(AtrBreakout),
    /// `signals`.
    Signals(SignalFile),
    /// `optimized_momentum`.
    OptimizedMomentum(OptimizedMomentum),
}

macro_rules! each {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            Shipped::SmaCrossover($s) => $e,
            Shipped::AtrBreakout($s) => $e,
            Shipped::Signals($s) => $e,
            Shipped::OptimizedMomentum($s) => $e,
        }
    };
}

impl OrderStrategy for Shipped {
    fn name(&self) -> &str {
        each!(self, s => s.name())
    }
    fn on_start(&mut self, ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
        each!(self, s => s.on_start(ctx))
    }
    #[inline]
    fn on_bar(&mut self, ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
        each!(self, s => s.on_bar(ctx))
    }
    fn on_order(
        &mut self,
        ctx: &mut EventContext<'_>,
        order: &OrderUpdate,
    ) -> Result<(), StrategyError> {
        each!(self, s => s.on_order(ctx, order))
    }
    fn on_fill(&mut self, ctx: &mut EventContext<'_>, fill: &Fill) -> Result<(), StrategyError> {
        each!(self, s => s.on_fill(ctx, fill))
    }
    fn on_end(&mut self, ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
        each!(self, s => s.on_end(ctx))
    }
}

impl Shipped {
    /// Runs `engine` with the strategy's own type, so the loop is compiled for each
    /// shipped strategy (no dispatch on the kind per bar).
    pub fn run(&mut self, engine: &EventEngine<'_>) -> Result<EventResults, EngineError> {
        each!(self, s => engine.run(s))
    }
}

/// The strategy `config.kind` over `market`.
pub fn build(config: &StrategyConfig, market: &Market) -> Result<Shipped, EngineError> {
    let bad = |e: crate::error::StrategyError| EngineError::Config(format!("strategy: {e}"));
    if let Some(q) = config.quantity {
        if !(q.is_finite() && q > 0.0) {
            return Err(EngineError::Config(format!(
                "strategy.quantity must be positive, got {q}"
            )));
        }
    }
    Ok(match config.kind.as_str() {
        "sma_crossover" => Shipped::SmaCrossover(
            SmaCrossover::new(
                traded_symbol(config, market)?,
                config.fast,
                config.slow,
                config.quantity,
            )
            .map_err(bad)?,
        ),
        "atr_breakout" => Shipped::AtrBreakout(
            AtrBreakout::new(
                traded_symbol(config, market)?,
                config.lookback,
                config.atr_period,
                config.atr_multiple,
                config.quantity,
            )
            .map_err(bad)?,
        ),
        "signals" => {
            let path = config.signals.as_ref().ok_or_else(|| {
                EngineError::Config("kind `signals` needs strategy.signals (a file)".into())
            })?;
            Shipped::Signals(SignalFile::read(path, market, config.quantity)?)
        }
        "optimized_momentum" => {
            let methods = config
                .methods
                .iter()
                .map(|m| {
                    method_from_name(m).ok_or_else(|| {
                        EngineError::Config(format!(
                            "strategy.methods: unknown method `{m}` (max_sharpe, min_volatility, risk_parity, hrp, inverse_volatility, equal_weight)"
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Shipped::OptimizedMomentum(
                OptimizedMomentum::new(
                    config.k,
                    config.lookback,
                    config.schedule.unwrap_or(Schedule::MonthEnd),
                    methods,
                    config.min_weight,
                    config.max_weight,
                )
                .map_err(bad)?,
            )
        }
        other => {
            return Err(EngineError::Config(format!(
                "`{other}` is not an order-level strategy ({})",
                EVENT_KINDS.join(", ")
            )))
        }
    })
}
