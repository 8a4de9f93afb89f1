//! The entry points: run a config's own strategy, or a caller's strategy at either level,
//! from loading the data to the outcome.

use std::time::Instant;

use oxfolio_engine::config::Mode;
use oxfolio_engine::events::{EventEngine, OrderStrategy};
use oxfolio_engine::{Backtest, Market, Strategy};

use crate::config::Config;
use crate::error::RunError;
use crate::level::{refuse_ignored_keys, Level};
use crate::order_level::{self, run_order, OrderDriver};
use crate::outcome::{LevelRun, Outcome};
use crate::portfolio::{self, run_portfolio};
use crate::timings::seconds_since;

/// Loads the data named by `[data]`.
pub fn load_market(config: &Config) -> Result<Market, RunError> {
    let spec = config
        .data
        .as_ref()
        .ok_or_else(|| RunError::Config("the config has no [data] section".into()))?;
    Ok(Market::load(spec)?)
}

/// The config as a run of `level` reads it: every table it reads present with its
/// defaults, the data path absolute, and no `[strategy]` when the strategy is the
/// caller's.
fn resolved(config: &Config, level: Level, custom: bool) -> Config {
    let mut resolved = config.clone();
    if let Some(spec) = &mut resolved.data {
        if let Ok(p) = spec.path.canonicalize() {
            spec.path = p;
        }
    }
    resolved.backtest = Some(config.backtest_or_default());
    resolved.strategy = (!custom).then(|| config.strategy_or_default());
    if level == Level::Order {
        resolved.execution = Some(config.execution.clone().unwrap_or_default());
    }
    resolved
}

/// Runs the strategy the config names (a built-in at either level, or a trades file).
pub fn run(config: &Config) -> Result<Outcome, RunError> {
    run_with_progress(config, &mut |_, _| {})
}

/// [`run`], telling `progress` `(days done, days)` after each day of a portfolio-level
/// run.
pub fn run_with_progress(
    config: &Config,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Outcome, RunError> {
    let mut strategy = config.strategy_or_default();
    let external = config.backtest.as_ref().map(|b| b.mode) == Some(Mode::ExternalTrades);
    if external {
        if strategy.kind != "trades_file" && strategy.kind != "equal_weight" {
            return Err(RunError::Config(format!(
                "strategy.kind = {} is not read with backtest.mode = external_trades, whose trades come from strategy.trades (use kind = \"trades_file\")",
                strategy.kind
            )));
        }
        strategy.kind = "trades_file".into();
    }
    let level = Level::of_kind(&strategy.kind);
    refuse_ignored_keys(config, level, &strategy.kind, Some(&strategy))?;
    let started = Instant::now();
    let market = load_market(config)?;
    let run = match level {
        Level::Portfolio => {
            let backtest = Backtest::new(&market, config.backtest_or_default())?;
            let mut strategy = portfolio::configured_strategy(config, &market)?;
            let load = seconds_since(started);
            LevelRun::Portfolio(Box::new(run_portfolio(
                &backtest,
                &market,
                &mut strategy,
                load,
                progress,
            )?))
        }
        Level::Order => {
            let settings = order_level::settings(config);
            let engine = EventEngine::new(&market, settings.clone())?;
            let shipped = order_level::configured_strategy(config, &market)?;
            let load = seconds_since(started);
            let driver =
                OrderDriver::<oxfolio_engine::events::strategies::Shipped>::Shipped(shipped);
            LevelRun::Order(Box::new(run_order(
                &engine, &settings, &market, driver, load,
            )?))
        }
    };
    Ok(Outcome {
        config: resolved(config, level, false),
        market,
        run,
        custom_strategy: None,
    })
}

/// Runs the caller's portfolio-level `strategy` (a closure `FnMut(&Context) ->
/// Result<Decision, StrategyError>` or a [`Strategy`]) on the config's data and
/// `[backtest]` settings; the config's `[strategy]` table is not read.
pub fn run_strategy<S: Strategy + ?Sized>(
    config: &Config,
    strategy: &mut S,
) -> Result<Outcome, RunError> {
    refuse_ignored_keys(config, Level::Portfolio, strategy.name(), None)?;
    let started = Instant::now();
    let market = load_market(config)?;
    let backtest = Backtest::new(&market, config.backtest_or_default())?;
    let load = seconds_since(started);
    let run = run_portfolio(&backtest, &market, strategy, load, &mut |_, _| {})?;
    Ok(Outcome {
        config: resolved(config, Level::Portfolio, true),
        market,
        run: LevelRun::Portfolio(Box::new(run)),
        custom_strategy: Some(strategy.name().to_string()),
    })
}

/// Runs the caller's order-level `strategy` on the config's data with its `[backtest]`,
/// `[execution]` and `[risk_management]` settings; the `[strategy]` table is not read.
pub fn run_order_strategy<S: OrderStrategy + ?Sized>(
    config: &Config,
    strategy: &mut S,
) -> Result<Outcome, RunError> {
    let name = strategy.name().to_string();
    refuse_ignored_keys(config, Level::Order, &name, None)?;
    let started = Instant::now();
    let market = load_market(config)?;
    let settings = order_level::settings(config);
    let engine = EventEngine::new(&market, settings.clone())?;
    let load = seconds_since(started);
    let run = run_order(
        &engine,
        &settings,
        &market,
        OrderDriver::User(strategy),
        load,
    )?;
    Ok(Outcome {
        config: resolved(config, Level::Order, true),
        market,
        run: LevelRun::Order(Box::new(run)),
        custom_strategy: Some(name),
    })
}
