//! `oxfolio book replay`: book statistics of recorded market data, and a demonstration
//! strategy run through the tick simulator.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use serde::Serialize;

use oxfolio_book::replay::stats::{market_maker, momentum_on_bars, Distribution, StrategyReport};
use oxfolio_book::replay::{binance, lean, nbbo, tardis};
use oxfolio_book::sim::SimConfig;

use crate::table::{num, render};

/// Book subcommands.
#[derive(Debug, Subcommand)]
pub enum BookCommand {
    /// Replay a file (or a quotes + trades pair) and print book statistics; runs a
    /// market-making strategy on quotes + trades and a liquidity-taking one on minute
    /// quote bars.
    Replay(ReplayArgs),
}

/// `book replay` options.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// A QuantConnect quote-tick, trade-tick or minute-quote file, a Binance depth file,
    /// or a Tardis book file (recognised by content).
    file: Option<PathBuf>,
    /// QuantConnect quote ticks (one side per row, many venues).
    #[arg(long, requires = "trades")]
    quotes: Option<PathBuf>,
    /// QuantConnect trade ticks, replayed against the quotes' NBBO.
    #[arg(long)]
    trades: Option<PathBuf>,
    /// A Binance depth snapshot to which FILE's updates must chain.
    #[arg(long)]
    snapshot: Option<PathBuf>,
    /// Symbol name for the strategy's reports.
    #[arg(long, default_value = "SYMBOL")]
    symbol: String,
    /// Commission per share for the strategy.
    #[arg(long, default_value_t = 0.005)]
    per_share: f64,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

/// Runs a book subcommand.
pub fn run(cmd: BookCommand) -> anyhow::Result<()> {
    match cmd {
        BookCommand::Replay(a) => replay(&a),
    }
}

#[derive(Serialize)]
struct TickReplay {
    kind: &'static str,
    #[serde(flatten)]
    nbbo: nbbo::NbboReport,
    spread: Distribution,
    nbbo_bid_size: Distribution,
    nbbo_ask_size: Distribution,
    quotes_per_second: f64,
    strategy: StrategyReport,
}

#[derive(Serialize)]
struct BarReplay {
    kind: &'static str,
    bars: usize,
    spread: Distribution,
    locked_or_crossed_bars: usize,
    bid_size: Distribution,
    ask_size: Distribution,
    bars_per_hour: f64,
    strategy: StrategyReport,
}

#[derive(Serialize)]
struct DepthReplay {
    kind: &'static str,
    rows: usize,
    snapshot_rows: usize,
    update_batches: usize,
    book_built: bool,
    sequence_error: Option<String>,
    bid_levels: usize,
    ask_levels: usize,
    best_bid: Option<f64>,
    best_ask: Option<f64>,
}

fn first_line(path: &Path) -> anyhow::Result<String> {
    let text = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let end = text.iter().position(|b| *b == b'\n').unwrap_or(text.len());
    Ok(String::from_utf8_lossy(&text[..end]).trim().to_string())
}

fn per_second(count: usize, first_ms: i64, last_ms: i64) -> f64 {
    let span = (last_ms - first_ms) as f64 / 1000.0;
    if span > 0.0 {
        count as f64 / span
    } else {
        0.0
    }
}

fn sim_config(a: &ReplayArgs) -> SimConfig {
    SimConfig {
        tick: 0.01,
        per_share: a.per_share,
        ..SimConfig::default()
    }
}

