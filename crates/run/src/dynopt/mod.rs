//! A dynopt run end to end: its config file, the futures universe, the static versus
//! dynamic backtest, and its run folder (tables, `config.toml`, `report.html`,
//! `metrics.json`).

mod report;
mod summary;
mod tables;

use std::path::Path;
use std::time::Instant;

use oxfolio_dynopt::{BacktestResult, DynoptConfig, Universe, UniverseSpec};

pub use report::report_html;
pub use summary::{comparison, summary, Summary, Timings};

use crate::config::read_file;
use crate::error::RunError;
use crate::timings::seconds_since;

/// Reads a dynopt config (TOML, or YAML by extension) and makes `[data] dir` absolute,
/// relative to the file, so the run folder's `config.toml` reruns from anywhere.
pub fn load_dynopt_config(path: &Path) -> Result<DynoptConfig, RunError> {
    let mut config: DynoptConfig = read_file(path)?;
    if config.data.dir.is_relative() {
        if let Some(folder) = path.parent() {
            config.data.dir = folder.join(&config.data.dir);
        }
    }
    if let Ok(absolute) = std::fs::canonicalize(&config.data.dir) {
        config.data.dir = absolute;
    }
    Ok(config)
}

fn parse_date(text: &Option<String>, key: &str) -> Result<Option<chrono::NaiveDate>, RunError> {
    text.as_deref()
        .map(|d| {
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|e| RunError::Config(format!("[data] {key} `{d}` is not YYYY-MM-DD: {e}")))
        })
        .transpose()
}

/// A finished dynopt backtest.
pub struct DynoptRun {
    /// The config it ran with.
    pub config: DynoptConfig,
    /// The instruments, prices and FX it read.
    pub universe: Universe,
    /// Static and dynamic positions, P&L and metrics.
    pub result: BacktestResult,
    load: f64,
    simulate: f64,
}

/// Loads the universe `config` names and runs the static versus dynamic backtest;
/// `record_solves` keeps every dynamic solve's input and positions.
pub fn run_dynopt(config: DynoptConfig, record_solves: bool) -> Result<DynoptRun, RunError> {
    let started = Instant::now();
    let spec = UniverseSpec {
        dir: config.data.dir.clone(),
        instruments: config.data.instruments.clone(),
        start: parse_date(&config.data.start, "start")?,
        end: parse_date(&config.data.end, "end")?,
        base_currency: config.data.base_currency.clone(),
    };
    let universe = Universe::load(&spec)?;
    let load = seconds_since(started);
    let started = Instant::now();
    let result = oxfolio_dynopt::run(&universe, &config, record_solves)?;
    let simulate = seconds_since(started);
    Ok(DynoptRun {
        config,
        universe,
        result,
        load,
        simulate,
    })
}

impl DynoptRun {
    /// Writes the run folder `out` (and every recorded solve as JSON lines to `solves`);
    /// returns `metrics.json`'s object.
    pub fn write_folder(&self, out: &Path, solves: Option<&Path>) -> Result<Summary<'_>, RunError> {
        let started = Instant::now();
        std::fs::create_dir_all(out).map_err(|e| RunError::io(out, e))?;
        let capital = self.config.system.capital;
        tables::write_tables(out, &self.result, &self.universe, capital)?;
        let config = toml::to_string(&self.config).map_err(|e| RunError::Serialise {
            what: "config.toml",
            message: e.to_string(),
        })?;
        write(&out.join("config.toml"), &config)?;
        if let Some(file) = solves {
            let mut text = String::new();
            for solve in &self.result.solves {
                text.push_str(&json(solve, "the recorded solves", false)?);
                text.push('\n');
            }
            write(file, &text)?;
        }
        let timings = Timings {
            load: self.load,
            simulate: self.simulate,
            report: seconds_since(started),
        };
        let summary = summary(&self.result, &self.universe, &self.config, timings);
        write(
            &out.join("report.html"),
            &report_html(&self.result, &summary, capital),
        )?;
        write(
            &out.join("metrics.json"),
            &json(&summary, "metrics.json", true)?,
        )?;
        Ok(summary)
    }
}

fn write(path: &Path, text: &str) -> Result<(), RunError> {
    std::fs::write(path, text).map_err(|e| RunError::io(path, e))
}

fn json<T: serde::Serialize>(
    value: &T,
    what: &'static str,
    pretty: bool,
) -> Result<String, RunError> {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    text.map_err(|e| RunError::Serialise {
        what,
        message: e.to_string(),
    })
}
