//! `oxfolio dynopt`: Carver's dynamic optimisation of integer futures positions.
//! `oxfolio dynopt [--config FILE] [--out DIR] [--json]` backtests static against dynamic
//! positions (default: the bundled futures, $100k, 20% risk target) and writes a run
//! folder; `oxfolio dynopt solve --input FILE.json [--json]` solves one step.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

use oxfolio_dynopt::SolveInput;
use oxfolio_run::dynopt::{comparison, load_dynopt_config, run_dynopt, Summary};

use crate::config::shipped;
use crate::table::{num, pct, render};

/// `dynopt` options.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DynoptArgs {
    #[command(subcommand)]
    command: Option<DynoptCommand>,
    #[command(flatten)]
    run: RunArgs,
}

/// `dynopt` subcommands.
#[derive(Debug, Subcommand)]
enum DynoptCommand {
    /// One optimisation step from a JSON file.
    Solve(SolveArgs),
}

/// Options of the backtest.
#[derive(Debug, Args)]
struct RunArgs {
    /// Config file (TOML or YAML; `[data]`, `[system]`, `[dynamic]`); relative paths in it
    /// are relative to the file. Default: the bundled `examples/dynopt.toml`.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Run folder.
    #[arg(long, default_value = "out/dynopt")]
    out: PathBuf,
    /// Print metrics.json instead of the table.
    #[arg(long)]
    json: bool,
    /// Also write every dynamic solve (input and chosen positions) as JSON lines.
    #[arg(long)]
    record_solves: Option<PathBuf>,
}

/// Options of `dynopt solve`.
#[derive(Debug, Args)]
struct SolveArgs {
    /// The step: instruments, optimal_positions, per_contract_value, covariance,
    /// costs_per_unit_weight, previous_positions, shadow_cost, tracking_error_buffer,
    /// and optional maximum_positions, reduce_only, no_trade.
    #[arg(long)]
    input: PathBuf,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

/// Runs `oxfolio dynopt ...`.
pub fn run(args: &DynoptArgs) -> anyhow::Result<()> {
    match &args.command {
        Some(DynoptCommand::Solve(solve)) => run_solve(solve),
        None => run_backtest(&args.run),
    }
}

fn run_solve(args: &SolveArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.input)
        .with_context(|| format!("cannot read {}", args.input.display()))?;
    let input = SolveInput::from_json(&text, &args.input.display().to_string())?;
    let output = input.solve()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&output)?);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = input
        .instruments
        .iter()
        .zip(&input.optimal_positions)
        .map(|(name, optimal)| {
            vec![
                name.clone(),
                format!("{optimal:.3}"),
                output.greedy_positions[name].to_string(),
                output.positions[name].to_string(),
            ]
        })
        .collect();
    print!(
        "{}",
        render(&["instrument", "optimal", "greedy", "position"], &rows)
    );
    println!(
        "tracking error {:.6}, cost penalty {:.6}, objective {:.6}, buffering {:?}{}",
        output.tracking_error,
        output.cost_penalty,
        output.objective,
        output.buffering,
        if output.buffering_changed_trade {
            " (changed the trade)"
        } else {
            ""
        }
    );
    Ok(())
}

fn run_backtest(args: &RunArgs) -> anyhow::Result<()> {
    let path = args
        .config
        .clone()
        .unwrap_or_else(|| shipped("examples/dynopt.toml"));
    let config = load_dynopt_config(&path)?;
    let run = run_dynopt(config, args.record_solves.is_some())?;
    let summary = run.write_folder(&args.out, args.record_solves.as_deref())?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print_table(&summary);
        println!("wrote {}", args.out.display());
    }
    Ok(())
}

fn print_table(s: &Summary) {
    println!(
        "== dynamic optimisation: {} instruments, {} to {}, capital {}, risk target {} ==",
        s.instruments.len(),
        s.start,
        s.end,
        num(s.capital, 0),
        pct(s.risk_target)
    );
    print!(
        "{}",
        render(&["metric", "static", "dynamic"], &comparison(s))
    );
    for w in s.warnings {
        println!("warning: {w}");
    }
}
