//! The backtest report: one self-contained HTML page (inline SVG, no scripts, opens
//! offline) with metrics, equity and drawdown, monthly returns heatmap, rolling Sharpe
//! and volatility, weights over time, P&L attribution and trade activity.

use std::fmt::Write;

use oxfolio_core::time::format_timestamp;
use oxfolio_core::Timestamp;

use crate::chart::{area, bars, escape, lines, stacked, Format, Series};
use crate::drawdown::drawdown_series;
use crate::rolling::{rolling_sharpe, rolling_volatility};
use crate::tables::monthly_returns;

/// Everything the page shows, as plain columns.
pub struct BacktestReport<'a> {
    /// Page title.
    pub title: &'a str,
    /// Key facts shown at the top, as (name, value).
    pub facts: &'a [(String, String)],
    /// Dates of the traded days.
    pub dates: &'a [Timestamp],
    /// Equity at each close.
    pub equity: &'a [f64],
    /// Daily returns.
    pub returns: &'a [f64],
    /// Symbols.
    pub symbols: &'a [String],
    /// Weights at each close, row-major (`days x symbols`).
    pub weights: &'a [f64],
    /// Daily holding P&L.
    pub holding_pnl: &'a [f64],
    /// Daily executed P&L.
    pub executed_pnl: &'a [f64],
    /// Daily external P&L.
    pub external_pnl: &'a [f64],
    /// Daily costs.
    pub costs: &'a [f64],
    /// Daily traded notional.
    pub traded_notional: &'a [f64],
    /// Periods per year (rolling statistics).
    pub periods_per_year: f64,
    /// A per-symbol table: header then rows.
    pub symbol_table: (&'a [&'a str], &'a [Vec<String>]),
}

fn cumulative(x: &[f64]) -> Vec<f64> {
    let mut acc = 0.0;
    x.iter()
        .map(|v| {
            acc += v;
            acc
        })
        .collect()
}

