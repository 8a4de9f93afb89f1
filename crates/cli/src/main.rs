//! `oxfolio`: the command line of Oxfolio.

mod backtest_cmd;
mod book_cmd;
mod config;
mod constraint_args;
mod data_cmd;
mod demo_cmd;
mod dynopt_cmd;
mod estimate_args;
mod frontier_cmd;
mod inspection;
mod logging;
mod metrics_cmd;
mod metrics_table;
mod optimize_cmd;
mod option_cmd;
mod risk_cmd;
mod series;
mod source_args;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Oxfolio: market data, backtests, optimisation and risk, from one fast and correct kernel.
#[derive(Debug, Parser)]
#[command(name = "oxfolio", version, about, long_about = None)]
pub struct Cli {
    /// Log level: error, warn, info, debug or trace (overrides OXFOLIO_LOG and the config).
    #[arg(long, global = true)]
    log_level: Option<String>,
    /// Also write logs to this file.
    #[arg(long, global = true)]
    log_file: Option<PathBuf>,
    /// A TOML config file with optional [data] (a source) and [logging] (level, file)
    /// sections; relative paths in it are relative to the file.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The daily portfolio backtester: runs a config (or the bundled default) and writes a
    /// run folder with metrics, equity, fills, trades, P&L, signals and report.html.
    Backtest(backtest_cmd::BacktestArgs),
    /// Read, validate, summarise and store market data.
    #[command(subcommand)]
    Data(data_cmd::DataCommand),
    /// Performance metrics of a return or equity series from a CSV file.
    Metrics(metrics_cmd::MetricsArgs),
    /// Limit order book: replay recorded market data through the book and simulator.
    #[command(subcommand)]
    Book(book_cmd::BookCommand),
    /// Options: Black-Scholes-Merton prices and Greeks, implied volatility, American
    /// options on a binomial tree; one option or a CSV batch.
    #[command(subcommand)]
    Option(option_cmd::OptionCommand),
    /// Portfolio optimisation from a wide close-price file: max Sharpe, min volatility,
    /// efficient return or risk, inverse volatility, equal weight.
    Optimize(optimize_cmd::OptimizeArgs),
    /// The efficient frontier of a wide close-price file, as CSV, JSON and an HTML chart.
    Frontier(frontier_cmd::FrontierArgs),
    /// Dynamic optimisation of integer futures positions (Carver): a static versus dynamic
    /// backtest on the bundled futures, or `dynopt solve` for one step.
    Dynopt(dynopt_cmd::DynoptArgs),
    /// Risk toolkit: position sizing and the risk monitor.
    #[command(subcommand)]
    Risk(risk_cmd::RiskCommand),
    /// A quick look at the bundled data: inspect it, then the metrics of an equal-weight
    /// buy-and-hold portfolio (the main job is `backtest`).
    Demo(demo_cmd::DemoArgs),
}

fn run(cli: Cli) -> anyhow::Result<()> {
    // `dynopt` reads its own config file (`dynopt --config`), with its own sections.
    let config = match cli.command {
        Command::Dynopt(_) => config::Config::default(),
        _ => config::Config::load(cli.config.as_deref())?,
    };
    let _guard = logging::init(
        cli.log_level.as_deref(),
        cli.log_file.as_deref(),
        &config.logging,
    )?;
    tracing::debug!(?cli.command, "starting");
    match cli.command {
        Command::Backtest(args) => {
            backtest_cmd::run(&args, cli.config.is_some().then_some(&config))
        }
        Command::Data(cmd) => data_cmd::run(cmd, &config),
        Command::Metrics(args) => metrics_cmd::run(&args),
        Command::Risk(cmd) => risk_cmd::run(cmd),
        Command::Book(cmd) => book_cmd::run(cmd),
        Command::Option(cmd) => option_cmd::run(cmd),
        Command::Optimize(args) => optimize_cmd::run(&args),
        Command::Dynopt(args) => dynopt_cmd::run(&args),
        Command::Frontier(args) => frontier_cmd::run(&args),
        Command::Demo(args) => demo_cmd::run(&args, cli.config.is_some().then_some(&config)),
    }
}

/// Piping into `head` closes stdout early: end quietly like other command-line tools
/// instead of panicking on the failed write.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first in main, before any thread starts; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    restore_default_sigpipe();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let message = format!("{e:#}").replace('\n', " ");
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
