//! The config file (TOML, or YAML by extension): `[data]` describes a source, `[logging]`
//! sets level and file, `[backtest]`, `[strategy]`, `[execution]` and
//! `[risk_management]` configure a run.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use oxfolio_data::source::SourceSpec;
use oxfolio_engine::events::ExecutionConfig;
use oxfolio_engine::{BacktestConfig, StrategyConfig};
use oxfolio_risk::config::RiskManagement;

use crate::error::RunError;

/// Logging settings from the config file.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LoggingConfig {
    /// Level: error, warn, info, debug, trace.
    pub level: Option<String>,
    /// Log file path.
    pub file: Option<PathBuf>,
}

/// The whole config file.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The data source.
    pub data: Option<SourceSpec>,
    /// Logging.
    #[serde(default)]
    pub logging: LoggingConfig,
    /// Backtest settings.
    pub backtest: Option<BacktestConfig>,
    /// The strategy of a run.
    pub strategy: Option<StrategyConfig>,
    /// Order execution of the event-driven engine (order-level strategies).
    pub execution: Option<ExecutionConfig>,
    /// The risk toolkit inside the event-driven engine.
    pub risk_management: Option<RiskManagement>,
}

/// Reads a config file as YAML (`.yaml`, `.yml`) or TOML (anything else); errors name
/// the file.
pub fn read_file<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, RunError> {
    let text = std::fs::read_to_string(path).map_err(|e| RunError::ConfigFile {
        path: path.to_path_buf(),
        message: format!("cannot read config: {e}"),
    })?;
    let yaml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
    let parsed = if yaml {
        serde_saphyr::from_str::<T>(&text).map_err(|e| e.to_string())
    } else {
        toml::from_str::<T>(&text).map_err(|e| e.to_string())
    };
    parsed.map_err(|e| RunError::ConfigFile {
        path: path.to_path_buf(),
        message: e.replace('\n', " "),
    })
}

impl Config {
    /// Reads a config file (or the empty config when `None`); relative paths become
    /// relative to the file's folder.
    pub fn load(path: Option<&Path>) -> Result<Config, RunError> {
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let mut config: Config = read_file(path)?;
        config.resolve_paths(path.parent().unwrap_or(Path::new(".")));
        Ok(config)
    }

    /// Makes every relative path in the config (data, trades and signal files, the log
    /// file) relative to `base`.
    pub fn resolve_paths(&mut self, base: &Path) {
        if let Some(spec) = &mut self.data {
            spec.resolve_paths(base);
        }
        if let Some(s) = self.strategy.as_mut() {
            for f in [s.trades.as_mut(), s.signals.as_mut()]
                .into_iter()
                .flatten()
            {
                if f.is_relative() {
                    *f = base.join(&*f);
                }
            }
        }
        if let Some(f) = &self.logging.file {
            if f.is_relative() {
                self.logging.file = Some(base.join(f));
            }
        }
    }

    /// The `[strategy]` table, or the default strategy when there is none.
    pub fn strategy_or_default(&self) -> StrategyConfig {
        self.strategy.clone().unwrap_or_default()
    }

    /// The `[backtest]` table, or the defaults when there is none.
    pub fn backtest_or_default(&self) -> BacktestConfig {
        self.backtest.clone().unwrap_or_default()
    }
}