fn replay(a: &ReplayArgs) -> anyhow::Result<()> {
    if let (Some(q), Some(t)) = (&a.quotes, &a.trades) {
        return ticks(a, q, Some(t));
    }
    let Some(file) = &a.file else {
        bail!("give a FILE, or --quotes and --trades")
    };
    let head = first_line(file)?;
    if head.starts_with("symbol,timestamp,first_update_id") {
        return depth(a, file);
    }
    if head.starts_with("exchange,symbol,timestamp") {
        let r = tardis::replay(file)?;
        if a.json {
            println!("{}", serde_json::to_string_pretty(&r)?);
        } else {
            println!("Tardis book file: {} rows, {:.1} updates per second, final levels {} bids / {} asks, {} crossed states", r.rows, r.updates_per_second, r.final_levels.0, r.final_levels.1, r.crossed);
            print_distribution("spread", &r.spread);
            print_distribution("bid depth (5 levels)", &r.bid_depth_5);
            print_distribution("ask depth (5 levels)", &r.ask_depth_5);
        }
        return Ok(());
    }
    match head.split(',').count() {
        8 => ticks(a, file, None),
        11 => bars(a, file),
        6 => {
            let trades = lean::read_trade_ticks(file)?;
            let volume: i64 = trades.iter().map(|t| t.qty).sum();
            if a.json {
                println!("{}", serde_json::json!({"kind": "lean_trade_ticks", "trade_events": trades.len(), "volume": volume}));
            } else {
                println!("{} trades, {volume} units; replay them against quotes with --quotes Q --trades T", trades.len());
            }
            Ok(())
        }
        n => bail!("{}: unrecognised layout ({n} fields on the first line): expected QuantConnect ticks or minute quotes, Binance depth or Tardis book CSV", file.display()),
    }
}

fn print_distribution(name: &str, d: &Distribution) {
    println!(
        "{name}: n {}  min {}  median {}  mean {}  p95 {}  max {}",
        d.count,
        num(d.min, 4),
        num(d.median, 4),
        num(d.mean, 4),
        num(d.p95, 4),
        num(d.max, 4)
    );
}

fn print_strategy(s: &StrategyReport) {
    let rows = vec![vec![
        s.name.clone(),
        s.fills.to_string(),
        num(s.volume, 0),
        num(s.position, 0),
        num(s.commissions, 2),
        num(s.pnl, 2),
    ]];
    print!(
        "{}",
        render(
            &[
                "strategy",
                "fills",
                "volume",
                "position",
                "commissions",
                "pnl"
            ],
            &rows
        )
    );
}

