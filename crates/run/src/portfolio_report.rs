//! `report.html` of a portfolio-level run: key figures, the charts and a per-symbol table.

use oxfolio_analytics::report::{backtest_html, BacktestReport};
use oxfolio_core::time::format_timestamp;

use crate::format::{num, pct};
use crate::portfolio::PortfolioRun;

/// The report's HTML.
pub(crate) fn portfolio_html(run: &PortfolioRun, n_symbols: usize) -> String {
    let results = &run.results;
    let metrics = &run.metrics.metrics;
    let dates = results.run_dates();
    let facts = vec![
        ("strategy".to_string(), results.strategy.clone()),
        (
            "period".to_string(),
            format!(
                "{} to {}",
                dates.first().map_or("-".into(), |d| format_timestamp(*d)),
                dates.last().map_or("-".into(), |d| format_timestamp(*d))
            ),
        ),
        ("symbols".to_string(), n_symbols.to_string()),
        ("initial equity".to_string(), num(results.initial_equity, 2)),
        ("final equity".to_string(), num(results.final_equity(), 2)),
        ("total return".to_string(), pct(metrics.total_return)),
        ("CAGR".to_string(), pct(metrics.cagr)),
        (
            "annual volatility".to_string(),
            pct(metrics.annual_volatility),
        ),
        ("Sharpe".to_string(), num(metrics.sharpe, 3)),
        ("Sortino".to_string(), num(metrics.sortino, 3)),
        ("max drawdown".to_string(), pct(metrics.max_drawdown)),
        ("total costs".to_string(), num(results.total_costs(), 2)),
        ("fills".to_string(), results.fills.len().to_string()),
        (
            "engine events (caps, limits, overlay)".to_string(),
            results.events.len().to_string(),
        ),
    ];
    let header = [
        "symbol",
        "fills",
        "notional",
        "costs",
        "holding P&L",
        "executed P&L",
        "total P&L",
        "final weight",
    ];
    let rows: Vec<Vec<String>> = run
        .summary
        .iter()
        .map(|s| {
            vec![
                s.symbol.clone(),
                s.num_fills.to_string(),
                num(s.notional, 0),
                num(s.costs, 2),
                num(s.holding_pnl, 2),
                num(s.executed_pnl, 2),
                num(s.total_pnl, 2),
                pct(s.final_weight),
            ]
        })
        .collect();
    backtest_html(&BacktestReport {
        title: &format!("Oxfolio backtest: {}", results.strategy),
        facts: &facts,
        dates: &dates,
        equity: &results.daily.equity,
        returns: &results.daily.returns,
        symbols: &results.symbols,
        weights: &run.marks.weights,
        holding_pnl: &results.daily.holding_pnl,
        executed_pnl: &results.daily.executed_pnl,
        external_pnl: &results.daily.external_pnl,
        costs: &results.daily.costs,
        traded_notional: &results.daily.traded_notional,
        periods_per_year: run.periods_per_year,
        symbol_table: (&header, &rows),
    })
}
