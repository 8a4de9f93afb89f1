//! `oxfolio demo`: a quick look at the bundled data (the main job is `oxfolio
//! backtest`). It inspects the bundled data set, then reports the metrics of an equal-weight
//! buy-and-hold portfolio (capital split equally at the first close, never rebalanced)
//! and of each symbol, and writes `equity.csv` and `metrics.json`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use oxfolio_analytics::{compute, Metrics, MetricsOptions};
use oxfolio_core::time::format_timestamp;
use oxfolio_core::{Field, Panel};
use oxfolio_data::align::{align, AlignOptions, Calendar, Fill};
use oxfolio_data::inspect::inspect;
use oxfolio_data::returns::simple_returns;
use oxfolio_data::source::load;

use crate::config::{shipped, Config};
use crate::inspection::print_inspection;
use crate::metrics_table::print_metrics;
use crate::table::{num, pct, render};

/// `demo` options.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Starting capital.
    #[arg(long, default_value_t = 1_000_000.0)]
    capital: f64,
    /// Output folder.
    #[arg(long, default_value = "out/demo")]
    out: PathBuf,
    /// Machine-readable output (the portfolio metrics and per-symbol metrics).
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct DemoOutput {
    portfolio: Metrics,
    symbols: Vec<(String, Metrics)>,
}

/// Equity of an equal-weight buy-and-hold portfolio over the panel's closes.
pub fn buy_and_hold_equity(panel: &Panel, capital: f64) -> anyhow::Result<Vec<f64>> {
    let n = panel.n_symbols();
    let first = panel.row(Field::Close, 0).context("no closes")?;
    if let Some(i) = first.iter().position(|c| !(c.is_finite() && *c > 0.0)) {
        anyhow::bail!("{} has no usable close on the first date", panel.symbols[i]);
    }
    let shares: Vec<f64> = first.iter().map(|c| capital / n as f64 / c).collect();
    (0..panel.n_dates())
        .map(|t| {
            let row = panel.row(Field::Close, t).context("no closes")?;
            Ok(row.iter().zip(&shares).map(|(c, s)| c * s).sum())
        })
        .collect()
}

/// Runs the demo.
pub fn run(args: &DemoArgs, config: Option<&Config>) -> anyhow::Result<()> {
    let loaded;
    let config = match config {
        Some(c) if c.data.is_some() => c,
        _ => {
            loaded = Config::load(Some(&shipped("data/lean/dataset.toml")))?;
            &loaded
        }
    };
    let spec = config
        .data
        .clone()
        .context("the config has no [data] section")?;
    let dataset = load(&spec)?;
    let (panel, _) = align(
        &dataset.series,
        AlignOptions {
            calendar: Calendar::Intersection,
            fill: Fill::Missing,
        },
    )?;
    anyhow::ensure!(
        panel.n_dates() >= 2,
        "fewer than two common dates in the data set"
    );
    let equity = buy_and_hold_equity(&panel, args.capital)?;
    let options = MetricsOptions::default();
    let returns = simple_returns(&equity)?;
    let portfolio = compute(&returns, Some(&panel.ts[1..]), Some(panel.ts[0]), &options)?;
    let mut symbols = Vec::new();
    for (i, s) in panel.symbols.iter().enumerate() {
        let closes = panel.series(Field::Close, i).context("no closes")?;
        let r = simple_returns(&closes)?;
        symbols.push((
            s.clone(),
            compute(&r, Some(&panel.ts[1..]), Some(panel.ts[0]), &options)?,
        ));
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let mut w = csv::Writer::from_path(args.out.join("equity.csv"))?;
    w.write_record(["date", "equity"])?;
    for (t, e) in panel.ts.iter().zip(&equity) {
        w.write_record([format_timestamp(*t), format!("{e:.6}")])?;
    }
    w.flush()?;
    let output = DemoOutput { portfolio, symbols };
    std::fs::write(
        args.out.join("metrics.json"),
        serde_json::to_string_pretty(&output)? + "\n",
    )?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&output)?);
        return Ok(());
    }
    println!("== data: {} ==", spec.path.display());
    let files = inspect(&spec, 5)?;
    print_inspection(&files);
    println!();
    println!(
        "== equal-weight buy-and-hold of {} symbols, {} to {}, capital {} ==",
        panel.n_symbols(),
        format_timestamp(panel.ts[0]),
        format_timestamp(panel.ts[panel.n_dates() - 1]),
        args.capital
    );
    print_metrics(&output.portfolio);
    println!();
    let rows: Vec<Vec<String>> = output
        .symbols
        .iter()
        .map(|(s, m)| {
            vec![
                s.clone(),
                pct(m.total_return),
                pct(m.cagr),
                pct(m.annual_volatility),
                num(m.sharpe, 3),
                pct(m.max_drawdown),
            ]
        })
        .collect();
    print!(
        "{}",
        render(
            &[
                "symbol",
                "total_return",
                "cagr",
                "annual_volatility",
                "sharpe",
                "max_drawdown"
            ],
            &rows
        )
    );
    println!();
    println!(
        "wrote {}/equity.csv and {}/metrics.json",
        args.out.display(),
        args.out.display()
    );
    Ok(())
}
