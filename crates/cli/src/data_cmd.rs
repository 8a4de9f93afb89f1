//! `oxfolio data ingest` and `oxfolio data inspect`.

use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, Subcommand};
use serde::Serialize;

use oxfolio_data::inspect::{inspect, FileSummary};
use oxfolio_data::source::load;
use oxfolio_data::store::Store;

use crate::config::Config;
use crate::source_args::SourceArgs;
use crate::table::{price, render};

/// Data subcommands.
#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Validate a source and write it into a local Parquet store with a catalog.
    Ingest(IngestArgs),
    /// Summarise a source per symbol: rows, date range, frequency, gaps, repairs and
    /// problems (with file, line and column). Exits non-zero when problems remain.
    Inspect(InspectArgs),
}

/// `data ingest` options.
#[derive(Debug, Args)]
pub struct IngestArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// The store folder (created if needed; other symbols in it are kept).
    #[arg(long)]
    store: PathBuf,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

/// `data inspect` options.
#[derive(Debug, Args)]
pub struct InspectArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Count a gap where consecutive dates are more than this many calendar days apart.
    #[arg(long, default_value_t = 5)]
    gap_days: i64,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

/// Runs a data subcommand.
pub fn run(cmd: DataCommand, config: &Config) -> anyhow::Result<()> {
    match cmd {
        DataCommand::Ingest(a) => ingest(&a, config),
        DataCommand::Inspect(a) => run_inspect(&a, config),
    }
}

#[derive(Serialize)]
struct IngestOutput {
    store: String,
    symbols: Vec<IngestedSymbol>,
}

#[derive(Serialize)]
struct IngestedSymbol {
    symbol: String,
    rows: usize,
    first: String,
    last: String,
    repairs: std::collections::BTreeMap<String, usize>,
}

fn ingest(args: &IngestArgs, config: &Config) -> anyhow::Result<()> {
    let spec = args.source.spec(config)?;
    let dataset = load(&spec)?;
    let mut store = Store::open(&args.store, true)?;
    let items: Vec<_> = dataset
        .series
        .iter()
        .zip(&dataset.reports)
        .zip(&dataset.sources)
        .map(|((b, r), s)| (b.clone(), r.clone(), s.clone()))
        .collect();
    store.ingest(&items)?;
    tracing::info!(symbols = items.len(), store = %args.store.display(), "ingested");
    let out = IngestOutput {
        store: args.store.display().to_string(),
        symbols: dataset
            .series
            .iter()
            .map(|b| {
                let e = &store.catalog.symbols[&b.symbol];
                IngestedSymbol {
                    symbol: b.symbol.clone(),
                    rows: e.rows,
                    first: e.first.clone(),
                    last: e.last.clone(),
                    repairs: e.repairs.clone(),
                }
            })
            .collect(),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        let rows: Vec<Vec<String>> = out
            .symbols
            .iter()
            .map(|s| {
                vec![
                    s.symbol.clone(),
                    s.rows.to_string(),
                    s.first.clone(),
                    s.last.clone(),
                    repairs_text(&s.repairs),
                ]
            })
            .collect();
        print!(
            "{}",
            render(&["symbol", "rows", "first", "last", "repairs"], &rows)
        );
        println!("stored {} symbols in {}", out.symbols.len(), out.store);
    }
    Ok(())
}

fn repairs_text(r: &std::collections::BTreeMap<String, usize>) -> String {
    if r.is_empty() {
        return "-".into();
    }
    r.iter()
        .map(|(k, v)| format!("{k}:{v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Prints the inspection table and returns the number of problems and failed files.
pub fn print_inspection(files: &[FileSummary]) -> (usize, usize) {
    let mut rows = Vec::new();
    let mut details = Vec::new();
    let mut problems = 0;
    let mut failed = 0;
    for f in files {
        if let Some(e) = &f.error {
            failed += 1;
            details.push(format!("error: {e}"));
        }
        for s in &f.series {
            problems += s.problem_count();
            let gap = s
                .largest_gap
                .as_ref()
                .map_or("-".into(), |(d, a, b)| format!("{d}d {a}..{b}"));
            let range = s.close_range.map_or("-".into(), |(lo, hi)| {
                format!("{}..{}", price(lo), price(hi))
            });
            rows.push(vec![
                s.symbol.clone(),
                format!("{}/{}", s.rows, s.rows_read),
                s.first.clone().unwrap_or("-".into()),
                s.last.clone().unwrap_or("-".into()),
                s.frequency.clone(),
                s.gaps.to_string(),
                gap,
                range,
                s.largest_move
                    .as_ref()
                    .map_or("-".into(), |(m, d)| format!("{:+.1}% {d}", m * 100.0)),
                s.zero_volume_rows.to_string(),
                repairs_text(&s.repairs),
                s.problem_count().to_string(),
            ]);
            if s.problem_count() > 0 {
                let counts = s
                    .problem_counts
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                details.push(format!(
                    "{} ({}): {} problems ({counts})",
                    s.symbol,
                    s.file,
                    s.problem_count()
                ));
                for p in &s.problems {
                    details.push(format!("  {}: {p}", s.file));
                }
            }
        }
    }
    print!(
        "{}",
        render(
            &[
                "symbol",
                "rows/read",
                "first",
                "last",
                "frequency",
                "gaps",
                "largest gap",
                "close range",
                "largest move",
                "zero vol",
                "repairs",
                "problems"
            ],
            &rows
        )
    );
    for d in details {
        println!("{d}");
    }
    (problems, failed)
}

fn run_inspect(args: &InspectArgs, config: &Config) -> anyhow::Result<()> {
    let spec = args.source.spec(config)?;
    let files = inspect(&spec, args.gap_days)?;
    let (problems, failed) = if args.json {
        println!("{}", serde_json::to_string_pretty(&files)?);
        let p = files
            .iter()
            .flat_map(|f| &f.series)
            .map(|s| s.problem_count())
            .sum();
        (p, files.iter().filter(|f| f.error.is_some()).count())
    } else {
        print_inspection(&files)
    };
    if problems > 0 || failed > 0 {
        let first = files
            .iter()
            .find_map(|f| {
                f.error.clone().or_else(|| {
                    f.series
                        .iter()
                        .find_map(|s| s.problems.first().map(|p| format!("{}: {p}", s.file)))
                })
            })
            .unwrap_or_default();
        bail!("{problems} problems and {failed} unreadable files; first: {first} (repairs: drop-row, sort, keep-last, keep-first)");
    }
    Ok(())
}
