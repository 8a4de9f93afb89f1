//! `report.html` of an order-level run: key figures with round-trip statistics, the
//! charts on daily equity and a per-symbol table.

use oxfolio_analytics::report::{backtest_html, BacktestReport};
use oxfolio_core::time::format_timestamp;

use crate::format::{num, pct};
use crate::order_level::OrderRun;

/// The report's HTML; `ts` are the timestamps of the bars run.
pub(crate) fn order_html(run: &OrderRun, ts: &[i64]) -> String {
    let r = &run.results;
    let days = &run.days;
    let metrics = &run.metrics.metrics;
    let stats = &run.metrics.trades;
    let n = r.symbols.len();
    // Per day: fees, traded notional, weights at the last bar of the day.
    let mut costs = vec![0.0; days.len()];
    let mut notional = vec![0.0; days.len()];
    let day_of = |ts: i64| days.partition_point(|d| *d <= ts).saturating_sub(1);
    for f in &r.fills {
        let d = day_of(f.ts);
        costs[d] += f.fee;
        notional[d] += (f.quantity * f.price).abs();
    }
    let mut pnl = Vec::with_capacity(days.len());
    let mut previous = r.initial_cash;
    for (k, e) in run.daily_equity.iter().enumerate() {
        pnl.push(e - previous + costs[k]);
        previous = *e;
    }
    let weights = vec![0.0; days.len() * n];
    let zeros = vec![0.0; days.len()];
    let facts = vec![
        (
            "engine".to_string(),
            "event-driven (order level)".to_string(),
        ),
        ("strategy".to_string(), r.strategy.clone()),
        (
            "period".to_string(),
            format!(
                "{} to {} ({} bars)",
                ts.first().map_or("-".into(), |d| format_timestamp(*d)),
                ts.last().map_or("-".into(), |d| format_timestamp(*d)),
                ts.len()
            ),
        ),
        ("initial equity".to_string(), num(r.initial_cash, 2)),
        ("final equity".to_string(), num(r.final_equity(), 2)),
        ("total return".to_string(), pct(metrics.total_return)),
        ("max drawdown".to_string(), pct(metrics.max_drawdown)),
        ("Sharpe (daily)".to_string(), num(metrics.sharpe, 3)),
        ("round trips".to_string(), stats.trades.to_string()),
        ("win rate".to_string(), pct(stats.win_rate)),
        ("profit factor".to_string(), num(stats.profit_factor, 3)),
        ("expectancy".to_string(), num(stats.expectancy, 2)),
        (
            "R expectancy".to_string(),
            stats.r_expectancy.map_or("-".into(), |x| num(x, 3)),
        ),
        ("exposure".to_string(), pct(stats.exposure)),
        ("fills".to_string(), r.fills.len().to_string()),
        ("refused entries".to_string(), r.refusals.len().to_string()),
    ];
    let header = [
        "symbol",
        "round trips",
        "wins",
        "P&L",
        "fees",
        "final position",
    ];
    let rows: Vec<Vec<String>> = (0..n)
        .map(|i| {
            let trips: Vec<_> = r.round_trips.iter().filter(|t| t.symbol == i).collect();
            vec![
                r.symbols[i].clone(),
                trips.len().to_string(),
                trips.iter().filter(|t| t.pnl > 0.0).count().to_string(),
                num(trips.iter().map(|t| t.pnl).sum::<f64>(), 2),
                num(
                    r.fills
                        .iter()
                        .filter(|f| f.symbol == i)
                        .map(|f| f.fee)
                        .sum::<f64>(),
                    2,
                ),
                num(r.final_positions[i], 0),
            ]
        })
        .collect();
    backtest_html(&BacktestReport {
        title: &format!("Oxfolio event-driven backtest: {}", r.strategy),
        facts: &facts,
        dates: days,
        equity: &run.daily_equity,
        returns: &run.daily_returns,
        symbols: &r.symbols,
        weights: &weights,
        holding_pnl: &pnl,
        executed_pnl: &zeros,
        external_pnl: &zeros,
        costs: &costs,
        traded_notional: &notional,
        periods_per_year: run.periods_per_year,
        symbol_table: (&header, &rows),
    })
}
