//! Writes an event-driven run's CSV files (columns in `docs/EVENTS.md`): `equity.csv`
//! (per bar), `fills.csv`, `orders.csv` (each order's last state and lifecycle bars),
//! `trades.csv` (round trips), `refusals.csv` and `optimisations.csv`.

use std::io::Write;
use std::path::Path;

use oxfolio_core::time::format_timestamp;

use super::order::{OrderKind, Trail};
use super::results::EventResults;
use crate::error::EngineError;
use crate::output::{field, write_lines, write_with};

fn opt(x: Option<f64>) -> String {
    x.map_or(String::new(), |v| v.to_string())
}

/// Writes the tables of `r` (a run over `calendar`, the market's dates) into `dir`.
pub fn write_event_tables(
    dir: &Path,
    r: &EventResults,
    calendar: &[oxfolio_core::Timestamp],
) -> Result<(), EngineError> {
    let names: Vec<String> = r.symbols.iter().map(|s| field(s)).collect();
    let mut peak = r.initial_cash;
    let mut previous = r.initial_cash;
    write_with(
        dir,
        "equity.csv",
        "datetime,equity,cash,return,drawdown",
        |w| {
            let cash = r.cash_series();
            for ((ts, e), c) in r.timestamps(calendar).iter().zip(&r.equity).zip(&cash) {
                peak = peak.max(*e);
                writeln!(
                    w,
                    "{},{},{},{},{}",
                    format_timestamp(*ts),
                    e,
                    c,
                    e / previous - 1.0,
                    e / peak - 1.0
                )?;
                previous = *e;
            }
            Ok(())
        },
    )?;
    write_lines(
        dir,
        "fills.csv",
        "datetime,symbol,order,role,quantity,price,fee,slippage",
        r.fills.iter().map(|f| {
            format!(
                "{},{},{},{},{},{},{},{}",
                format_timestamp(f.ts),
                names[f.symbol],
                f.order,
                f.role.name(),
                f.quantity,
                f.price,
                f.fee,
                f.slippage
            )
        }),
    )?;
    write_lines(
        dir,
        "orders.csv",
        "id,symbol,type,role,tif,quantity,limit,stop,trail_percent,trail_amount,status,filled,average_price,fees,created_bar,updated_bar,parent,reason",
        r.orders.iter().map(|o| {
            let (limit, stop, tp, ta) = match o.request.kind {
                OrderKind::Market => (None, None, None, None),
                OrderKind::Limit { limit } => (Some(limit), None, None, None),
                OrderKind::Stop { stop } => (None, Some(stop), None, None),
                OrderKind::StopLimit { stop, limit } => (Some(limit), Some(stop), None, None),
                OrderKind::TrailingStop { trail: Trail::Percent(p) } => (None, None, Some(p), None),
                OrderKind::TrailingStop { trail: Trail::Amount(a) } => (None, None, None, Some(a)),
            };
            format!(
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                o.id,
                names[o.request.symbol],
                o.request.kind.name(),
                o.role.name(),
                o.request.tif.name(),
                o.request.quantity,
                opt(limit),
                opt(stop),
                opt(tp),
                opt(ta),
                o.status.name(),
                o.filled,
                o.average_price,
                o.fees,
                o.created_bar,
                o.updated_bar,
                o.parent.map_or(String::new(), |p| p.to_string()),
                field(&o.reason)
            )
        }),
    )?;
    write_lines(
        dir,
        "trades.csv",
        "symbol,side,quantity,entry_time,exit_time,entry_price,exit_price,pnl,return,r_multiple,bars_held,mae,mfe,fees,exit_role",
        r.round_trips.iter().map(|t| {
            format!(
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                names[t.symbol],
                t.side,
                t.quantity,
                format_timestamp(t.entry_ts),
                format_timestamp(t.exit_ts),
                t.entry_price,
                t.exit_price,
                t.pnl,
                t.ret,
                opt(t.r_multiple),
                t.bars_held,
                t.mae,
                t.mfe,
                t.fees,
                t.exit_role.name()
            )
        }),
    )?;
    write_lines(
        dir,
        "refusals.csv",
        "datetime,symbol,side,quantity,reasons",
        r.refusals.iter().map(|x| {
            format!(
                "{},{},{},{},{}",
                format_timestamp(x.ts),
                field(&x.symbol),
                x.side,
                x.quantity,
                field(&x.reasons.join("; "))
            )
        }),
    )?;
    write_lines(
        dir,
        "optimisations.csv",
        "datetime,method,failures,weights,expected_return,volatility",
        r.optimisations.iter().map(|o| {
            let weights: Vec<String> = o.weights.iter().map(|(s, w)| format!("{s}={w}")).collect();
            format!(
                "{},{},{},{},{},{}",
                format_timestamp(o.ts),
                o.method,
                field(&o.failures.join("; ")),
                field(&weights.join(" ")),
                o.expected_return,
                o.volatility
            )
        }),
    )
}