fn ticks(a: &ReplayArgs, quotes_path: &Path, trades_path: Option<&PathBuf>) -> anyhow::Result<()> {
    let quotes = lean::read_quote_ticks(quotes_path)?;
    let trades = match trades_path {
        Some(t) => lean::read_trade_ticks(t)?,
        None => Vec::new(),
    };
    let scale = 10_000.0;
    let report = nbbo::replay(&quotes, &trades, scale);
    let (spreads, bid_sizes, ask_sizes) = nbbo::spreads(&quotes, scale);
    let rate = per_second(
        quotes.len(),
        quotes.first().map_or(0, |q| q.ms),
        quotes.last().map_or(0, |q| q.ms),
    );
    let strategy = market_maker(
        &quotes,
        &trades,
        &a.symbol,
        100.0,
        1_000.0,
        scale,
        sim_config(a),
    );
    let out = TickReplay {
        kind: "lean_quote_ticks",
        nbbo: report,
        spread: Distribution::of(&spreads),
        nbbo_bid_size: Distribution::of(&bid_sizes),
        nbbo_ask_size: Distribution::of(&ask_sizes),
        quotes_per_second: rate,
        strategy,
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let r = &out.nbbo;
    let rows = vec![
        vec!["quote_events".to_string(), r.quote_events.to_string()],
        vec!["trade_events".into(), r.trade_events.to_string()],
        vec!["venues".into(), r.venues.to_string()],
        vec!["locked_events".into(), r.locked_events.to_string()],
        vec!["crossed_events".into(), r.crossed_events.to_string()],
        vec![
            "trades_outside_nbbo".into(),
            r.trades_outside_nbbo.to_string(),
        ],
        vec![
            "trades_without_nbbo".into(),
            r.trades_without_nbbo.to_string(),
        ],
        vec![
            "time_weighted_spread".into(),
            num(r.time_weighted_spread, 6),
        ],
        vec!["quotes_per_second".into(), num(out.quotes_per_second, 2)],
    ];
    print!("{}", render(&["measure", "value"], &rows));
    print_distribution("NBBO spread ($)", &out.spread);
    print_distribution("units at the NBBO bid", &out.nbbo_bid_size);
    print_distribution("units at the NBBO ask", &out.nbbo_ask_size);
    print_strategy(&out.strategy);
    Ok(())
}

fn bars(a: &ReplayArgs, path: &Path) -> anyhow::Result<()> {
    let bars = lean::read_quote_bars(path)?;
    let scale = 10_000.0;
    let two_sided: Vec<&lean::QuoteBar> = bars
        .iter()
        .filter(|b| b.bid_close > 0 && b.ask_close > 0)
        .collect();
    let spreads: Vec<f64> = two_sided
        .iter()
        .map(|b| (b.ask_close - b.bid_close) as f64 / scale)
        .collect();
    let hours = bars
        .last()
        .zip(bars.first())
        .map_or(0.0, |(l, f)| (l.ms - f.ms) as f64 / 3_600_000.0);
    let out = BarReplay {
        kind: "lean_minute_quotes",
        bars: bars.len(),
        spread: Distribution::of(&spreads),
        locked_or_crossed_bars: two_sided
            .iter()
            .filter(|b| b.ask_close <= b.bid_close)
            .count(),
        bid_size: Distribution::of(
            &two_sided
                .iter()
                .map(|b| b.bid_size as f64)
                .collect::<Vec<_>>(),
        ),
        ask_size: Distribution::of(
            &two_sided
                .iter()
                .map(|b| b.ask_size as f64)
                .collect::<Vec<_>>(),
        ),
        bars_per_hour: if hours > 0.0 {
            bars.len() as f64 / hours
        } else {
            0.0
        },
        strategy: momentum_on_bars(&bars, &a.symbol, 100.0, scale, sim_config(a)),
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!(
        "{} minute quote bars, {:.1} per hour, {} locked or crossed",
        out.bars, out.bars_per_hour, out.locked_or_crossed_bars
    );
    print_distribution("spread ($)", &out.spread);
    print_distribution("bid size", &out.bid_size);
    print_distribution("ask size", &out.ask_size);
    print_strategy(&out.strategy);
    Ok(())
}

fn depth(a: &ReplayArgs, path: &Path) -> anyhow::Result<()> {
    let rows = binance::read_depth(path)?;
    let snapshot_rows = rows.iter().filter(|r| r.snapshot).count();
    let mut batches: Vec<(u64, u64)> = rows
        .iter()
        .filter(|r| !r.snapshot)
        .map(|r| (r.first_update_id, r.last_update_id))
        .collect();
    batches.dedup();
    let (snap, updates): (Vec<_>, Vec<_>) = match &a.snapshot {
        Some(s) => (binance::read_depth(s)?, rows.clone()),
        None => rows.iter().cloned().partition(|r| r.snapshot),
    };
    let (built, error) = if snap.is_empty() {
        (
            None,
            Some("no snapshot: updates alone cannot build a book (give --snapshot)".to_string()),
        )
    } else {
        match binance::build(&snap, &updates) {
            Ok(b) => (Some(b), None),
            Err(e) => (None, Some(e.to_string())),
        }
    };
    let out = DepthReplay {
        kind: "binance_depth",
        rows: rows.len(),
        snapshot_rows,
        update_batches: batches.len(),
        book_built: built.is_some(),
        sequence_error: error,
        bid_levels: built.as_ref().map_or(0, |b| b.levels().0),
        ask_levels: built.as_ref().map_or(0, |b| b.levels().1),
        best_bid: built.as_ref().and_then(|b| b.best_bid()).map(|x| x.0),
        best_ask: built.as_ref().and_then(|b| b.best_ask()).map(|x| x.0),
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!(
            "Binance depth: {} rows ({} snapshot rows, {} update batches)",
            out.rows, out.snapshot_rows, out.update_batches
        );
        match &out.sequence_error {
            Some(e) => println!("book not built: {e}"),
            None => println!(
                "book built: {} bid levels, {} ask levels, best bid {:?}, best ask {:?}",
                out.bid_levels, out.ask_levels, out.best_bid, out.best_ask
            ),
        }
    }
    Ok(())
}
