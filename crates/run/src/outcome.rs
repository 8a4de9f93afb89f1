//! What a run returns, and the run folder it writes.

use std::path::Path;
use std::time::Instant;

use oxfolio_engine::events::output::write_event_tables;
use oxfolio_engine::output::write_tables;
use oxfolio_engine::Market;

use crate::config::Config;
use crate::error::RunError;
use crate::level::Level;
use crate::order_level::OrderRun;
use crate::order_report::order_html;
use crate::portfolio::PortfolioRun;
use crate::portfolio_report::portfolio_html;
use crate::timings::{seconds_since, Timings};

/// A finished run at one of the two levels.
#[derive(Debug)]
pub enum LevelRun {
    /// A portfolio-level run.
    Portfolio(Box<PortfolioRun>),
    /// An order-level run.
    Order(Box<OrderRun>),
}

/// A finished run: the market it ran on, the config as run, its results, metrics and
/// what the report needs. [`Outcome::write_folder`] writes the run folder.
#[derive(Debug)]
pub struct Outcome {
    /// The market data the run read.
    pub market: Market,
    /// The config as run, every default filled in (written as `config.toml`).
    pub config: Config,
    /// The results of the level that ran.
    pub run: LevelRun,
    /// The name of a caller's strategy (a closure or a user type), which `config.toml`
    /// cannot reproduce.
    pub(crate) custom_strategy: Option<String>,
}

impl Outcome {
    /// The level that ran.
    pub fn level(&self) -> Level {
        match self.run {
            LevelRun::Portfolio(_) => Level::Portfolio,
            LevelRun::Order(_) => Level::Order,
        }
    }

    /// Wall seconds per phase (`report` is filled in by [`Outcome::write_folder`]).
    pub fn timings(&self) -> &Timings {
        match &self.run {
            LevelRun::Portfolio(r) => &r.metrics.timings,
            LevelRun::Order(r) => &r.metrics.timings,
        }
    }

    fn timings_mut(&mut self) -> &mut Timings {
        match &mut self.run {
            LevelRun::Portfolio(r) => &mut r.metrics.timings,
            LevelRun::Order(r) => &mut r.metrics.timings,
        }
    }

    /// The timestamps of the bars (order level) or days (portfolio level, from the base
    /// date) the run covered.
    pub fn timestamps(&self) -> Vec<i64> {
        match &self.run {
            LevelRun::Portfolio(r) => r.results.run_dates(),
            LevelRun::Order(r) => r.results.timestamps(self.market.dates()).to_vec(),
        }
    }

    /// `metrics.json`'s content: pretty JSON, the metrics under the names of
    /// `oxfolio metrics --json` plus the run's counts and timings.
    pub fn metrics_json(&self) -> Result<String, RunError> {
        let json = match &self.run {
            LevelRun::Portfolio(r) => serde_json::to_string_pretty(&r.metrics),
            LevelRun::Order(r) => serde_json::to_string_pretty(&r.metrics),
        };
        json.map_err(|e| RunError::Serialise {
            what: "metrics.json",
            message: e.to_string(),
        })
    }

    /// `config.toml`'s content: the config as run. A caller's strategy is named in a
    /// leading comment, since the file alone reruns the default strategy.
    pub fn config_toml(&self) -> Result<String, RunError> {
        let body = toml::to_string(&self.config).map_err(|e| RunError::Serialise {
            what: "config.toml",
            message: e.to_string(),
        })?;
        Ok(match &self.custom_strategy {
            Some(name) => format!(
                "# The strategy was the caller's own (`{name}`), not a built-in: this file\n# holds the data and settings it ran with, not the strategy.\n{body}"
            ),
            None => body,
        })
    }

    /// Writes the run folder `dir` (created if needed): the level's tables, `config.toml`,
    /// `report.html` and, last, `metrics.json` with the time this took as
    /// `timings.report`.
    pub fn write_folder(&mut self, dir: &Path) -> Result<(), RunError> {
        let started = Instant::now();
        std::fs::create_dir_all(dir).map_err(|e| RunError::io(dir, e))?;
        match &self.run {
            LevelRun::Portfolio(r) => write_tables(dir, &r.results, &r.marks, &r.summary)?,
            LevelRun::Order(r) => write_event_tables(dir, &r.results, self.market.dates())?,
        }
        write_file(dir, "config.toml", &self.config_toml()?)?;
        let html = match &self.run {
            LevelRun::Portfolio(r) => portfolio_html(r, self.market.n_symbols()),
            LevelRun::Order(r) => order_html(r, r.results.timestamps(self.market.dates())),
        };
        write_file(dir, "report.html", &html)?;
        self.timings_mut().report = seconds_since(started);
        write_file(dir, "metrics.json", &(self.metrics_json()? + "\n"))
    }
}

/// Writes `text` to `dir/name`.
fn write_file(dir: &Path, name: &str, text: &str) -> Result<(), RunError> {
    let path = dir.join(name);
    std::fs::write(&path, text).map_err(|e| RunError::io(path, e))
}
