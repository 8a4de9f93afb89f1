//! `metrics.json` of a dynopt run and the rows of its static-versus-dynamic
//! comparison (the terminal table and the report share them).

use serde::Serialize;

use oxfolio_dynopt::backtest::RunMetrics;
use oxfolio_dynopt::universe::SeriesReport;
use oxfolio_dynopt::{BacktestResult, DynoptConfig, Universe};

use crate::format::{num, pct};

/// The metrics.json object.
#[derive(Serialize)]
pub struct Summary<'a> {
    pub instruments: &'a [String],
    pub start: String,
    pub end: String,
    pub capital: f64,
    pub risk_target: f64,
    #[serde(rename = "static")]
    static_metrics: &'a RunMetrics,
    dynamic: &'a RunMetrics,
    final_equity: FinalEquity,
    pub warnings: &'a [String],
    zero_volatility_days: usize,
    data: DataReport<'a>,
    timings: Timings,
}

#[derive(Serialize)]
struct FinalEquity {
    #[serde(rename = "static")]
    static_run: f64,
    dynamic: f64,
}

#[derive(Serialize)]
struct DataReport<'a> {
    prices: std::collections::BTreeMap<&'a str, &'a SeriesReport>,
    fx: &'a std::collections::BTreeMap<String, SeriesReport>,
}

/// Wall seconds per phase.
#[derive(Serialize)]
pub struct Timings {
    pub load: f64,
    pub simulate: f64,
    pub report: f64,
}

/// The metrics.json object of a run.
pub fn summary<'a>(
    result: &'a BacktestResult,
    universe: &'a Universe,
    config: &DynoptConfig,
    timings: Timings,
) -> Summary<'a> {
    let capital = config.system.capital;
    let first = result.first_day.min(result.dates.len().saturating_sub(1));
    Summary {
        instruments: &result.instruments,
        start: result.dates[first].to_string(),
        end: result
            .dates
            .last()
            .map_or(String::new(), ToString::to_string),
        capital,
        risk_target: config.system.risk_target,
        static_metrics: &result.static_metrics,
        dynamic: &result.dynamic_metrics,
        final_equity: FinalEquity {
            static_run: capital + result.static_run.pnl.iter().sum::<f64>(),
            dynamic: capital + result.dynamic_run.pnl.iter().sum::<f64>(),
        },
        warnings: &result.warnings,
        zero_volatility_days: result.zero_volatility_days,
        data: DataReport {
            prices: result
                .instruments
                .iter()
                .map(String::as_str)
                .zip(&universe.price_reports)
                .collect(),
            fx: &universe.fx_reports,
        },
        timings,
    }
}

/// Rows of the comparison table: label, static, dynamic.
pub fn comparison(s: &Summary) -> Vec<Vec<String>> {
    let (a, b) = (s.static_metrics, s.dynamic);
    let opt = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.3}"));
    vec![
        vec![
            "annual return".into(),
            pct(a.annual_return),
            pct(b.annual_return),
        ],
        vec![
            "annual volatility".into(),
            pct(a.annual_volatility),
            pct(b.annual_volatility),
        ],
        vec![
            "Sharpe".into(),
            format!("{:.3}", a.sharpe),
            format!("{:.3}", b.sharpe),
        ],
        vec![
            "max drawdown".into(),
            pct(a.max_drawdown),
            pct(b.max_drawdown),
        ],
        vec![
            "turnover (contracts)".into(),
            a.total_turnover.to_string(),
            b.total_turnover.to_string(),
        ],
        vec![
            "annual turnover".into(),
            format!("{:.1}", a.annual_turnover),
            format!("{:.1}", b.annual_turnover),
        ],
        vec![
            "average gross position".into(),
            format!("{:.2}", a.average_gross_position),
            format!("{:.2}", b.average_gross_position),
        ],
        vec![
            "average tracking error".into(),
            pct(a.average_tracking_error),
            pct(b.average_tracking_error),
        ],
        vec![
            "average adjustment factor".into(),
            opt(a.average_adjustment_factor),
            opt(b.average_adjustment_factor),
        ],
        vec![
            "share within buffer".into(),
            opt(a.within_buffer_share),
            opt(b.within_buffer_share),
        ],
        vec![
            "costs paid".into(),
            num(a.costs_paid, 2),
            num(b.costs_paid, 2),
        ],
        vec!["annual cost".into(), pct(a.annual_cost), pct(b.annual_cost)],
        vec![
            "final equity".into(),
            num(s.final_equity.static_run, 2),
            num(s.final_equity.dynamic, 2),
        ],
    ]
}
