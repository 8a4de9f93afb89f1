//! `oxfolio option price|greeks|iv`: one option from flags, or a batch from a CSV file.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use oxfolio_data::table::{read_table, Column, ColumnRef, Kind, Table, TableWriter};
use oxfolio_derivatives::batch::{
    greek_columns_into, implied_vol_batch, GreekColumns, OptionColumns,
};
use oxfolio_derivatives::strategy::{Market, Strategy as LegStrategy};
use oxfolio_derivatives::{
    binomial_price, implied_volatility, European, Exercise, Greeks, OptionType,
};

use crate::table::{num, render};

/// Option subcommands.
#[derive(Debug, Subcommand)]
pub enum OptionCommand {
    /// Price (European by Black-Scholes-Merton, American on a CRR tree).
    Price(OptionArgs),
    /// Price and Greeks of a European option (theta per year and per day, vega and rho
    /// per unit and per 1%, vanna, volga).
    Greeks(OptionArgs),
    /// Implied volatility from a price (`--price` instead of `--vol`).
    Iv(OptionArgs),
    /// A multi-leg strategy: premium, max profit and loss, breakevens, Greeks, payoff grid
    /// and an HTML payoff chart.
    Strategy(StrategyArgs),
}

/// `option strategy` options.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct StrategyArgs {
    /// covered-call, protective-put, bull-call-spread, bear-call-spread, bull-put-spread,
    /// bear-put-spread, straddle, strangle, butterfly, iron-condor or collar.
    #[arg(long)]
    name: String,
    /// Strikes, ascending, comma-separated (1 to 4 depending on the strategy).
    #[arg(long, value_delimiter = ',', required = true)]
    strikes: Vec<f64>,
    /// Spot price.
    #[arg(long)]
    spot: f64,
    /// Years to expiry (all legs).
    #[arg(long)]
    expiry: f64,
    /// Volatility (all legs).
    #[arg(long)]
    vol: f64,
    /// Continuously compounded rate.
    #[arg(long)]
    rate: f64,
    /// Continuous dividend yield.
    #[arg(long, default_value_t = 0.0)]
    dividend: f64,
    /// Points on the spot grid (50% to 150% of spot).
    #[arg(long, default_value_t = 41)]
    points: usize,
    /// Write a self-contained HTML payoff chart here.
    #[arg(long)]
    html: Option<PathBuf>,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

/// Call or put.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum TypeArg {
    /// Right to buy.
    Call,
    /// Right to sell.
    Put,
}

/// Exercise style.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq)]
pub enum StyleArg {
    /// At expiry only.
    European,
    /// Any time (binomial tree).
    American,
}

/// One option from flags, or a batch with `--input` and `--output`.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct OptionArgs {
    /// Call or put.
    #[arg(long = "type", value_enum)]
    kind: Option<TypeArg>,
    /// Spot price.
    #[arg(long)]
    spot: Option<f64>,
    /// Strike.
    #[arg(long)]
    strike: Option<f64>,
    /// Time to expiry in years.
    #[arg(long)]
    expiry: Option<f64>,
    /// Volatility (0.2 = 20%).
    #[arg(long)]
    vol: Option<f64>,
    /// Continuously compounded risk-free rate.
    #[arg(long)]
    rate: Option<f64>,
    /// Continuous dividend yield.
    #[arg(long, default_value_t = 0.0)]
    dividend: f64,
    /// Option price (for `iv`).
    #[arg(long)]
    price: Option<f64>,
    /// Exercise style (for `price`).
    #[arg(long, value_enum, default_value = "european")]
    style: StyleArg,
    /// Tree steps for American options.
    #[arg(long, default_value_t = 500)]
    steps: usize,
    /// Batch input, CSV or Parquet: type,spot,strike,expiry,vol,rate,dividend (price
    /// instead of vol for iv).
    #[arg(long, requires = "output")]
    input: Option<PathBuf>,
    /// Batch output, CSV or (for a .parquet path) Parquet: the input columns plus
    /// price,delta,gamma,vega,theta,rho (or iv) and error.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

