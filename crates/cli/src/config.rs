//! The optional config file: `[data]` describes a source, `[logging]` sets level and file.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

use oxfolio_data::source::SourceSpec;

/// Logging settings from the config file.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LoggingConfig {
    /// Level: error, warn, info, debug, trace.
    pub level: Option<String>,
    /// Log file path.
    pub file: Option<PathBuf>,
}

/// The whole config file.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The data source.
    pub data: Option<SourceSpec>,
    /// Logging.
    #[serde(default)]
    pub logging: LoggingConfig,
}

impl Config {
    /// Reads a config file (or the empty config when `None`); relative paths become
    /// relative to the file's folder.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config {}", path.display()))?;
        let mut config: Config = toml::from_str(&text).map_err(|e| {
            anyhow::anyhow!("{}: {}", path.display(), e.to_string().replace('\n', " "))
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        if let Some(spec) = &mut config.data {
            spec.resolve_paths(base);
        }
        if let Some(f) = &config.logging.file {
            if f.is_relative() {
                config.logging.file = Some(base.join(f));
            }
        }
        Ok(config)
    }
}
