//! `oxfolio frontier --prices FILE --points N --out DIR`: the efficient frontier as CSV,
//! JSON and a self-contained HTML chart, with the minimum-volatility and maximum-Sharpe
//! portfolios marked.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use oxfolio_analytics::chart::{escape, xy, Format, XySeries};
use oxfolio_optim::{efficient_frontier, Portfolio};

use crate::estimate_args::{EstimateArgs, Estimates};
use crate::table::{num, pct, render};

/// `frontier` options.
#[derive(Debug, Args)]
pub struct FrontierArgs {
    #[command(flatten)]
    estimates: EstimateArgs,
    /// Points on the frontier (at least 2).
    #[arg(long, default_value_t = 50)]
    points: usize,
    /// Output folder: frontier.csv, frontier.json, frontier.html.
    #[arg(long, default_value = "out/frontier")]
    out: PathBuf,
    /// Print frontier.json.
    #[arg(long)]
    json: bool,
}

/// One portfolio in frontier.json.
#[derive(Serialize)]
struct Point {
    expected_return: f64,
    volatility: f64,
    sharpe: f64,
    weights: BTreeMap<String, f64>,
    risk_contributions: BTreeMap<String, f64>,
}

#[derive(Serialize)]
struct Output {
    symbols: Vec<String>,
    observations: usize,
    risk_free: f64,
    points: Vec<Point>,
    min_volatility: Point,
    max_sharpe: Option<Point>,
    max_sharpe_error: Option<String>,
}

fn point(e: &Estimates, p: &Portfolio) -> Point {
    Point {
        expected_return: p.expected_return,
        volatility: p.volatility,
        sharpe: p.sharpe,
        weights: e.by_symbol(&p.weights),
        risk_contributions: e.by_symbol(&p.risk_contributions),
    }
}

/// Runs `oxfolio frontier`.
pub fn run(args: &FrontierArgs) -> anyhow::Result<()> {
    let e = args.estimates.estimate()?;
    let f = efficient_frontier(&e.mu, &e.cov, e.bounds, args.points, e.risk_free)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let mut csv = String::from("point,expected_return,volatility,sharpe");
    for s in &e.symbols {
        let _ = write!(csv, ",{s}");
    }
    csv.push('\n');
    for (k, p) in f.points.iter().enumerate() {
        let _ = write!(
            csv,
            "{k},{},{},{}",
            p.expected_return, p.volatility, p.sharpe
        );
        for w in &p.weights {
            let _ = write!(csv, ",{w}");
        }
        csv.push('\n');
    }
    std::fs::write(args.out.join("frontier.csv"), csv)?;
    let output = Output {
        symbols: e.symbols.clone(),
        observations: e.observations,
        risk_free: e.risk_free,
        points: f.points.iter().map(|p| point(&e, p)).collect(),
        min_volatility: point(&e, &f.min_volatility),
        max_sharpe: f.max_sharpe.as_ref().map(|p| point(&e, p)),
        max_sharpe_error: f.max_sharpe_error.clone(),
    };
    let json = serde_json::to_string_pretty(&output)?;
    std::fs::write(args.out.join("frontier.json"), &json)?;
    std::fs::write(args.out.join("frontier.html"), html(&e, &f))?;
    if args.json {
        println!("{json}");
        return Ok(());
    }
    let mut rows = vec![vec![
        "min volatility".to_string(),
        pct(f.min_volatility.expected_return),
        pct(f.min_volatility.volatility),
        num(f.min_volatility.sharpe, 3),
    ]];
    match &f.max_sharpe {
        Some(p) => rows.push(vec![
            "max Sharpe".into(),
            pct(p.expected_return),
            pct(p.volatility),
            num(p.sharpe, 3),
        ]),
        None => rows.push(vec![
            "max Sharpe".into(),
            f.max_sharpe_error.clone().unwrap_or_default(),
            String::new(),
            String::new(),
        ]),
    }
    println!(
        "== efficient frontier: {} points over {} assets, {} daily returns ==",
        f.points.len(),
        e.symbols.len(),
        e.observations
    );
    print!(
        "{}",
        render(&["portfolio", "return", "volatility", "sharpe"], &rows)
    );
    println!("wrote {}", args.out.display());
    Ok(())
}

fn html(e: &Estimates, f: &oxfolio_optim::Frontier) -> String {
    let curve: Vec<(f64, f64)> = f
        .points
        .iter()
        .map(|p| (p.volatility, p.expected_return))
        .collect();
    let n = e.symbols.len();
    let assets: Vec<(f64, f64)> = (0..n).map(|i| (e.cov[i * n + i].sqrt(), e.mu[i])).collect();
    let mut marked = vec![(
        f.min_volatility.volatility,
        f.min_volatility.expected_return,
    )];
    let mut labels = vec!["min volatility".to_string()];
    if let Some(p) = &f.max_sharpe {
        marked.push((p.volatility, p.expected_return));
        labels.push("max Sharpe".to_string());
    }
    let chart = xy(
        "Volatility (x) against expected return (y)",
        &[
            XySeries {
                name: "frontier",
                points: &curve,
                line: true,
                labels: &[],
            },
            XySeries {
                name: "assets",
                points: &assets,
                line: false,
                labels: &e.symbols,
            },
            XySeries {
                name: "marked",
                points: &marked,
                line: false,
                labels: &labels,
            },
        ],
        Format::Percent,
        Format::Percent,
        460.0,
    );
    let mut page = String::from(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Efficient frontier</title><style>\
body{font-family:sans-serif;max-width:960px;margin:auto;padding:12px;color:#222}\
table{border-collapse:collapse;margin:8px 0;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}\
</style></head><body><h1>Efficient frontier</h1>",
    );
    let _ = write!(
        page,
        "<p>{} assets, {} daily returns, risk-free rate {}.</p>",
        n,
        e.observations,
        escape(&pct(e.risk_free))
    );
    page.push_str(&chart);
    page.push_str("<table><tr><th>symbol</th><th>min volatility</th><th>max Sharpe</th></tr>");
    for (i, s) in e.symbols.iter().enumerate() {
        let _ = write!(
            page,
            "<tr><th style='text-align:left'>{}</th><td>{}</td><td>{}</td></tr>",
            escape(s),
            escape(&pct(f.min_volatility.weights[i])),
            escape(
                &f.max_sharpe
                    .as_ref()
                    .map_or("-".to_string(), |p| pct(p.weights[i]))
            )
        );
    }
    page.push_str("</table></body></html>");
    page
}
