//! Builds a shipped order-level strategy from the `[strategy]` table.
//!
//! | kind | keys |
//! |---|---|
//! | `sma_crossover` | `fast` (10), `slow` (30), `quantity`, `symbols` (the first is traded; default the first symbol) |
//! | `atr_breakout` | `lookback` (breakout bars), `atr_period` (14), `atr_multiple` (2), `quantity` |
//! | `signals` | `signals` (the file), `quantity` |
//! | `optimized_momentum` | `k`, `lookback`, `schedule` (monthly), `methods` (max_sharpe, hrp, equal_weight), `min_weight`, `max_weight` |

use crate::builtin::StrategyConfig;
use crate::error::EngineError;
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

/// The strategy `config.kind` over `market`.
pub fn build(
    config: &StrategyConfig,
    market: &Market,
) -> Result<Box<dyn OrderStrategy>, EngineError> {
    let bad = |e: crate::error::StrategyError| EngineError::Config(format!("strategy: {e}"));
    if let Some(q) = config.quantity {
        if !(q.is_finite() && q > 0.0) {
            return Err(EngineError::Config(format!(
                "strategy.quantity must be positive, got {q}"
            )));
        }
    }
    Ok(match config.kind.as_str() {
        "sma_crossover" => Box::new(
            SmaCrossover::new(
                traded_symbol(config, market)?,
                config.fast,
                config.slow,
                config.quantity,
            )
            .map_err(bad)?,
        ),
        "atr_breakout" => Box::new(
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
            Box::new(SignalFile::read(path, market, config.quantity)?)
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
            Box::new(
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
