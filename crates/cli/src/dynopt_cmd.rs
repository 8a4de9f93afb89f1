//! `oxfolio dynopt`: Carver's dynamic optimisation of integer futures positions.
//! `oxfolio dynopt [--config FILE] [--out DIR] [--json]` backtests static against dynamic
//! positions (default: the bundled futures, $100k, 20% risk target) and writes a run
//! folder; `oxfolio dynopt solve --input FILE.json [--json]` solves one step.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use oxfolio_dynopt::{BacktestResult, DynoptConfig, SolveInput, Universe, UniverseSpec};

use crate::config::shipped;
use crate::dynopt_report::report_html;
use crate::dynopt_summary::{comparison, summary, Summary, Timings};
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

/// Reads the config (TOML, or YAML by extension) and makes `[data] dir` relative to it.
fn load_config(path: &Path) -> anyhow::Result<DynoptConfig> {
    let mut config: DynoptConfig = crate::config::read_file(path)?;
    if config.data.dir.is_relative() {
        if let Some(folder) = path.parent() {
            config.data.dir = folder.join(&config.data.dir);
        }
    }
    // Absolute, so the run folder's config.toml reproduces the run from anywhere.
    if let Ok(absolute) = std::fs::canonicalize(&config.data.dir) {
        config.data.dir = absolute;
    }
    Ok(config)
}

fn parse_date(text: &Option<String>, key: &str) -> anyhow::Result<Option<NaiveDate>> {
    text.as_deref()
        .map(|d| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .with_context(|| format!("[data] {key} `{d}` is not YYYY-MM-DD"))
        })
        .transpose()
}

