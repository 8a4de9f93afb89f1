//! The two strategy levels, and the refusal of config keys the chosen level or kind does
//! not read.

use oxfolio_engine::events::strategies::{is_event_kind, EVENT_KINDS};
use oxfolio_engine::keys::strategy_keys;
use oxfolio_engine::StrategyConfig;

use crate::config::Config;
use crate::error::RunError;

/// Which half of the kernel a strategy runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// The strategy returns targets (weights, positions, trades, alphas) before each
    /// session; the engine turns them into orders and fills.
    Portfolio,
    /// The strategy sees one bar at a time and submits orders itself.
    Order,
}

impl Level {
    /// The level of a strategy kind (`trades_file` and an external-trades mode are
    /// portfolio level).
    pub fn of_kind(kind: &str) -> Level {
        if is_event_kind(kind) {
            Level::Order
        } else {
            Level::Portfolio
        }
    }

    /// `portfolio-level` or `order-level`, as messages say it.
    pub fn name(self) -> &'static str {
        match self {
            Level::Portfolio => "portfolio-level",
            Level::Order => "order-level",
        }
    }
}

/// Refuses, by name, every key of `config` that a run of `strategy` (the name shown in
/// messages) at `level` would ignore: `[backtest]` keys only the portfolio level reads,
/// the `[execution]` and `[risk_management]` tables that only the order level reads, and
/// `[strategy]` keys that `kind` does not read (checked only when `kind` is given, that
/// is for the built-in strategies; an unknown kind is left to the builder).
pub fn refuse_ignored_keys(
    config: &Config,
    level: Level,
    strategy: &str,
    kind: Option<&StrategyConfig>,
) -> Result<(), RunError> {
    match level {
        Level::Order => {
            if let Some(key) = config
                .backtest
                .as_ref()
                .and_then(|b| b.portfolio_only_keys_set().first().copied())
            {
                return Err(RunError::Config(format!(
                    "backtest.{key} applies to portfolio-level strategies; {strategy} is order-level"
                )));
            }
        }
        Level::Portfolio => {
            for (table, present) in [
                ("execution", config.execution.is_some()),
                ("risk_management", config.risk_management.is_some()),
            ] {
                if present {
                    return Err(RunError::Config(format!(
                        "[{table}] applies to order-level strategies ({}); {strategy} is portfolio-level",
                        EVENT_KINDS.join(", ")
                    )));
                }
            }
        }
    }
    // An unknown kind is left to the strategy's builder, which lists the kinds.
    if let Some((s, read)) = kind.and_then(|s| Some((s, strategy_keys(&s.kind)?))) {
        if let Some(key) = s.keys_set().into_iter().find(|k| !read.contains(k)) {
            return Err(RunError::Config(format!(
                "strategy.{key} does not apply to {} (its keys: {})",
                s.kind,
                read.join(", ")
            )));
        }
    }
    Ok(())
}