fn heatmap(returns: &[f64], dates: &[Timestamp]) -> String {
    let months = monthly_returns(returns, dates);
    let mut out = String::from("<table class='heat'><tr><th>year</th>");
    for m in [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ] {
        let _ = write!(out, "<th>{m}</th>");
    }
    out.push_str("</tr>");
    let mut years: Vec<i32> = months.iter().map(|p| p.year).collect();
    years.dedup();
    for y in years {
        let _ = write!(out, "<tr><th>{y}</th>");
        for m in 1..=12 {
            match months.iter().find(|p| p.year == y && p.month == Some(m)) {
                Some(p) => {
                    let a = (p.value.abs() / 0.08).min(1.0);
                    let colour = if p.value >= 0.0 {
                        format!("rgba(44,160,44,{a:.2})")
                    } else {
                        format!("rgba(214,39,40,{a:.2})")
                    };
                    let _ = write!(
                        out,
                        "<td style='background:{colour}'>{:.1}%</td>",
                        p.value * 100.0
                    );
                }
                None => out.push_str("<td></td>"),
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
}

/// The weight series to draw: the nine largest by mean absolute weight, then the rest
/// summed as `other`.
fn weight_series(r: &BacktestReport<'_>) -> Vec<(String, Vec<f64>)> {
    let n = r.symbols.len();
    let days = r.dates.len();
    if n == 0 || r.weights.len() != days * n {
        return Vec::new();
    }
    let mut mean: Vec<(usize, f64)> = (0..n)
        .map(|i| {
            (
                i,
                (0..days).map(|t| r.weights[t * n + i].abs()).sum::<f64>(),
            )
        })
        .collect();
    mean.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let shown: Vec<usize> = mean
        .iter()
        .take(if n > 10 { 9 } else { n })
        .map(|m| m.0)
        .collect();
    let mut out: Vec<(String, Vec<f64>)> = shown
        .iter()
        .map(|i| {
            (
                r.symbols[*i].clone(),
                (0..days).map(|t| r.weights[t * n + i]).collect(),
            )
        })
        .collect();
    if n > shown.len() {
        let other = (0..days)
            .map(|t| {
                (0..n)
                    .filter(|i| !shown.contains(i))
                    .map(|i| r.weights[t * n + i])
                    .sum()
            })
            .collect();
        out.push(("other".into(), other));
    }
    out
}

/// The report page.
pub fn backtest_html(r: &BacktestReport<'_>) -> String {
    let labels: Vec<String> = r.dates.iter().map(|d| format_timestamp(*d)).collect();
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>{}</title><style>\
body{{font-family:sans-serif;max-width:960px;margin:auto;padding:12px;color:#222}}\
table{{border-collapse:collapse;margin:8px 0;font-size:12px}}td,th{{border:1px solid #ccc;padding:2px 6px;text-align:right}}\
.heat td{{min-width:44px}}h2{{font-size:16px;margin-top:24px}}</style></head><body><h1>{}</h1>",
        escape(r.title),
        escape(r.title)
    );
    page.push_str("<table>");
    for (k, v) in r.facts {
        let _ = write!(
            page,
            "<tr><th style='text-align:left'>{}</th><td>{}</td></tr>",
            escape(k),
            escape(v)
        );
    }
    page.push_str("</table>");
    page.push_str("<h2>Equity and drawdown</h2>");
    page.push_str(&lines(
        "Equity",
        &labels,
        &[Series {
            name: "equity",
            values: r.equity,
        }],
        Format::Number,
        300.0,
    ));
    page.push_str(&area(
        "Drawdown",
        &labels,
        &drawdown_series(r.returns),
        "#d62728",
        Format::Percent,
        180.0,
    ));
    page.push_str("<h2>Monthly returns</h2>");
    page.push_str(&heatmap(r.returns, r.dates));
    let window = 63;
    page.push_str("<h2>Rolling statistics (63 days)</h2>");
    let sharpe = rolling_sharpe(r.returns, window, r.periods_per_year, 0.0);
    let vol = rolling_volatility(r.returns, window, r.periods_per_year);
    page.push_str(&lines(
        "Rolling Sharpe",
        &labels,
        &[Series {
            name: "sharpe",
            values: &sharpe,
        }],
        Format::Decimal,
        200.0,
    ));
    page.push_str(&lines(
        "Rolling volatility",
        &labels,
        &[Series {
            name: "volatility",
            values: &vol,
        }],
        Format::Percent,
        200.0,
    ));
    page.push_str("<h2>Weights over time</h2>");
    let ws = weight_series(r);
    let series: Vec<Series<'_>> = ws
        .iter()
        .map(|(n, v)| Series { name: n, values: v })
        .collect();
    page.push_str(&stacked(
        "Weights (long side)",
        &labels,
        &series,
        Format::Percent,
        280.0,
    ));
    page.push_str("<h2>P&amp;L attribution (cumulative)</h2>");
    let (h, e, x, c) = (
        cumulative(r.holding_pnl),
        cumulative(r.executed_pnl),
        cumulative(r.external_pnl),
        cumulative(r.costs),
    );
    page.push_str(&lines(
        "Cumulative P&L by source",
        &labels,
        &[
            Series {
                name: "holding",
                values: &h,
            },
            Series {
                name: "executed",
                values: &e,
            },
            Series {
                name: "external",
                values: &x,
            },
            Series {
                name: "costs",
                values: &c,
            },
        ],
        Format::Number,
        280.0,
    ));
    page.push_str("<h2>Trade activity</h2>");
    page.push_str(&bars(
        "Traded notional",
        &labels,
        r.traded_notional,
        Format::Number,
        200.0,
    ));
    page.push_str("<h2>By symbol</h2><table><tr>");
    for h in r.symbol_table.0 {
        let _ = write!(page, "<th>{}</th>", escape(h));
    }
    page.push_str("</tr>");
    for row in r.symbol_table.1 {
        page.push_str("<tr>");
        for cell in row {
            let _ = write!(page, "<td>{}</td>", escape(cell));
        }
        page.push_str("</tr>");
    }
    page.push_str("</table></body></html>\n");
    page
}