fn run_backtest(args: &RunArgs) -> anyhow::Result<()> {
    let path = args
        .config
        .clone()
        .unwrap_or_else(|| shipped("examples/dynopt.toml"));
    let config = load_config(&path)?;
    let started = Instant::now();
    let spec = UniverseSpec {
        dir: config.data.dir.clone(),
        instruments: config.data.instruments.clone(),
        start: parse_date(&config.data.start, "start")?,
        end: parse_date(&config.data.end, "end")?,
        base_currency: config.data.base_currency.clone(),
    };
    let universe = Universe::load(&spec)?;
    let load = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let result = oxfolio_dynopt::run(&universe, &config, args.record_solves.is_some())?;
    let simulate = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let out = &args.out;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    write_tables(out, &result, &universe, config.system.capital)?;
    std::fs::write(out.join("config.toml"), toml::to_string(&config)?)?;
    if let Some(file) = &args.record_solves {
        let mut text = String::new();
        for solve in &result.solves {
            text.push_str(&serde_json::to_string(solve)?);
            text.push('\n');
        }
        std::fs::write(file, text).with_context(|| format!("cannot write {}", file.display()))?;
    }
    let report = started.elapsed().as_secs_f64();
    let summary = summary(
        &result,
        &universe,
        &config,
        Timings {
            load,
            simulate,
            report,
        },
    );
    std::fs::write(
        out.join("report.html"),
        report_html(&result, &summary, config.system.capital),
    )?;
    let json = serde_json::to_string_pretty(&summary)?;
    std::fs::write(out.join("metrics.json"), &json)?;
    if args.json {
        println!("{json}");
    } else {
        print_table(&summary);
        println!("wrote {}", out.display());
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

fn write_tables(
    out: &Path,
    r: &BacktestResult,
    universe: &Universe,
    capital: f64,
) -> anyhow::Result<()> {
    let n = r.instruments.len();
    let header = |first: &str| {
        let mut h = first.to_string();
        for name in &r.instruments {
            h.push(',');
            h.push_str(name);
        }
        h.push('\n');
        h
    };
    let mut equity = String::from("date,static,dynamic\n");
    let (mut a, mut b) = (capital, capital);
    for (t, date) in r.dates.iter().enumerate() {
        a += r.static_run.pnl[t];
        b += r.dynamic_run.pnl[t];
        let _ = writeln!(equity, "{date},{a},{b}");
    }
    std::fs::write(out.join("equity.csv"), equity)?;
    for (file, run) in [
        ("positions_static.csv", &r.static_run),
        ("positions_dynamic.csv", &r.dynamic_run),
    ] {
        let mut text = header("date");
        for (t, date) in r.dates.iter().enumerate() {
            let _ = write!(text, "{date}");
            for k in &run.positions[t * n..(t + 1) * n] {
                let _ = write!(text, ",{k}");
            }
            text.push('\n');
        }
        std::fs::write(out.join(file), text)?;
    }
    let mut ideal = header("date");
    for (t, date) in r.dates.iter().enumerate() {
        let row = &r.ideal[t * n..(t + 1) * n];
        if row.iter().all(|v| v.is_nan()) {
            continue;
        }
        let _ = write!(ideal, "{date}");
        for v in row {
            if v.is_finite() {
                let _ = write!(ideal, ",{v}");
            } else {
                ideal.push(',');
            }
        }
        ideal.push('\n');
    }
    std::fs::write(out.join("ideal_positions.csv"), ideal)?;
    let mut decisions = String::from(
        "date,static_tracking_error,dynamic_tracking_error,outcome,adjustment_factor,steps,static_traded,dynamic_traded\n",
    );
    for (s, d) in r.static_run.decisions.iter().zip(&r.dynamic_run.decisions) {
        let (outcome, factor) = match d.buffering {
            Some(oxfolio_dynopt::Buffering::Adjusted {
                adjustment_factor, ..
            }) => ("adjusted", adjustment_factor.to_string()),
            Some(oxfolio_dynopt::Buffering::WithinBuffer { .. }) => {
                ("within_buffer", String::new())
            }
            _ => ("no_prior", String::new()),
        };
        let next = (d.t + 1).min(r.dates.len() - 1);
        let _ = writeln!(
            decisions,
            "{},{},{},{outcome},{factor},{},{},{}",
            r.dates[d.t],
            s.tracking_error,
            d.tracking_error,
            d.steps,
            if d.t + 1 < r.dates.len() {
                r.static_run.traded[next]
            } else {
                0
            },
            if d.t + 1 < r.dates.len() {
                r.dynamic_run.traded[next]
            } else {
                0
            },
        );
    }
    std::fs::write(out.join("decisions.csv"), decisions)?;
    let mut weights = header("date,idm");
    for w in &r.weights {
        let _ = write!(weights, "{},{}", r.dates[w.t], w.idm);
        for v in &w.weights {
            let _ = write!(weights, ",{v}");
        }
        weights.push('\n');
    }
    std::fs::write(out.join("weights.csv"), weights)?;
    let mut instruments = String::from(
        "instrument,asset_class,currency,point_size,spread_cost,per_block,percentage,per_trade\n",
    );
    for i in &universe.instruments {
        let _ = writeln!(
            instruments,
            "{},{},{},{},{},{},{},{}",
            i.name,
            i.asset_class,
            i.currency,
            i.point_size,
            i.spread_cost,
            i.per_block,
            i.percentage,
            i.per_trade
        );
    }
    std::fs::write(out.join("instruments.csv"), instruments)?;
    let rows = {
        let mut text = String::from("metric,static,dynamic\n");
        let a = serde_json::to_value(&r.static_metrics)?;
        let b = serde_json::to_value(&r.dynamic_metrics)?;
        if let (Some(a), Some(b)) = (a.as_object(), b.as_object()) {
            for (k, v) in a {
                let _ = writeln!(text, "{k},{},{}", cell(v), cell(&b[k]));
            }
        }
        text
    };
    std::fs::write(out.join("comparison.csv"), rows)?;
    Ok(())
}

fn cell(v: &serde_json::Value) -> String {
    if v.is_null() {
        String::new()
    } else {
        v.to_string()
    }
}