/// Runs an option subcommand.
pub fn run(cmd: OptionCommand) -> anyhow::Result<()> {
    let (args, what) = match &cmd {
        OptionCommand::Strategy(a) => return strategy(a),
        OptionCommand::Price(a) => (a, What::Price),
        OptionCommand::Greeks(a) => (a, What::Greeks),
        OptionCommand::Iv(a) => (a, What::Iv),
    };
    match &args.input {
        Some(input) => batch(
            args,
            what,
            input,
            args.output
                .as_deref()
                .context("--output is required with --input")?,
        ),
        None => single(args, what),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum What {
    Price,
    Greeks,
    Iv,
}

fn need(v: Option<f64>, flag: &str) -> anyhow::Result<f64> {
    v.with_context(|| format!("--{flag} is required"))
}

fn option_from_flags(a: &OptionArgs, vol: f64) -> anyhow::Result<European> {
    Ok(European {
        kind: match a.kind.context("--type is required (call or put)")? {
            TypeArg::Call => OptionType::Call,
            TypeArg::Put => OptionType::Put,
        },
        spot: need(a.spot, "spot")?,
        strike: need(a.strike, "strike")?,
        expiry: need(a.expiry, "expiry")?,
        vol,
        rate: need(a.rate, "rate")?,
        dividend: a.dividend,
    })
}

#[derive(Serialize)]
struct GreeksOutput {
    #[serde(flatten)]
    greeks: Greeks,
    vega_per_pct: f64,
    rho_per_pct: f64,
}

fn single(a: &OptionArgs, what: What) -> anyhow::Result<()> {
    match what {
        What::Iv => {
            let o = option_from_flags(a, 0.2)?;
            let iv = implied_volatility(&o, need(a.price, "price")?)?;
            if a.json {
                println!("{}", serde_json::json!({ "iv": iv }));
            } else {
                println!("implied volatility {iv:.10}");
            }
        }
        What::Price if a.style == StyleArg::American => {
            let o = option_from_flags(a, need(a.vol, "vol")?)?;
            let p = binomial_price(&o, Exercise::American, a.steps)?;
            if a.json {
                println!(
                    "{}",
                    serde_json::json!({ "price": p, "style": "american", "steps": a.steps })
                );
            } else {
                println!("american price {p:.10} ({} steps)", a.steps);
            }
        }
        What::Price | What::Greeks => {
            if what == What::Greeks && a.style == StyleArg::American {
                bail!("greeks are for European options (use --style european)");
            }
            let o = option_from_flags(a, need(a.vol, "vol")?)?;
            let g = o.greeks()?;
            if what == What::Price {
                if a.json {
                    println!(
                        "{}",
                        serde_json::json!({ "price": g.price, "style": "european" })
                    );
                } else {
                    println!("price {:.10}", g.price);
                }
                return Ok(());
            }
            let out = GreeksOutput {
                greeks: g,
                vega_per_pct: g.vega_per_pct(),
                rho_per_pct: g.rho_per_pct(),
            };
            if a.json {
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                let rows: Vec<Vec<String>> = [
                    ("price", g.price),
                    ("delta", g.delta),
                    ("gamma", g.gamma),
                    ("vega", g.vega),
                    ("vega_per_pct", out.vega_per_pct),
                    ("theta (per year)", g.theta),
                    ("theta_per_day", g.theta_per_day),
                    ("rho", g.rho),
                    ("rho_per_pct", out.rho_per_pct),
                    ("vanna", g.vanna),
                    ("volga", g.volga),
                ]
                .iter()
                .map(|(k, v)| vec![k.to_string(), num(*v, 8)])
                .collect();
                print!("{}", render(&["", "value"], &rows));
            }
        }
    }
    Ok(())
}

/// True for a `.parquet` path.
fn is_parquet(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// Reads a batch input: Parquet as it is; CSV with `type` (and `error`, in an earlier
/// run's output) as text and every other column as numbers (an error names the line and
/// column).
fn read_input(path: &Path) -> anyhow::Result<Table> {
    if is_parquet(path) {
        return Ok(read_table(path)?);
    }
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let headers: Vec<String> = reader
        .headers()?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut cols: Vec<Column> = headers
        .iter()
        .map(|h| {
            if h.eq_ignore_ascii_case("type") || h.eq_ignore_ascii_case("error") {
                Column::Text(Vec::new())
            } else {
                Column::Number(Vec::new())
            }
        })
        .collect();
    for rec in reader.records() {
        let rec = rec.with_context(|| format!("{}: malformed CSV", path.display()))?;
        let line = rec.position().map_or(0, csv::Position::line);
        for (i, col) in cols.iter_mut().enumerate() {
            let cell = rec.get(i).unwrap_or("").trim();
            match col {
                Column::Text(v) => v.push(cell.to_string()),
                Column::Number(v) => v.push(
                    cell.parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite())
                        .with_context(|| {
                            format!(
                                "{}: line {line}, column `{}`: `{cell}` is not a number",
                                path.display(),
                                headers[i]
                            )
                        })?,
                ),
            }
        }
    }
    Ok(headers.into_iter().zip(cols).collect())
}

/// A batch from a file: reads the input columns, then computes and writes the results
/// block by block (CSV, or Parquet for a `.parquet` output).
fn batch(a: &OptionArgs, what: What, input: &Path, output: &Path) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let mut table = read_input(input)?;
    // Results replace any result columns the input already has (a rerun on an output).
    let results = [
        "price", "delta", "gamma", "vega", "theta", "rho", "iv", "error",
    ];
    let value_col = if what == What::Iv { "price" } else { "vol" };
    table.retain(|(n, _)| {
        n.eq_ignore_ascii_case(value_col) || !results.iter().any(|r| n.eq_ignore_ascii_case(r))
    });
    let place = |r: usize| {
        if is_parquet(input) {
            format!("row {}", r + 1)
        } else {
            format!("line {}", r + 2)
        }
    };
    let find = |name: &str| {
        table
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))
            .with_context(|| {
                format!(
                    "{}: no `{name}` column in [{}]",
                    input.display(),
                    table
                        .iter()
                        .map(|c| c.0.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    };
    let number = |name: &str| -> anyhow::Result<&Vec<f64>> {
        match &table[find(name)?].1 {
            Column::Number(v) => Ok(v),
            Column::Text(_) => bail!("{}: column `{name}` must hold numbers", input.display()),
        }
    };
    let kinds = match &table[find("type")?].1 {
        Column::Text(v) => v
            .iter()
            .enumerate()
            .map(|(r, t)| {
                OptionType::parse(t).with_context(|| {
                    format!(
                        "{}: {}, column `type`: `{t}` is not call or put",
                        input.display(),
                        place(r)
                    )
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?,
        Column::Number(_) => bail!("{}: column `type` must hold call or put", input.display()),
    };
    let (spot, strike, expiry, value, rate, dividend) = (
        number("spot")?,
        number("strike")?,
        number("expiry")?,
        number(value_col)?,
        number("rate")?,
        number("dividend")?,
    );
    let rows = kinds.len();
    let columns = OptionColumns {
        kind: &kinds,
        spot,
        strike,
        expiry,
        vol: value,
        rate,
        dividend,
    };
    let results: &[&str] = if what == What::Iv {
        &["iv"]
    } else {
        &["price", "delta", "gamma", "vega", "theta", "rho"]
    };
    let mut schema: Vec<(String, Kind)> =
        table.iter().map(|(n, c)| (n.clone(), c.kind())).collect();
    schema.extend(results.iter().map(|n| (n.to_string(), Kind::Number)));
    schema.push(("error".into(), Kind::Text));
    let read_seconds = started.elapsed().as_secs_f64();
    let mut writer = TableWriter::create(output, &schema)?;
    // Blocks of rows computed into reused buffers and written at once: memory stays
    // constant whatever the batch size, and no fresh output memory is touched per row.
    const BLOCK: usize = 65_536;
    let mut greeks = GreekColumns::default();
    let (mut ivs, mut block_options, mut messages) = (Vec::new(), Vec::new(), Vec::new());
    let (mut compute_seconds, mut errors) = (0.0, 0);
    for start in (0..rows).step_by(BLOCK) {
        let range = start..rows.min(start + BLOCK);
        let t = std::time::Instant::now();
        let failed = if what == What::Iv {
            block_options.clear();
            block_options.extend(range.clone().map(|r| European {
                vol: 0.2,
                ..columns.option(r)
            }));
            ivs.clear();
            let mut failed = Vec::new();
            for (i, x) in implied_vol_batch(&block_options, &value[range.clone()])
                .into_iter()
                .enumerate()
            {
                ivs.push(x.as_ref().map_or(f64::NAN, |v| *v));
                if let Err(e) = x {
                    failed.push((i, e));
                }
            }
            failed
        } else {
            greek_columns_into(&columns.slice(range.clone())?, &mut greeks)?
        };
        compute_seconds += t.elapsed().as_secs_f64();
        messages.clear();
        messages.resize(range.len(), String::new());
        errors += failed.len();
        for (i, e) in failed {
            messages[i] = e.to_string();
        }
        let mut block: Vec<ColumnRef> = table.iter().map(|(_, c)| c.slice(range.clone())).collect();
        if what == What::Iv {
            block.push(ColumnRef::Number(&ivs));
        } else {
            block.extend(
                [
                    &greeks.price,
                    &greeks.delta,
                    &greeks.gamma,
                    &greeks.vega,
                    &greeks.theta,
                    &greeks.rho,
                ]
                .map(|c| ColumnRef::Number(c)),
            );
        }
        block.push(ColumnRef::Text(&messages));
        writer.write(&block)?;
    }
    writer.finish()?;
    if a.json {
        let total = started.elapsed().as_secs_f64();
        let timings = serde_json::json!({ "read": read_seconds, "compute": compute_seconds, "write": total - read_seconds - compute_seconds });
        println!(
            "{}",
            serde_json::json!({ "rows": rows, "errors": errors, "output": output.display().to_string(), "timings": timings })
        );
    } else {
        println!(
            "{rows} options, {errors} with errors (see the `error` column); wrote {}",
            output.display()
        );
    }
    Ok(())
}

fn strategy(a: &StrategyArgs) -> anyhow::Result<()> {
    let s = LegStrategy::built_in(&a.name, &a.strikes)?;
    let market = Market {
        spot: a.spot,
        expiry: a.expiry,
        vol: a.vol,
        rate: a.rate,
        dividend: a.dividend,
    };
    let analysis = s.analyse(&market, a.points)?;
    if let Some(path) = &a.html {
        std::fs::write(path, analysis.to_html())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&analysis)?);
        return Ok(());
    }
    let fmt = |v: Option<f64>| v.map_or("unlimited".to_string(), |x| num(x, 4));
    let rows = vec![
        vec!["net_premium".to_string(), num(analysis.net_premium, 4)],
        vec!["max_profit".into(), fmt(analysis.max_profit)],
        vec!["max_loss".into(), fmt(analysis.max_loss)],
        vec![
            "breakevens".into(),
            analysis
                .breakevens
                .iter()
                .map(|b| num(*b, 4))
                .collect::<Vec<_>>()
                .join(", "),
        ],
        vec!["delta".into(), num(analysis.greeks.delta, 4)],
        vec!["gamma".into(), num(analysis.greeks.gamma, 4)],
        vec!["vega".into(), num(analysis.greeks.vega, 4)],
        vec![
            "theta_per_day".into(),
            num(analysis.greeks.theta_per_day, 4),
        ],
    ];
    print!("{}", render(&["", &analysis.name], &rows));
    if let Some(path) = &a.html {
        println!("wrote {}", path.display());
    }
    Ok(())
}
