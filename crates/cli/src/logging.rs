//! Logging through `tracing`: a level from `--log-level`, `OXFOLIO_LOG` or the config's
//! `[logging]` section (in that order; default `warn`), to standard error and optionally
//! to a file.

use std::fs::File;
use std::path::Path;
use std::sync::Mutex;

use anyhow::Context;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};

use crate::config::LoggingConfig;

/// Nothing to hold today; returned so a future non-blocking writer can flush on drop.
pub struct LogGuard;

/// Installs the global subscriber.
pub fn init(
    level: Option<&str>,
    file: Option<&Path>,
    config: &LoggingConfig,
) -> anyhow::Result<LogGuard> {
    let level = level
        .map(str::to_string)
        .or_else(|| std::env::var("OXFOLIO_LOG").ok())
        .or_else(|| config.level.clone())
        .unwrap_or_else(|| "warn".to_string());
    let known = ["off", "error", "warn", "info", "debug", "trace"];
    if !(known.contains(&level.to_ascii_lowercase().as_str()) || level.contains('=')) {
        anyhow::bail!(
            "invalid log level `{level}`: use one of {} or a directive like oxfolio_data=debug",
            known.join(", ")
        );
    }
    let filter = || {
        EnvFilter::try_new(&level).map_err(|e| anyhow::anyhow!("invalid log level `{level}`: {e}"))
    };
    let console = fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_filter(filter()?);
    let file_layer = match file.or(config.file.as_deref()) {
        Some(path) => {
            let f = File::create(path)
                .with_context(|| format!("cannot create log file {}", path.display()))?;
            Some(
                fmt::layer()
                    .with_ansi(false)
                    .with_writer(Mutex::new(f))
                    .with_filter(filter()?),
            )
        }
        None => None,
    };
    tracing_subscriber::registry()
        .with(console)
        .with(file_layer)
        .try_init()
        .ok();
    Ok(LogGuard)
}
