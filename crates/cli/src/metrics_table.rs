//! The metrics summary as a two-column terminal table.

use oxfolio_analytics::Metrics;

use crate::table::{num, pct, render};

/// Prints the metrics summary as a two-column table.
pub fn print_metrics(m: &Metrics) {
    let rows: Vec<Vec<String>> = [
        ("start", m.start.clone().unwrap_or("-".into())),
        ("end", m.end.clone().unwrap_or("-".into())),
        ("periods", m.periods.to_string()),
        ("total_return", pct(m.total_return)),
        ("cagr", pct(m.cagr)),
        ("annual_volatility", pct(m.annual_volatility)),
        ("sharpe", num(m.sharpe, 3)),
        ("sortino", num(m.sortino, 3)),
        ("max_drawdown", pct(m.max_drawdown)),
        (
            "longest_drawdown_periods",
            m.longest_drawdown_periods.to_string(),
        ),
        (
            "longest_drawdown_days",
            m.longest_drawdown_days
                .map_or("-".into(), |d| d.to_string()),
        ),
        ("calmar", num(m.calmar, 3)),
        ("var_95", pct(m.var_95)),
        ("cvar_95", pct(m.cvar_95)),
        ("var_99", pct(m.var_99)),
        ("cvar_99", pct(m.cvar_99)),
        ("gaussian_var_95", pct(m.gaussian_var_95)),
        ("gaussian_var_99", pct(m.gaussian_var_99)),
        ("skew", num(m.skew, 3)),
        ("kurtosis", num(m.kurtosis, 3)),
        ("best_period", pct(m.best_period)),
        ("worst_period", pct(m.worst_period)),
        ("win_rate", pct(m.win_rate)),
        (
            "profit_factor",
            m.profit_factor.map_or("-".into(), |p| num(p, 3)),
        ),
        ("tail_ratio", num(m.tail_ratio, 3)),
    ]
    .into_iter()
    .map(|(k, v)| vec![k.to_string(), v])
    .collect();
    print!("{}", render(&["metric", "value"], &rows));
}
