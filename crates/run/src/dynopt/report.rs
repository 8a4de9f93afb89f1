//! The self-contained report.html of a dynopt run: the comparison table,
//! warnings, equity of both runs and tracking error at each rebalance.

use std::fmt::Write as _;

use oxfolio_analytics::chart::{escape, lines, Format, Series};
use oxfolio_dynopt::BacktestResult;

use super::summary::{comparison, Summary};
use crate::format::{num, pct};

/// The page.
pub fn report_html(r: &BacktestResult, s: &Summary, capital: f64) -> String {
    let first = r.first_day.min(r.dates.len().saturating_sub(1));
    let labels: Vec<String> = r.dates[first..].iter().map(ToString::to_string).collect();
    let cumulative = |pnl: &[f64]| -> Vec<f64> {
        let mut total = capital;
        pnl[first..]
            .iter()
            .map(|p| {
                total += p;
                total
            })
            .collect()
    };
    let (a, b) = (
        cumulative(&r.static_run.pnl),
        cumulative(&r.dynamic_run.pnl),
    );
    let decision_labels: Vec<String> = r
        .dynamic_run
        .decisions
        .iter()
        .map(|d| r.dates[d.t].to_string())
        .collect();
    let te_static: Vec<f64> = r
        .static_run
        .decisions
        .iter()
        .map(|d| d.tracking_error)
        .collect();
    let te_dynamic: Vec<f64> = r
        .dynamic_run
        .decisions
        .iter()
        .map(|d| d.tracking_error)
        .collect();
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Dynamic optimisation</title><style>\
body{{font-family:sans-serif;max-width:960px;margin:auto;padding:12px;color:#222}}\
table{{border-collapse:collapse;margin:8px 0;font-size:12px}}td,th{{border:1px solid #ccc;padding:2px 6px;text-align:right}}\
h2{{font-size:16px;margin-top:24px}}</style></head><body><h1>Static versus dynamic positions</h1>\
<p>{} instruments, {} to {}, capital {}, risk target {}.</p><table><tr><th>metric</th><th>static</th><th>dynamic</th></tr>",
        s.instruments.len(),
        escape(&s.start),
        escape(&s.end),
        escape(&num(s.capital, 0)),
        escape(&pct(s.risk_target))
    );
    for row in comparison(s) {
        let _ = write!(
            page,
            "<tr><th style='text-align:left'>{}</th><td>{}</td><td>{}</td></tr>",
            escape(&row[0]),
            escape(&row[1]),
            escape(&row[2])
        );
    }
    page.push_str("</table>");
    for w in s.warnings {
        let _ = write!(page, "<p><b>warning:</b> {}</p>", escape(w));
    }
    page.push_str("<h2>Equity</h2>");
    page.push_str(&lines(
        "Equity (capital + P&L)",
        &labels,
        &[
            Series {
                name: "static",
                values: &a,
            },
            Series {
                name: "dynamic",
                values: &b,
            },
        ],
        Format::Number,
        260.0,
    ));
    page.push_str("<h2>Tracking error against the ideal positions</h2>");
    page.push_str(&lines(
        "Tracking error at each rebalance",
        &decision_labels,
        &[
            Series {
                name: "static",
                values: &te_static,
            },
            Series {
                name: "dynamic",
                values: &te_dynamic,
            },
        ],
        Format::Percent,
        220.0,
    ));
    page.push_str("</body></html>");
    page
}
