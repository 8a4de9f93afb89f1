//! Which config keys each strategy level and kind reads, so a key that a run would ignore
//! is refused by name instead of silently dropped.
//!
//! A key counts as set when its value differs from the default: a resolved `config.toml`
//! (which writes every key) reruns, and a key left at its default changes nothing.

use crate::builtin::StrategyConfig;
use crate::config::BacktestConfig;

/// Names of the fields of `$config` whose values differ from `$default`.
macro_rules! differing {
    ($config:expr, $default:expr, [$($field:ident),* $(,)?]) => {{
        let mut set: Vec<&'static str> = Vec::new();
        $(if $config.$field != $default.$field {
            set.push(stringify!($field));
        })*
        set
    }};
}

/// `[backtest]` keys that only the portfolio level reads (the order level has its own
/// `[execution]` table and risk toolkit for these concerns).
pub const PORTFOLIO_ONLY_BACKTEST_KEYS: [&str; 15] = [
    "initial_positions",
    "num_fills",
    "fill_price",
    "decision_time",
    "max_adv_participation",
    "adv_window",
    "remainder",
    "max_portfolio_variance",
    "covariance_window",
    "shrinkage",
    "limit_policy",
    "missing_price",
    "mode",
    "risk_aversion",
    "cost_penalty",
];

impl BacktestConfig {
    /// The portfolio-only keys (see [`PORTFOLIO_ONLY_BACKTEST_KEYS`]) set away from their
    /// defaults, in that list's order.
    pub fn portfolio_only_keys_set(&self) -> Vec<&'static str> {
        differing!(
            self,
            BacktestConfig::default(),
            [
                initial_positions,
                num_fills,
                fill_price,
                decision_time,
                max_adv_participation,
                adv_window,
                remainder,
                max_portfolio_variance,
                covariance_window,
                shrinkage,
                limit_policy,
                missing_price,
                mode,
                risk_aversion,
                cost_penalty,
            ]
        )
    }
}

impl StrategyConfig {
    /// The keys (all but `kind`) set away from their defaults, in the struct's order.
    pub fn keys_set(&self) -> Vec<&'static str> {
        differing!(
            self,
            StrategyConfig::default(),
            [
                rebalance,
                drift_threshold,
                drift_measure,
                symbols,
                weights,
                positions,
                lookback,
                target_volatility,
                max_exposure,
                min_exposure,
                max_drawdown,
                k,
                weighting,
                trades,
                fast,
                slow,
                quantity,
                signals,
                atr_period,
                atr_multiple,
                methods,
                min_weight,
                max_weight,
                schedule,
            ]
        )
    }
}

/// The `[strategy]` keys a kind reads (beside `kind`), or `None` for an unknown kind.
pub fn strategy_keys(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "equal_weight" => &["rebalance", "drift_threshold", "drift_measure", "symbols"],
        "fixed_weights" => &["rebalance", "drift_threshold", "drift_measure", "weights"],
        "inverse_volatility" => &[
            "rebalance",
            "drift_threshold",
            "drift_measure",
            "symbols",
            "lookback",
        ],
        "volatility_target" => &[
            "rebalance",
            "drift_threshold",
            "drift_measure",
            "symbols",
            "lookback",
            "target_volatility",
            "max_exposure",
        ],
        "drawdown_scaled" => &[
            "rebalance",
            "drift_threshold",
            "drift_measure",
            "symbols",
            "lookback",
            "max_drawdown",
            "min_exposure",
            "max_exposure",
        ],
        "fixed_positions" => &["rebalance", "positions"],
        "momentum_top_k" => &[
            "rebalance",
            "drift_threshold",
            "drift_measure",
            "symbols",
            "lookback",
            "k",
            "weighting",
        ],
        "momentum_alpha" => &["rebalance", "symbols", "lookback"],
        "trades_file" => &["trades"],
        "sma_crossover" => &["symbols", "fast", "slow", "quantity"],
        "atr_breakout" => &[
            "symbols",
            "lookback",
            "atr_period",
            "atr_multiple",
            "quantity",
        ],
        "signals" => &["signals", "quantity"],
        "optimized_momentum" => &[
            "k",
            "lookback",
            "schedule",
            "methods",
            "min_weight",
            "max_weight",
        ],
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::KINDS;
    use crate::events::strategies::EVENT_KINDS;

    fn field_names<T: serde::Serialize>(value: &T) -> Vec<String> {
        match serde_json::to_value(value) {
            Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
            other => panic!("not a table: {other:?}"),
        }
    }

    #[test]
    fn defaults_set_no_key() {
        assert!(BacktestConfig::default()
            .portfolio_only_keys_set()
            .is_empty());
        assert!(StrategyConfig::default().keys_set().is_empty());
    }

    #[test]
    fn a_changed_key_is_named() {
        let config = BacktestConfig {
            num_fills: 3,
            shrinkage: false,
            ..BacktestConfig::default()
        };
        assert_eq!(config.portfolio_only_keys_set(), ["num_fills", "shrinkage"]);
        let strategy = StrategyConfig {
            fast: 3,
            schedule: Some(crate::events::schedule::Schedule::MonthEnd),
            ..StrategyConfig::default()
        };
        assert_eq!(strategy.keys_set(), ["fast", "schedule"]);
    }

    #[test]
    fn every_listed_key_is_a_config_key() {
        let backtest = field_names(&BacktestConfig::default());
        for key in PORTFOLIO_ONLY_BACKTEST_KEYS {
            assert!(backtest.iter().any(|k| k == key), "{key}");
        }
        let strategy = field_names(&StrategyConfig::default());
        for kind in KINDS.iter().chain(&EVENT_KINDS) {
            let keys = strategy_keys(kind).unwrap_or_else(|| panic!("{kind} has no key list"));
            for key in keys {
                assert!(strategy.iter().any(|k| k == key), "{kind}: {key}");
            }
        }
        // `keys_set` compares 24 fields: a new field fails this count until it is added
        // there.
        assert_eq!(strategy.len() - 1, 24);
    }

    #[test]
    fn the_event_engine_refuses_portfolio_keys() {
        let market = crate::Market::new(
            vec![0, 86_400_000_000_000],
            vec!["A".into()],
            vec![10.0, 11.0],
            None,
            None,
            None,
            None,
        )
        .unwrap();
        let settings = crate::events::EventSettings {
            backtest: BacktestConfig {
                max_adv_participation: Some(0.1),
                ..BacktestConfig::default()
            },
            ..Default::default()
        };
        let error = crate::events::EventEngine::new(&market, settings)
            .err()
            .expect("refused");
        assert_eq!(
            error.to_string(),
            "config: backtest.max_adv_participation applies to portfolio-level strategies; the event-driven engine runs order-level strategies"
        );
    }
}
