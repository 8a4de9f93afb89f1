//! `oxfolio option price|greeks|iv`: one option from flags, or a batch from a CSV file.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use oxfolio_derivatives::batch::{greek_rows, implied_vol_batch};
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
    /// Batch input CSV: type,spot,strike,expiry,vol,rate,dividend (price instead of vol for iv).
    #[arg(long, requires = "output")]
    input: Option<PathBuf>,
    /// Batch output CSV: the input columns plus price,delta,gamma,vega,theta,rho (or iv).
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

fn batch(a: &OptionArgs, what: What, input: &Path, output: &Path) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let mut reader = csv::Reader::from_path(input)
        .with_context(|| format!("cannot read {}", input.display()))?;
    let headers: Vec<String> = reader
        .headers()?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let value_col = if what == What::Iv { "price" } else { "vol" };
    let col = |name: &str| {
        headers.iter().position(|h| h == name).with_context(|| {
            format!(
                "{}: no `{name}` column in [{}]",
                input.display(),
                headers.join(", ")
            )
        })
    };
    let idx = [
        col("type")?,
        col("spot")?,
        col("strike")?,
        col("expiry")?,
        col(value_col)?,
        col("rate")?,
        col("dividend")?,
    ];
    let mut options = Vec::new();
    let mut values = Vec::new();
    let mut rows = Vec::new();
    for rec in reader.records() {
        let rec = rec.with_context(|| format!("{}: malformed CSV", input.display()))?;
        let line = rec.position().map_or(0, csv::Position::line);
        let cell = |i: usize| rec.get(i).unwrap_or("").trim().to_string();
        let number = |i: usize, name: &str| -> anyhow::Result<f64> {
            let c = cell(i);
            c.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .with_context(|| {
                    format!(
                        "{}: line {line}, column `{name}`: `{c}` is not a number",
                        input.display()
                    )
                })
        };
        let kind = OptionType::parse(&cell(idx[0])).with_context(|| {
            format!(
                "{}: line {line}, column `type`: `{}` is not call or put",
                input.display(),
                cell(idx[0])
            )
        })?;
        let value = number(idx[4], value_col)?;
        options.push(European {
            kind,
            spot: number(idx[1], "spot")?,
            strike: number(idx[2], "strike")?,
            expiry: number(idx[3], "expiry")?,
            vol: if what == What::Iv { 0.2 } else { value },
            rate: number(idx[5], "rate")?,
            dividend: number(idx[6], "dividend")?,
        });
        values.push(value);
        rows.push((line, rec.iter().map(str::to_string).collect::<Vec<_>>()));
    }
    let read_seconds = started.elapsed().as_secs_f64();
    let compute_seconds;
    let mut w = csv::Writer::from_path(output)
        .with_context(|| format!("cannot write {}", output.display()))?;
    let mut header: Vec<String> = reader.headers()?.iter().map(str::to_string).collect();
    let errors;
    if what == What::Iv {
        header.push("iv".into());
        header.push("error".into());
        w.write_record(&header)?;
        let t = std::time::Instant::now();
        let ivs = implied_vol_batch(&options, &values);
        compute_seconds = t.elapsed().as_secs_f64();
        errors = ivs.iter().filter(|r| r.is_err()).count();
        for ((_, row), r) in rows.iter().zip(&ivs) {
            let mut out = row.clone();
            match r {
                Ok(v) => out.extend([v.to_string(), String::new()]),
                Err(e) => out.extend([String::new(), e.to_string()]),
            }
            w.write_record(&out)?;
        }
    } else {
        header
            .extend(["price", "delta", "gamma", "vega", "theta", "rho", "error"].map(String::from));
        w.write_record(&header)?;
        let t = std::time::Instant::now();
        let (values, failed) = greek_rows(&options);
        compute_seconds = t.elapsed().as_secs_f64();
        errors = failed.len();
        let mut failed = failed.into_iter().peekable();
        for (i, ((_, row), g)) in rows.iter().zip(&values).enumerate() {
            let mut out = row.clone();
            match failed.next_if(|(k, _)| *k == i) {
                None => out.extend(g.iter().map(|x| x.to_string()).chain([String::new()])),
                Some((_, e)) => {
                    out.extend(std::iter::repeat_n(String::new(), 6).chain([e.to_string()]))
                }
            }
            w.write_record(&out)?;
        }
    }
    w.flush()?;
    if a.json {
        let total = started.elapsed().as_secs_f64();
        let timings = serde_json::json!({ "read": read_seconds, "compute": compute_seconds, "write": total - read_seconds - compute_seconds });
        println!(
            "{}",
            serde_json::json!({ "rows": rows.len(), "errors": errors, "output": output.display().to_string(), "timings": timings })
        );
    } else {
        println!(
            "{} options, {errors} with errors (see the `error` column); wrote {}",
            rows.len(),
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
