//! The optional config file (TOML, or YAML by extension): `[data]` describes a source,
//! `[logging]` sets level and file, `[backtest]` and `[strategy]` configure
//! `oxfolio backtest`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use oxfolio_engine::events::ExecutionConfig;
use oxfolio_engine::{BacktestConfig, StrategyConfig};
use oxfolio_risk::config::RiskManagement;

use oxfolio_data::source::SourceSpec;

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
    /// The strategy of `oxfolio backtest`.
    pub strategy: Option<StrategyConfig>,
    /// Order execution of the event-driven engine (order-level strategies).
    pub execution: Option<ExecutionConfig>,
    /// The risk toolkit inside the event-driven engine.
    pub risk_management: Option<RiskManagement>,
}

/// A file shipped in the repository (`rel` from its root): under the current folder when
/// run from a checkout, else in the source tree this binary was built from.
pub fn shipped(rel: &str) -> PathBuf {
    let local = Path::new(rel);
    if local.is_file() {
        return local.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// Reads a config file as YAML (`.yaml`, `.yml`) or TOML (anything else); errors name
/// the file.
pub fn read_file<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config {}", path.display()))?;
    let yaml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
    let parsed = if yaml {
        serde_saphyr::from_str::<T>(&text).map_err(|e| e.to_string())
    } else {
        toml::from_str::<T>(&text).map_err(|e| e.to_string())
    };
    parsed.map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.replace('\n', " ")))
}

impl Config {
    /// Reads a config file (or the empty config when `None`); relative paths become
    /// relative to the file's folder.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let mut config: Config = read_file(path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        if let Some(spec) = &mut config.data {
            spec.resolve_paths(base);
        }
        if let Some(s) = config.strategy.as_mut() {
            for f in [s.trades.as_mut(), s.signals.as_mut()]
                .into_iter()
                .flatten()
            {
                if f.is_relative() {
                    *f = base.join(&*f);
                }
            }
        }
        if let Some(f) = &config.logging.file {
            if f.is_relative() {
                config.logging.file = Some(base.join(f));
            }
        }
        Ok(config)
    }
}
