//! `oxfolio data ingest` and `oxfolio data inspect`.

use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, Subcommand};
use serde::Serialize;

use oxfolio_data::inspect::inspect;
use oxfolio_data::source::load;
use oxfolio_data::store::Store;

use crate::config::Config;
use crate::inspection::{print_inspection, repairs_text};
use crate::source_args::SourceArgs;
use crate::table::render;

/// Data subcommands.
#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Validate a source and write it into a local Parquet store with a catalog.
    Ingest(IngestArgs),
    /// Align every symbol of a source on one calendar and write one field as a wide
    /// CSV (a column per symbol); reports what was observed, filled and left missing.
    Align(AlignArgs),
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

/// Calendar rules accepted by `--calendar`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum CalendarArg {
    /// Every date any symbol has.
    Union,
    /// Only dates every symbol has.
    Intersection,
}

/// Fields accepted by `--field`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum FieldArg {
    /// Open prices.
    Open,
    /// High prices.
    High,
    /// Low prices.
    Low,
    /// Close prices.
    Close,
    /// Volumes.
    Volume,
}

/// `data align` options.
#[derive(Debug, Args)]
pub struct AlignArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Which dates make the calendar.
    #[arg(long, value_enum, default_value = "union")]
    calendar: CalendarArg,
    /// Forward-fill a missing value from the last close, at most this many dates in a
    /// row (0: leave every missing value missing).
    #[arg(long, default_value_t = 0)]
    ffill_limit: usize,
    /// The field to write.
    #[arg(long, value_enum, default_value = "close")]
    field: FieldArg,
    /// Write the aligned field here (wide CSV: date, then one column per symbol; empty
    /// cells are missing).
    #[arg(long)]
    output: Option<PathBuf>,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

/// `data inspect` options.
#[derive(Debug, Args)]
pub struct InspectArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Count a gap where consecutive dates are more than this many calendar days apart
    /// (for weekly and monthly data, at least twice their typical spacing).
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
        DataCommand::Align(a) => run_align(&a, config),
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

#[derive(Serialize)]
struct AlignOutput {
    dates: usize,
    first: Option<String>,
    last: Option<String>,
    output: Option<String>,
    symbols: Vec<oxfolio_data::align::AlignCounts>,
}

fn run_align(args: &AlignArgs, config: &Config) -> anyhow::Result<()> {
    use oxfolio_core::time::format_timestamp;
    use oxfolio_core::Field;
    use oxfolio_data::align::{align, AlignOptions, Calendar, Fill};
    let spec = args.source.spec(config)?;
    let dataset = load(&spec)?;
    let options = AlignOptions {
        calendar: match args.calendar {
            CalendarArg::Union => Calendar::Union,
            CalendarArg::Intersection => Calendar::Intersection,
        },
        fill: if args.ffill_limit == 0 {
            Fill::Missing
        } else {
            Fill::ForwardFill {
                limit: Some(args.ffill_limit),
            }
        },
    };
    let (panel, report) = align(&dataset.series, options)?;
    let field = match args.field {
        FieldArg::Open => Field::Open,
        FieldArg::High => Field::High,
        FieldArg::Low => Field::Low,
        FieldArg::Close => Field::Close,
        FieldArg::Volume => Field::Volume,
    };
    if let Some(path) = &args.output {
        let Some(values) = panel.field(field) else {
            bail!("not every symbol has a {} column", field.name());
        };
        let mut w = csv::Writer::from_path(path)?;
        let mut header = vec!["date".to_string()];
        header.extend(panel.symbols.iter().cloned());
        w.write_record(&header)?;
        let n = panel.n_symbols();
        for (t, ts) in panel.ts.iter().enumerate() {
            let mut row = vec![format_timestamp(*ts)];
            row.extend(values[t * n..(t + 1) * n].iter().map(|v| {
                if v.is_nan() {
                    String::new()
                } else {
                    v.to_string()
                }
            }));
            w.write_record(&row)?;
        }
        w.flush()?;
    }
    let out = AlignOutput {
        dates: panel.n_dates(),
        first: panel.ts.first().map(|t| format_timestamp(*t)),
        last: panel.ts.last().map(|t| format_timestamp(*t)),
        output: args.output.as_ref().map(|p| p.display().to_string()),
        symbols: report.symbols,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = out
        .symbols
        .iter()
        .map(|c| {
            vec![
                c.symbol.clone(),
                c.observed.to_string(),
                c.filled.to_string(),
                c.missing.to_string(),
                c.dropped.to_string(),
            ]
        })
        .collect();
    print!(
        "{}",
        render(
            &["symbol", "observed", "filled", "missing", "dropped"],
            &rows
        )
    );
    println!(
        "{} dates, {} to {}{}",
        out.dates,
        out.first.unwrap_or_default(),
        out.last.unwrap_or_default(),
        out.output
            .map(|p| format!("; wrote {p}"))
            .unwrap_or_default()
    );
    Ok(())
}
